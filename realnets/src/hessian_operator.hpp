// The Hessian of a network's mean training loss as an operator on flat vectors (internal): the
// product H v by double backward, summed over batches of the sample.
#pragma once

#include <memory>
#include <vector>

#include <torch/torch.h>
#include <Eigen/Dense>

#include "probe_target.hpp"
#include "runtime.hpp"

namespace valleys::realnets::detail {

// The network and training sample of a Hessian (HessianOptions): threads set, the first
// sample_size training images loaded, the checkpoint or model loaded and its labels checked.
struct HessianSample {
  Data data;
  std::unique_ptr<ProbeTarget> net;
};
HessianSample LoadHessianSample(const HessianOptions& options);

// H v for the eval-mode mean cross-entropy of `net` over every image of `data` (BN statistics
// frozen), in batches of `batch`; v and the result shaped like `params` (the net's learnable
// tensors, in order).
std::vector<torch::Tensor> HessianVectorProduct(const ProbeTarget& net, const Data& data,
                                                const std::vector<torch::Tensor>& params,
                                                const std::vector<torch::Tensor>& v, int64_t batch);

// The same product on flat float64 vectors: the parameters' coordinates in order, as
// SymmetricOperator (lanczos.hpp) takes them. `products` (if given) counts the calls.
class FlatHessian {
 public:
  FlatHessian(const ProbeTarget& net, const Data& data, int64_t batch, long long* products);
  int Dimension() const { return dimension_; }
  void operator()(const Eigen::VectorXd& x, Eigen::VectorXd* y) const;
  // A flat vector as tensors shaped like the parameters (float32, on their device).
  std::vector<torch::Tensor> Unflatten(const Eigen::VectorXd& x) const;

 private:
  const ProbeTarget& net_;
  const Data& data_;
  int64_t batch_;
  long long* products_;
  std::vector<torch::Tensor> params_;
  int dimension_ = 0;
};

}  // namespace valleys::realnets::detail
