#include "probe_target.hpp"

#include <fmt/format.h>

#include "models.hpp"
#include "probe_points.hpp"
#include "scripted_model.hpp"

namespace valleys::realnets::detail {

std::vector<torch::Tensor> ProbeTarget::ParameterTensors() const {
  std::vector<torch::Tensor> out;
  for (const auto& p : NamedParameters()) out.push_back(p.second);
  return out;
}

void ProbeTarget::CheckLabels(const Data& data, const std::string& source) const {
  if (data.size() == 0) return;
  int64_t classes = 0;
  {
    torch::NoGradGuard guard;
    const torch::Tensor out = ForwardEval(data.x.narrow(0, 0, 1));
    if (out.dim() != 2 || out.size(0) != 1)
      throw std::invalid_argument(fmt::format(
          "{}: the network's output for one image has shape {} (allowed: logits [1, classes])",
          source, c10::str(out.sizes())));
    classes = out.size(1);
  }
  const int64_t lo = data.y.min().item<int64_t>(), hi = data.y.max().item<int64_t>();
  for (const int64_t bad : {lo, hi})
    if (bad < 0 || bad >= classes) {
      const int64_t at = (data.y == bad).nonzero().flatten()[0].item<int64_t>();
      throw std::invalid_argument(fmt::format(
          "{}: label {} at index {} is outside the network's {} classes (allowed: 0..{})", source,
          bad, at, classes, classes - 1));
    }
}

void CheckProbeLabels(const ProbeTarget& net, const ProbeData& data, const TrainOptions& o) {
  net.CheckLabels(data.train, o.train_data.empty()
                                  ? std::string("the CIFAR-10 training images")
                                  : "TrainOptions::train_data '" + o.train_data + "'");
  net.CheckLabels(data.test, o.test_data.empty() ? std::string("the CIFAR-10 test images")
                                                 : "TrainOptions::test_data '" + o.test_data + "'");
}

namespace {

class NetTarget final : public ProbeTarget {
 public:
  NetTarget(const TrainOptions& o, const std::string& checkpoint)
      : net_(LoadCheckpoint(o, checkpoint, &sha256_)), spec_(o.model) {}
  std::vector<std::pair<std::string, torch::Tensor>> NamedParameters() const override {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : net_->named_parameters()) out.emplace_back(p.key(), p.value());
    return out;
  }
  std::set<std::string> BatchNormParameterNames() const override {
    return detail::BatchNormParameterNames(net_);
  }
  void SetParameters(const std::vector<torch::Tensor>& values) const override {
    CopyParameters(net_, values);
  }
  void RecomputeBatchNorm(const ProbeOptions& p, const torch::Tensor& images) const override {
    detail::RecomputeBatchNorm(net_, images, p.base.batch, p.augmented_train_eval,
                               p.base.bn_batches);
  }
  Eval Evaluate(const Data& data, bool augment) const override {
    return detail::Evaluate(net_, data, augment);
  }
  torch::Tensor ForwardEval(const torch::Tensor& x) const override {
    net_->eval();
    return net_->forward(x);
  }
  std::string Description() const override { return spec_.Describe(); }
  long long ParameterCount() const override {
    long long n = 0;
    for (const auto& p : net_->parameters()) n += p.numel();
    return n;
  }

 private:
  Net net_;
  ModelSpec spec_;
};

class ScriptedTarget final : public ProbeTarget {
 public:
  ScriptedTarget(const TrainOptions& o, const std::string& path, const std::string& field)
      : model_(path, DeviceOf(o), field) {
    sha256_ = model_.Sha256();
  }
  std::vector<std::pair<std::string, torch::Tensor>> NamedParameters() const override {
    return model_.Parameters();
  }
  std::set<std::string> BatchNormParameterNames() const override {
    return model_.BatchNormParameterNames();
  }
  void SetParameters(const std::vector<torch::Tensor>& values) const override {
    model_.SetParameters(values);
  }
  void RecomputeBatchNorm(const ProbeOptions& p, const torch::Tensor& images) const override {
    model_.RecomputeBatchNorm(images, p.base.batch, p.base.bn_batches);
  }
  Eval Evaluate(const Data& data, bool) const override { return model_.Evaluate(data); }
  torch::Tensor ForwardEval(const torch::Tensor& x) const override {
    model_.SetEvalMode();
    return model_.Forward(x);
  }
  std::string Description() const override { return model_.Describe(); }
  long long ParameterCount() const override { return model_.ParameterCount(); }

 private:
  ScriptedModel model_;
};

}  // namespace

std::unique_ptr<ProbeTarget> LoadTarget(const TrainOptions& options, const std::string& model,
                                        const std::string& checkpoint, const std::string& field) {
  if (!model.empty()) return std::make_unique<ScriptedTarget>(options, model, field);
  return std::make_unique<NetTarget>(options, checkpoint);
}

}  // namespace valleys::realnets::detail
