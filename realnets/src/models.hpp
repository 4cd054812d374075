// The LibTorch model zoo (internal header: includes LibTorch). Every network derives from NetImpl;
// BatchNorm layers are torch::nn::BatchNorm2d (or identities in the BN-free twins).
#pragma once

#include <memory>
#include <set>
#include <string>

#include <torch/torch.h>

#include "valleys/realnets/model_spec.hpp"
#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/training.hpp"

namespace valleys::realnets::detail {

class NetImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(torch::Tensor x) = 0;
  std::string description;  // ModelSpec::Describe() of the spec it was built from
};
using Net = std::shared_ptr<NetImpl>;

// Builds the network of `spec` (throws std::invalid_argument when !spec.IsValid). Weights are drawn
// from LibTorch's default generator (seed it first).
Net MakeModel(const ModelSpec& spec);

// Writes atomically (temporary name, rename), then the file's SHA-256 sum beside it (PATH.sha256).
// The archive carries the network's description (key "valleys_model").
void SaveNet(const Net& net, const std::string& path);
// Loads a checkpoint written by SaveNet into `net` and returns its SHA-256; throws
// std::invalid_argument naming both descriptions when the checkpoint holds another network than
// `net` (checkpoints without a description are loaded when their tensors fit), and
// std::runtime_error naming the file when it is missing, has no sum file, does not match its sum,
// or does not fit the network.
std::string LoadNet(const Net& net, const std::string& path);

// Full names ("block0_bn1.weight", ...) of the BatchNorm gamma/beta parameters of `net`.
std::set<std::string> BatchNormParameterNames(const Net& net);

// The exact BN recompute: running statistics reset, then one train-mode pass over `images` in
// batches of `batch` (the first `max_batches`, 0 = all) with cumulative averaging (momentum none):
// the running mean is the average of the batch means (the exact data-set mean when all batches
// have the same size), the running variance the average of the batches' unbiased variances.
// Each BN's momentum is its own again afterwards. No-op for a network without BN.
void RecomputeBatchNorm(const Net& net, const torch::Tensor& images, int batch, bool augment,
                        int max_batches = 0);

// Random crop of 32 from the image zero-padded by 4 and a horizontal flip with probability 1/2,
// for a [n, 3, 32, 32] batch on any device; the randomness is drawn on the CPU's default generator
// (so CPU and GPU runs see the same crops).
torch::Tensor Augment(const torch::Tensor& batch);

// Filter normalization (Li et al. 2018) of a direction `d` against weights `w` of the same shape:
// for a tensor of dimension >= 2, each filter d[i] (slice along dim 0) is rescaled to the L2 norm
// of w[i]; a 1-D tensor (BN gamma/beta, biases) is set to zero (`copy_1d` false) or to w itself
// (`copy_1d` true). Returns the new direction.
torch::Tensor FilterNormalize(const torch::Tensor& d, const torch::Tensor& w, bool copy_1d);

}  // namespace valleys::realnets::detail
