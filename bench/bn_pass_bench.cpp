// The BN-recompute pass's train-mode BatchNorm (realnets/src/batch_norm_pass.cpp) against
// LibTorch's own BatchNorm2d forward, on the narrow net's seven BN layers (PreResNet-8 width 8,
// batch 128, channels-last), without autograd. Not a test: rounds alternate the two, and the
// medians are printed.
//   bench_bn_pass [THREADS] [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "batch_norm_pass.hpp"
#include "positive_argument.hpp"

namespace {

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Argument `index` (THREADS, ROUNDS) or `fallback` when absent; a bad one ends the program with
// one line and status 1.
int ArgumentOr(int argc, char** argv, int index, const char* name, int fallback) {
  if (argc <= index) return fallback;
  try {
    return valleys::bench::PositiveArgument(name, argv[index]);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "bench_bn_pass: error: %s\n", e.what());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = ArgumentOr(argc, argv, 1, "THREADS", 2);
  const int rounds = ArgumentOr(argc, argv, 2, "ROUNDS", 5);
  constexpr int kRepeats = 50;
  torch::set_num_threads(threads);
  torch::manual_seed(1);
  c10::InferenceMode guard;
  // (channels, height = width) of the narrow net's BN inputs, stem to final BN.
  const std::vector<std::pair<int, int>> shapes = {{8, 32},  {8, 32}, {8, 32}, {16, 16},
                                                   {16, 16}, {32, 8}, {32, 8}};
  std::vector<torch::Tensor> inputs;
  std::vector<torch::nn::BatchNorm2d> norms;
  for (const auto& [c, h] : shapes) {
    inputs.push_back(
        (torch::randn({128, c, h, h}) * 2 + 1).contiguous(torch::MemoryFormat::ChannelsLast));
    norms.emplace_back(torch::nn::BatchNorm2dOptions(c));
    norms.back()->train();
  }
  auto time_ms = [&](bool ours) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < kRepeats; ++r)
      for (std::size_t i = 0; i < inputs.size(); ++i)
        ours ? valleys::realnets::detail::BatchNormTrainWithoutGrad(*norms[i], inputs[i])
             : norms[i]->forward(inputs[i]);
    return 1e3 * std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
           kRepeats;
  };
  time_ms(false);  // warm-up
  time_ms(true);
  std::vector<double> theirs, ours;
  for (int round = 0; round < rounds; ++round) {
    theirs.push_back(time_ms(false));
    ours.push_back(time_ms(true));
  }
  std::printf(
      "train-mode BN, 7 layers of a batch of 128 (ms, median of %d rounds, %d threads): LibTorch "
      "%.2f, valleys' recompute pass %.2f: %.2fx\n",
      rounds, threads, Median(theirs), Median(ours), Median(theirs) / Median(ours));
  return 0;
}
