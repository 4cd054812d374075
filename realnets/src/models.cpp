#include "models.hpp"

#include <fmt/format.h>

namespace valleys::realnets {

bool ModelSpec::IsValid(std::string* why) const {
  auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (arch != "preresnet")
    return fail(fmt::format("model: arch = '{}' is not available (allowed: preresnet)", arch));
  if (depth < 8 || (depth - 2) % 6 != 0)
    return fail(fmt::format("model: depth = {} is out of range (allowed: 6k + 2, k >= 1)", depth));
  if (width < 1 || width > 256)
    return fail(fmt::format("model: width = {} is out of range (allowed: 1..256)", width));
  if (activation != "relu" && activation != "sigmoid" && activation != "softplus")
    return fail(
        fmt::format("model: activation = '{}' (allowed: relu, sigmoid, softplus)", activation));
  if (bn_init != "ones" && bn_init != "uniform01" && bn_init != "normal01")
    return fail(fmt::format("model: bn-init = '{}' (allowed: ones, uniform01, normal01)", bn_init));
  return true;
}

std::string ModelSpec::Describe() const {
  return fmt::format("{}-{} width {} {} {} bn-init {}", arch, depth, width,
                     batch_norm ? "BN" : "no-BN", activation, bn_init);
}

namespace detail {

namespace {
torch::nn::AnyModule Norm(const ModelSpec& spec, int channels) {
  if (!spec.batch_norm) return torch::nn::AnyModule(torch::nn::Identity());
  return torch::nn::AnyModule(torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels)));
}
torch::nn::Conv2d Conv(int in, int out, int k, int stride) {
  torch::nn::Conv2d c(
      torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2).bias(false));
  torch::NoGradGuard guard;
  c->weight.normal_(0.0, std::sqrt(2.0 / (k * k * out)));
  return c;
}
}  // namespace

PreResNetImpl::PreResNetImpl(const ModelSpec& spec) : spec_(spec) {
  const int k = (spec.depth - 2) / 6, w = spec.width;
  stem_ = register_module("stem", Conv(3, w, 3, 1));
  int in = w, index = 0;
  for (int stage = 0; stage < 3; ++stage) {
    const int out = w << stage;
    for (int b = 0; b < k; ++b, ++index) {
      const int stride = (stage > 0 && b == 0) ? 2 : 1;
      Block block;
      block.bn1 = Norm(spec, in);
      block.conv1 = Conv(in, out, 3, stride);
      block.bn2 = Norm(spec, out);
      block.conv2 = Conv(out, out, 3, 1);
      const std::string name = fmt::format("block{}", index);
      register_module(name + "_bn1", block.bn1.ptr());
      register_module(name + "_conv1", block.conv1);
      register_module(name + "_bn2", block.bn2.ptr());
      register_module(name + "_conv2", block.conv2);
      if (stride != 1 || in != out)
        block.shortcut = register_module(name + "_shortcut", Conv(in, out, 1, stride));
      blocks_.push_back(block);
      in = out;
    }
  }
  final_bn_ = Norm(spec, in);
  register_module("final_bn", final_bn_.ptr());
  fc_ = register_module("fc", torch::nn::Linear(in, 10));
  torch::NoGradGuard guard;
  for (auto& p : named_parameters()) {
    if (p.key().find("_bn") == std::string::npos && p.key().find("final_bn") == std::string::npos)
      continue;
    if (p.key().size() >= 6 && p.key().substr(p.key().size() - 6) == "weight") {
      if (spec.bn_init == "ones") p.value().fill_(1.0);
      if (spec.bn_init == "uniform01") p.value().uniform_(0.0, 1.0);
      if (spec.bn_init == "normal01") p.value().normal_(0.0, 0.1);
    }
  }
}

torch::Tensor PreResNetImpl::Act(const torch::Tensor& x) const {
  if (spec_.activation == "sigmoid") return torch::sigmoid(x);
  if (spec_.activation == "softplus") return torch::softplus(x);
  return torch::relu(x);
}

torch::Tensor PreResNetImpl::forward(torch::Tensor x) {
  x = stem_->forward(x);
  for (auto& b : blocks_) {
    torch::Tensor h = Act(b.bn1.forward(x));
    const torch::Tensor skip = b.shortcut ? b.shortcut->forward(h) : x;
    h = b.conv1->forward(h);
    h = b.conv2->forward(Act(b.bn2.forward(h)));
    x = h + skip;
  }
  x = Act(final_bn_.forward(x));
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  return fc_->forward(x);
}

PreResNet MakeModel(const ModelSpec& spec) {
  std::string why;
  if (!spec.IsValid(&why)) throw std::invalid_argument(why);
  return PreResNet(spec);
}

bool IsBatchNormParameter(const std::string& name) {
  return name.find("bn") != std::string::npos;
}

}  // namespace detail

long long CountParameters(const ModelSpec& spec) {
  auto model = detail::MakeModel(spec);
  long long n = 0;
  for (const auto& p : model->parameters()) n += p.numel();
  return n;
}

}  // namespace valleys::realnets
