#include "scripted_model.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

#include "valleys/realnets/cifar.hpp"

namespace valleys::realnets::detail {

namespace {

std::invalid_argument Bad(const std::string& field, const std::string& path,
                          const std::string& what) {
  return std::invalid_argument(fmt::format("{} '{}': {}", field, path, what));
}

// The momentum of a BatchNorm module: a constant of its type in scripted modules, an attribute in
// traced ones; None (cumulative average) is returned as 0.
double Momentum(const torch::jit::Module& bn) {
  c10::IValue m;
  if (bn.type()->hasConstant("momentum"))
    m = bn.type()->getConstant("momentum");
  else if (bn.hasattr("momentum"))
    m = bn.attr("momentum");
  return m.isDouble() ? m.toDouble() : 0.0;
}

}  // namespace

ScriptedModel::ScriptedModel(const std::string& path, const torch::Device& device,
                             const std::string& field) {
  if (!std::filesystem::is_regular_file(path))
    throw Bad(field, path, "no such file (a TorchScript module: torch.jit.script(model).save)");
  try {
    module_ = torch::jit::load(path, device);
  } catch (const c10::Error& e) {
    throw Bad(field, path,
              fmt::format("not a TorchScript module ({})",
                          std::string(e.what_without_backtrace()).substr(0, 200)));
  }
  module_.eval();
  sha256_ = Sha256File(path);
  type_ = module_.type()->name() ? module_.type()->name()->name() : "module";
  for (const auto& sub : module_.named_modules()) {
    const auto name = sub.value.type()->name();
    if (!name || name->qualifiedName().find("torch.nn.modules.batchnorm.") == std::string::npos)
      continue;
    if (!sub.value.hasattr("running_mean") || !sub.value.attr("running_mean").isTensor())
      throw Bad(field, path,
                fmt::format("BatchNorm module '{}' keeps no running statistics "
                            "(track_running_stats=False)",
                            sub.name));
    bns_.push_back(sub.value);
    for (const char* p : {"weight", "bias"})
      bn_names_.insert(sub.name.empty() ? p : sub.name + "." + p);
  }
  // Every parameter is a variable of the loss, whatever requires_grad it was saved with (a frozen
  // or torch.no_grad-built model): the Hessian and the directions are over all of them, and this
  // copy in memory is the only one changed.
  for (const auto& p : module_.named_parameters(/*recurse=*/true)) {
    p.value.requires_grad_(true);
    params_.emplace_back(p.name, p.value);
  }
  if (params_.empty()) throw Bad(field, path, "the module has no learnable parameter");
}

std::vector<torch::Tensor> ScriptedModel::ParameterTensors() const {
  std::vector<torch::Tensor> out;
  for (const auto& p : params_) out.push_back(p.second);
  return out;
}

void ScriptedModel::SetParameters(const std::vector<torch::Tensor>& values) const {
  torch::NoGradGuard guard;
  for (std::size_t i = 0; i < params_.size(); ++i) params_[i].second.copy_(values[i]);
}

void ScriptedModel::RecomputeBatchNorm(const torch::Tensor& images, int batch,
                                       int bn_batches) const {
  if (bns_.empty()) return;
  torch::NoGradGuard guard;
  std::vector<torch::Tensor> mean_sum, var_sum;  // in double
  for (const auto& bn : bns_) {
    mean_sum.push_back(torch::zeros_like(bn.attr("running_mean").toTensor(), torch::kFloat64));
    var_sum.push_back(torch::zeros_like(bn.attr("running_var").toTensor(), torch::kFloat64));
  }
  module_.train();
  const int64_t n = images.size(0);
  int64_t batches = 0;
  for (int64_t i = 0; i < n && (bn_batches == 0 || batches < bn_batches); i += batch, ++batches) {
    // Statistics zeroed before the pass: afterwards each running value is its factor times the
    // batch's own (factor: the momentum, or 1 for a cumulative BatchNorm's first batch).
    for (const auto& bn : bns_) {
      bn.attr("running_mean").toTensor().zero_();
      bn.attr("running_var").toTensor().zero_();
      if (bn.hasattr("num_batches_tracked") && bn.attr("num_batches_tracked").isTensor())
        bn.attr("num_batches_tracked").toTensor().zero_();
    }
    module_.forward({images.narrow(0, i, std::min<int64_t>(batch, n - i))});
    for (std::size_t k = 0; k < bns_.size(); ++k) {
      const double m = Momentum(bns_[k]);
      const double factor = m > 0 ? m : 1.0;
      mean_sum[k] += bns_[k].attr("running_mean").toTensor().to(torch::kFloat64) / factor;
      var_sum[k] += bns_[k].attr("running_var").toTensor().to(torch::kFloat64) / factor;
    }
  }
  for (std::size_t k = 0; k < bns_.size(); ++k) {
    auto& bn = bns_[k];
    bn.attr("running_mean").toTensor().copy_(mean_sum[k] / static_cast<double>(batches));
    bn.attr("running_var").toTensor().copy_(var_sum[k] / static_cast<double>(batches));
    if (bn.hasattr("num_batches_tracked") && bn.attr("num_batches_tracked").isTensor())
      bn.attr("num_batches_tracked").toTensor().fill_(batches);
  }
  module_.eval();
}

torch::Tensor ScriptedModel::Forward(const torch::Tensor& x) const {
  return module_.forward({x}).toTensor();
}

Eval ScriptedModel::Evaluate(const Data& d) const {
  module_.eval();
  return EvaluateWith([this](const torch::Tensor& x) { return Forward(x); }, d);
}

long long ScriptedModel::ParameterCount() const {
  long long count = 0;
  for (const auto& p : params_) count += p.second.numel();
  return count;
}

std::string ScriptedModel::Describe() const {
  return fmt::format("TorchScript {}: {} parameters, {} BatchNorm modules", type_, ParameterCount(),
                     bns_.size());
}

c10::IValue LoadTorchSaveFile(const std::string& path, const std::string& field,
                              const std::string& expected) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Bad(field, path, "cannot be read " + expected);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  try {
    return torch::pickle_load(bytes);
  } catch (const c10::Error&) {
    throw Bad(field, path, "is not a file of torch.save " + expected);
  }
}

