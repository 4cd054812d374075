// The Hessian-vector product of a network's mean training loss (hessian_operator.hpp).
#include "hessian_operator.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace valleys::realnets::detail {

HessianSample LoadHessianSample(const HessianOptions& o) {
  SetThreads(o.base);
  HessianSample s;
  s.data = LoadData(o.base, true, o.sample_size);
  s.net = LoadTarget(o.base, o.model, o.checkpoint, "HessianOptions::model");
  s.net->CheckLabels(s.data, o.base.train_data.empty()
                                 ? "the CIFAR-10 training images"
                                 : "TrainOptions::train_data '" + o.base.train_data + "'");
  return s;
}

std::vector<torch::Tensor> HessianVectorProduct(const ProbeTarget& net, const Data& data,
                                                const std::vector<torch::Tensor>& params,
                                                const std::vector<torch::Tensor>& v,
                                                int64_t batch) {
  std::vector<torch::Tensor> hv;
  for (const auto& p : params) hv.push_back(torch::zeros_like(p));
  const int64_t n = data.size();
  for (int64_t i = 0; i < n; i += batch) {
    const int64_t m = std::min<int64_t>(batch, n - i);
    const torch::Tensor out = net.ForwardEval(data.x.narrow(0, i, m));
    const torch::Tensor loss =
        torch::cross_entropy_loss(out, data.y.narrow(0, i, m)) * (static_cast<double>(m) / n);
    const auto grads = torch::autograd::grad({loss}, params, {}, true, true);
    torch::Tensor dot = torch::zeros({}, loss.options());
    for (std::size_t k = 0; k < grads.size(); ++k) dot = dot + (grads[k] * v[k]).sum();
    const auto hvp = torch::autograd::grad({dot}, params);
    for (std::size_t k = 0; k < hvp.size(); ++k) hv[k] += hvp[k].detach();
  }
  return hv;
}

FlatHessian::FlatHessian(const ProbeTarget& net, const Data& data, int64_t batch,
                         long long* products)
    : net_(net), data_(data), batch_(batch), products_(products), params_(net.ParameterTensors()) {
  long long n = 0;
  for (const auto& p : params_) n += p.numel();
  if (n > 2000000000LL)
    throw std::invalid_argument(fmt::format("the network has {} parameters (allowed: <= 2e9)", n));
  dimension_ = static_cast<int>(n);
}

std::vector<torch::Tensor> FlatHessian::Unflatten(const Eigen::VectorXd& x) const {
  std::vector<torch::Tensor> out;
  int64_t offset = 0;
  for (const auto& p : params_) {
    const int64_t k = p.numel();
    torch::Tensor piece =
        torch::from_blob(const_cast<double*>(x.data()) + offset, {k}, torch::kFloat64).clone();
    out.push_back(piece.view(p.sizes()).to(p.device(), p.scalar_type()));
    offset += k;
  }
  return out;
}

void FlatHessian::operator()(const Eigen::VectorXd& x, Eigen::VectorXd* y) const {
  if (x.size() != dimension_)
    throw std::invalid_argument(
        fmt::format("FlatHessian: {} coordinates for {} parameters", x.size(), dimension_));
  const std::vector<torch::Tensor> hv =
      HessianVectorProduct(net_, data_, params_, Unflatten(x), batch_);
  y->resize(dimension_);
  int64_t offset = 0;
  for (const auto& t : hv) {
    const torch::Tensor flat = t.detach().to(torch::kCPU, torch::kFloat64).contiguous().view(-1);
    std::copy(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel(), y->data() + offset);
    offset += flat.numel();
  }
  if (products_) ++*products_;
}

}  // namespace valleys::realnets::detail
