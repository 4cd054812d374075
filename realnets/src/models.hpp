// The LibTorch model zoo (internal header: includes LibTorch).
#pragma once

#include <torch/torch.h>

#include "valleys/realnets/experiment.hpp"

namespace valleys::realnets::detail {

// Pre-activation ResNet with basic blocks (He et al. 2016): conv3x3 -> 3 stages of k blocks
// (BN-act-conv-BN-act-conv, 1x1-conv shortcut where the shape changes) -> BN-act-avgpool-FC.
// No conv bias; conv init N(0, 2/(9 C_out)); BN gamma per spec, beta 0.
class PreResNetImpl : public torch::nn::Module {
 public:
  explicit PreResNetImpl(const ModelSpec& spec);
  torch::Tensor forward(torch::Tensor x);

 private:
  struct Block {
    torch::nn::AnyModule bn1, bn2;
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
  };
  torch::Tensor Act(const torch::Tensor& x) const;
  ModelSpec spec_;
  torch::nn::Conv2d stem_{nullptr};
  std::vector<Block> blocks_;
  torch::nn::AnyModule final_bn_;
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(PreResNet);

PreResNet MakeModel(const ModelSpec& spec);

// The exact BN recompute: running statistics reset, then one train-mode pass over `images` in
// batches of `batch` with cumulative averaging (momentum none): the running mean is the average of
// the batch means (the exact data-set mean when all batches have the same size), the running
// variance the average of the batches' unbiased variances. Momentum is 0.1 again afterwards.
void RecomputeBatchNorm(PreResNet& model, const torch::Tensor& images, int batch, bool augment);

// True for BatchNorm parameters (gamma, beta), recognised by name.
bool IsBatchNormParameter(const std::string& name);

}  // namespace valleys::realnets::detail
