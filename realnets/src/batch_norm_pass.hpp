// The train-mode BatchNorm forward of the BN-recompute passes (internal header: includes LibTorch).
#pragma once

#include <torch/torch.h>

namespace valleys::realnets::detail {

// Per-channel mean and biased variance (float64 [C] each) of a channels-last float CPU tensor
// [N, C, H, W] over N, H and W, in one pass. Values are centred on each channel's mean over the
// first 256 rows (pixels) and summed in float over runs of at most 1,024 values; the runs' sums
// are added in double in a fixed order, so the result does not depend on the number of threads.
// Relative error against a double-precision computation below 1e-6 (tests/realnets). Throws
// std::invalid_argument for any other tensor, or N * H * W < 2.
struct ChannelMoments {
  torch::Tensor mean, variance;
};
ChannelMoments ChannelsLastMoments(const torch::Tensor& x);

// `bn`'s train-mode forward of `x` in a pass without autograd (grad mode off): the output is
// normalized with the batch's mean and biased variance, and the running statistics are updated as
// LibTorch's BatchNorm2d does (num_batches_tracked + 1; factor = momentum, or 1 /
// num_batches_tracked when momentum is none; the running variance takes the unbiased batch
// variance). Equal to bn.forward(x) in train mode up to float rounding, and 2.6x faster than
// LibTorch 1.13's CPU kernel on the narrow net's channels-last layers of 8-32 channels on 2 threads
// (bench/bn_pass_bench.cpp, docs/benchmarks.md). Other inputs (a GPU tensor, another layout or
// type, one value per channel) go to bn.forward(x) itself.
torch::Tensor BatchNormTrainWithoutGrad(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x);

}  // namespace valleys::realnets::detail
