// Shared LibTorch plumbing of training and probes (internal): data as device tensors, evaluation,
// parameter copies.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "models.hpp"

namespace valleys::realnets::detail {

// Normalized [N, 3, 32, 32] float images and int64 labels, resident on one device.
struct Data {
  torch::Tensor x, y;
  int64_t size() const { return x.size(0); }
};

// The first `limit` (0: all) images of the training or test split, normalized with the CIFAR-10
// mean and std, on `device`. Files are read once per process (decompression is the slow part).
Data LoadData(const TrainOptions& options, bool train, int limit);

torch::Device DeviceOf(const TrainOptions& options);

struct Eval {
  double loss = 0, acc = 0;  // mean cross-entropy (nats), accuracy (0..1)
};

// Puts `net` in eval mode and evaluates it in batches (128 images on the CPU, 1000 on the GPU).
// With `augment`, each batch is augmented first (the authors' loader).
Eval Evaluate(const Net& net, const Data& d, bool augment = false);
// The same over any forward pass (the caller sets eval mode): sums of the batch losses in double.
Eval EvaluateWith(const std::function<torch::Tensor(const torch::Tensor&)>& forward, const Data& d,
                  bool augment = false);

std::vector<torch::Tensor> CloneParameters(const Net& net);
void CopyParameters(const Net& net, const std::vector<torch::Tensor>& values);

// A new network of `options.model` on the options' device, with the checkpoint's weights and BN
// buffers.
// The checkpoint's file SHA-256 (checked against its sum file) goes to *sha256 when given.
Net LoadCheckpoint(const TrainOptions& options, const std::string& checkpoint,
                   std::string* sha256 = nullptr);

void SetThreads(const TrainOptions& options);

// Moves `net` to the options' device and stores its 4-D weights channels-last (NHWC), the layout
// oneDNN's CPU convolutions run fastest in (measured 1.3-2.6x, docs/benchmarks.md). Every network
// goes through here after it is built or loaded, so trained and resumed runs see the same layout.
void PlaceNet(const Net& net, const TrainOptions& options);

// Images are stored channels-last too.
inline torch::Tensor ChannelsLast(const torch::Tensor& images) {
  return images.contiguous(torch::MemoryFormat::ChannelsLast);
}

}  // namespace valleys::realnets::detail