Data LoadTensorData(const std::string& path, int limit, const torch::Device& device,
                    const std::string& field) {
  const std::string shape =
      "(a dict saved by torch.save: images float32 [N, C, H, W], labels int64 [N])";
  const c10::IValue value = LoadTorchSaveFile(path, field, shape);
  if (!value.isGenericDict()) throw Bad(field, path, "is not a dict " + shape);
  const c10::Dict<c10::IValue, c10::IValue> dict = value.toGenericDict();
  auto get = [&](const char* key) {
    const auto it = dict.find(c10::IValue(std::string(key)));
    if (it == dict.end() || !it->value().isTensor())
      throw Bad(field, path, fmt::format("key '{}' is missing or not a tensor {}", key, shape));
    return it->value().toTensor();
  };
  torch::Tensor x = get("images"), y = get("labels");
  if (x.dim() != 4 || x.scalar_type() != torch::kFloat32)
    throw Bad(field, path,
              fmt::format("'images' is {} of shape {} (allowed: float32 [N, C, H, W])",
                          std::string(c10::toString(x.scalar_type())), c10::str(x.sizes())));
  if (y.dim() != 1 || y.scalar_type() != torch::kInt64)
    throw Bad(field, path,
              fmt::format("'labels' is {} of shape {} (allowed: int64 [N])",
                          std::string(c10::toString(y.scalar_type())), c10::str(y.sizes())));
  if (x.size(0) != y.size(0) || x.size(0) < 1)
    throw Bad(
        field, path,
        fmt::format("{} images but {} labels (allowed: the same N >= 1)", x.size(0), y.size(0)));
  const int64_t n = limit > 0 ? std::min<int64_t>(limit, x.size(0)) : x.size(0);
  return {x.narrow(0, 0, n).contiguous().to(device), y.narrow(0, 0, n).contiguous().to(device)};
}

}  // namespace valleys::realnets::detail
