// The networks of the model zoo, as data: architecture, depth, width, BN and activation. This
// header has no LibTorch types; the networks themselves are built in models.cpp.
#pragma once

#include <string>

#include "valleys/realnets/types.hpp"

namespace valleys::realnets {

struct ModelSpec {
  Arch arch = Arch::kPreResNet;
  BlockType block = BlockType::kBasic;  // preresnet: basic (depth 6k + 2) | bottleneck (9k + 2)
  int depth = 8;  // preresnet: 20 = PreResNet-20, 164 (bottleneck) = PreResNet-164; wrn: 6n + 4
                  // (28 = WRN-28); vgg16: 16; airbench: 8 (its layers with weights)
  int width = 8;  // channels of the first stage (standard: preresnet 16, wrn 16, vgg16 64,
                  // airbench 64: groups of 64, 256, 256)
  int widen = 1;  // wrn: widening factor k (WRN-28-10: 10); stage widths widen * (w, 2w, 4w)
  bool batch_norm = true;  // false: BN layers replaced by identities (the BN-free twin)
  Activation activation = Activation::kRelu;  // gelu: airbench only (its standard)
  // BN gamma: ones | uniform01 | normal01 (N(0, 0.1)). airbench with ones: BN without a scale
  // parameter (the bias only, airbench94's BN); with the others a trained scale so initialized.
  BnInit bn_init = BnInit::kOnes;
  bool IsValid(std::string* why) const;
  std::string Describe() const;
};

long long CountParameters(const ModelSpec& spec);

// Whether this LibTorch can run on `device` (the CPU always; CUDA when built with CUDA and a GPU is
// present).
bool DeviceAvailable(Device device);

}  // namespace valleys::realnets
