#include "valleys/realnets/model_spec.hpp"

#include <fmt/format.h>

namespace valleys::realnets {

bool ModelSpec::IsValid(std::string* why) const {
  auto fail = [&](const std::string& m) {
    if (why) *why = "ModelSpec::" + m;
    return false;
  };
  if (arch == Arch::kPreResNet) {
    const int step = block == BlockType::kBasic ? 6 : 9;
    if (depth < step + 2 || (depth - 2) % step != 0)
      return fail(fmt::format("depth = {} is out of range for {} blocks (allowed: {}k + 2, k >= 1)",
                              depth, BlockTypeToString(block), step));
  } else if (arch == Arch::kWideResNet) {
    if (depth < 10 || (depth - 4) % 6 != 0)
      return fail(
          fmt::format("depth = {} is out of range for wrn (allowed: 6n + 4, n >= 1)", depth));
    if (widen < 1 || widen > 20)
      return fail(fmt::format("widen = {} is out of range (allowed: 1..20)", widen));
  } else if (arch == Arch::kAirbench) {
    if (depth != 8)
      return fail(fmt::format("depth = {} (airbench has depth 8: its layers with weights)", depth));
    if (activation == Activation::kSigmoid)
      return fail(
          "activation = 'sigmoid' is not offered for airbench (allowed: gelu, relu, softplus)");
  } else if (depth != 16) {
    return fail(fmt::format("depth = {} (vgg16 has depth 16)", depth));
  }
  if (activation == Activation::kGelu && arch != Arch::kAirbench)
    return fail("activation = 'gelu' is offered for airbench only");
  if (width < 1 || width > 512)
    return fail(fmt::format("width = {} is out of range (allowed: 1..512)", width));
  return true;
}

std::string ModelSpec::Describe() const {
  std::string name;
  if (arch == Arch::kPreResNet)
    name = fmt::format("preresnet-{}{} width {}", depth,
                       block == BlockType::kBottleneck ? "-bottleneck" : "", width);
  else if (arch == Arch::kWideResNet)
    name = fmt::format("wrn-{}-{} width {}", depth, widen, width);
  else if (arch == Arch::kAirbench)
    name = fmt::format("airbench width {}", width);
  else
    name = fmt::format("vgg16 width {}", width);
  return fmt::format("{} {} {} bn-init {}", name, batch_norm ? "BN" : "no-BN",
                     ActivationToString(activation), BnInitToString(bn_init));
}

}  // namespace valleys::realnets
