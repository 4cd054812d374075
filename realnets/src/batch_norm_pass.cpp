#include "batch_norm_pass.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <ATen/Parallel.h>

namespace valleys::realnets::detail {

namespace {

// A task sums up to kRunLength rows (pixels) into `lanes` float accumulators: the largest
// multiple of the channel count up to kLanes (the channel count itself when larger). The tasks'
// sums are added in double, in task order.
constexpr int64_t kLanes = 64;
constexpr int64_t kRunLength = 1024;
constexpr int64_t kShiftRows = 256;

bool FastPathApplies(const torch::Tensor& x) {
  return x.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.dim() == 4 &&
         x.is_contiguous(torch::MemoryFormat::ChannelsLast) && x.numel() / x.size(1) >= 2;
}

}  // namespace

ChannelMoments ChannelsLastMoments(const torch::Tensor& x) {
  if (!FastPathApplies(x))
    throw std::invalid_argument(
        "ChannelsLastMoments: the tensor must be a channels-last float CPU tensor [N, C, H, W] "
        "with N * H * W >= 2");
  const int64_t channels = x.size(1), rows = x.numel() / channels;
  const float* data = x.data_ptr<float>();  // [rows, channels]: the channels-last layout
  // k rows at a time as one flat run of `lanes` values, so that the inner loop is long enough to
  // vectorize even for a few channels; lane j holds channel j % channels.
  const int64_t k = std::max<int64_t>(1, kLanes / channels), lanes = k * channels;
  const int64_t rows_per_task = k * (kRunLength / k);
  const int64_t tasks = (rows + rows_per_task - 1) / rows_per_task;
  // The shift: each channel's mean over the first rows (up to kShiftRows), so that the float
  // sums below add centred values.
  const int64_t shift_rows = std::min(rows, kShiftRows);
  std::vector<double> first_mean(static_cast<std::size_t>(channels), 0.0);
  for (int64_t r = 0; r < shift_rows; ++r)
    for (int64_t c = 0; c < channels; ++c) first_mean[c] += data[r * channels + c];
  std::vector<float> shift(static_cast<std::size_t>(lanes));
  for (int64_t j = 0; j < lanes; ++j)
    shift[j] = static_cast<float>(first_mean[j % channels] / static_cast<double>(shift_rows));
  // Per task: sums of (v - shift) and (v - shift)^2 per channel.
  std::vector<double> partial(static_cast<std::size_t>(tasks * channels * 2), 0.0);
  at::parallel_for(0, tasks, 1, [&](int64_t first, int64_t last) {
    std::vector<float> sum(static_cast<std::size_t>(lanes)), squares(sum.size());
    for (int64_t task = first; task < last; ++task) {
      std::fill(sum.begin(), sum.end(), 0.0f);
      std::fill(squares.begin(), squares.end(), 0.0f);
      const int64_t begin = task * rows_per_task;
      const int64_t end = std::min(rows, begin + rows_per_task);
      const int64_t whole = begin + (end - begin) / k * k;
      float* s = sum.data();
      float* q = squares.data();
      const float* h = shift.data();
      for (int64_t r = begin; r < whole; r += k) {
        const float* run = data + r * channels;
        for (int64_t j = 0; j < lanes; ++j) {
          const float v = run[j] - h[j];
          s[j] += v;
          q[j] += v * v;
        }
      }
      for (int64_t r = whole; r < end; ++r)  // the last task's leftover rows
        for (int64_t c = 0; c < channels; ++c) {
          const float v = data[r * channels + c] - h[c];
          s[c] += v;
          q[c] += v * v;
        }
      double* out = partial.data() + task * channels * 2;
      for (int64_t j = 0; j < lanes; ++j) {
        out[j % channels] += s[j];
        out[channels + j % channels] += q[j];
      }
    }
  });
  torch::Tensor mean = torch::empty({channels}, torch::kFloat64);
  torch::Tensor variance = torch::empty({channels}, torch::kFloat64);
  double* m = mean.data_ptr<double>();
  double* var = variance.data_ptr<double>();
  for (int64_t c = 0; c < channels; ++c) {
    double s = 0, q = 0;
    for (int64_t task = 0; task < tasks; ++task) {
      s += partial[static_cast<std::size_t>(task * channels * 2 + c)];
      q += partial[static_cast<std::size_t>(task * channels * 2 + channels + c)];
    }
    const double shifted_mean = s / static_cast<double>(rows);
    m[c] = static_cast<double>(shift[c]) + shifted_mean;
    var[c] = std::max(0.0, q / static_cast<double>(rows) - shifted_mean * shifted_mean);
  }
  return {mean, variance};
}

torch::Tensor BatchNormTrainWithoutGrad(torch::nn::BatchNorm2dImpl& bn, const torch::Tensor& x) {
  if (!FastPathApplies(x) || torch::GradMode::is_enabled()) return bn.forward(x);
  const ChannelMoments moments = ChannelsLastMoments(x);
  const auto& o = bn.options;
  if (o.track_running_stats() && bn.running_mean.defined()) {
    double factor = o.momentum() ? *o.momentum() : 0.0;
    if (bn.num_batches_tracked.defined()) {
      bn.num_batches_tracked += 1;
      if (!o.momentum()) factor = 1.0 / bn.num_batches_tracked.item<double>();
    }
    const double n = static_cast<double>(x.numel() / x.size(1));
    const torch::Tensor unbiased = moments.variance * (n / (n - 1));
    // In double, as LibTorch's CPU update does, then stored in the buffers' float.
    bn.running_mean.copy_(bn.running_mean.to(torch::kFloat64) * (1 - factor) +
                          moments.mean * factor);
    bn.running_var.copy_(bn.running_var.to(torch::kFloat64) * (1 - factor) + unbiased * factor);
  }
  // The eval-mode kernel with the batch's own statistics: (x - mean) / sqrt(var + eps) * w + b.
  return torch::batch_norm(x, bn.weight, bn.bias, moments.mean.to(torch::kFloat32),
                           moments.variance.to(torch::kFloat32), /*training=*/false,
                           /*momentum=*/0.0, o.eps(), /*cudnn_enabled=*/false);
}

}  // namespace valleys::realnets::detail
