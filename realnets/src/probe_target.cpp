#include "probe_target.hpp"

#include "models.hpp"
#include "scripted_model.hpp"

namespace valleys::realnets::detail {

std::vector<torch::Tensor> ProbeTarget::ParameterTensors() const {
  std::vector<torch::Tensor> out;
  for (const auto& p : NamedParameters()) out.push_back(p.second);
  return out;
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
