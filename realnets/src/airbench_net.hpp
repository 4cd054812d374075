// The airbench-class network of the model zoo (internal header: includes LibTorch), after Keller
// Jordan's airbench94 (arXiv 2404.00498): a fixed 2x2 whitening convolution, three groups
// conv-pool-norm-act-conv-norm-act, a max-pool and a linear head. Its first layer and, in the
// BN-free twin, its scales are set from training images before training (InitFromData).
#pragma once

#include <torch/torch.h>

#include "models.hpp"

namespace valleys::realnets::detail {

// Builds the airbench network of `spec` (arch airbench; width w gives groups of w, 4w and 4w
// channels, airbench94's 64/256/256 at w = 64). Weights of LibTorch's default initialization (seed
// the default generator first), each group's first convolution the identity on its input channels.
// The whitening filters are zero until InitFromData.
Net MakeAirbenchNet(const ModelSpec& spec);

// Data-dependent initialization of an airbench network, deterministic given `images`:
//  - the whitening layer: the 24 filters +-v_i / sqrt(lambda_i + 5e-4) of the eigenpairs of the
//    covariance of all 2x2 patches of `images` (airbench94 uses 5,000 training images);
//  - the BN-free twin: each convolution (and the head) rescaled in order so that its output on
//    `images` (after its pooling) has unit variance, the LSUV initialization (Mishkin & Matas
//    2016), the stand-in for BN's normalization at the start of training.
// Throws std::invalid_argument when `net` is not an airbench network.
void InitFromData(const Net& net, const torch::Tensor& images);

// The names of the network's biases after each normalization (the BN biases, or the BN-free
// twin's per-channel biases): the recipe trains them at a higher rate.
bool IsNormBiasName(const std::string& parameter_name);
// The whitening layer's bias: the recipe trains it for the first 3 epochs only.
bool IsWhiteningBiasName(const std::string& parameter_name);

}  // namespace valleys::realnets::detail
