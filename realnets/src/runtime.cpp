#include "runtime.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>

#include <fmt/format.h>

#include "scripted_model.hpp"

namespace valleys::realnets {

bool DeviceAvailable(Device device) {
  return device == Device::kCpu || torch::cuda::is_available();
}

namespace {
// A checkpoint of the run folder is named (sgd, swa, sgd_after_swa, ...); anything with a dot or
// a slash is a file path, used as given.
bool IsRunCheckpointName(const std::string& checkpoint) {
  return !checkpoint.empty() && checkpoint.find_first_of("./") == std::string::npos;
}
}  // namespace

std::string CheckpointPath(const TrainOptions& base, const std::string& checkpoint) {
  if (!IsRunCheckpointName(checkpoint)) return checkpoint;
  return (std::filesystem::path(base.out_dir) / (checkpoint + ".pt")).string();
}

std::string CheckpointName(const std::string& checkpoint) {
  if (!IsRunCheckpointName(checkpoint)) return std::filesystem::path(checkpoint).stem().string();
  return checkpoint;
}

namespace detail {

namespace {
const CifarSplit& CachedSplit(const std::string& dir, Subset subset, bool train) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<CifarSplit>> cache;
  const std::string key = fmt::format("{}|{}|{}", dir, static_cast<int>(subset), train);
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[key];
  if (!slot)
    slot = std::make_shared<CifarSplit>(train ? LoadTrain(dir, subset) : LoadTest(dir, subset));
  return *slot;
}
}  // namespace

torch::Device DeviceOf(const TrainOptions& o) {
  return o.device == Device::kCuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
}

Data LoadData(const TrainOptions& o, bool train, int limit) {
  const std::string& file = train ? o.train_data : o.test_data;
  if (!file.empty())
    return LoadTensorData(file, limit, DeviceOf(o),
                          train ? "TrainOptions::train_data" : "TrainOptions::test_data");
  const CifarSplit& split = CachedSplit(o.data_dir, o.subset, train);
  const int n = limit > 0 ? std::min(limit, split.size()) : split.size();
  torch::Tensor x = torch::from_blob(const_cast<std::uint8_t*>(split.pixels.data()), {n, 3, 32, 32},
                                     torch::kUInt8)
                        .to(torch::kFloat32)
                        .div_(255.0);
  const torch::Tensor mean = torch::tensor({0.4914f, 0.4822f, 0.4465f}).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor({0.2023f, 0.1994f, 0.2010f}).view({1, 3, 1, 1});
  x = ChannelsLast((x - mean) / std);
  torch::Tensor y =
      torch::from_blob(const_cast<std::uint8_t*>(split.labels.data()), {n}, torch::kUInt8)
          .to(torch::kInt64);
  const torch::Device device = DeviceOf(o);
  return {x.to(device), y.to(device)};
}

// Evaluation batch. CPU: the fastest measured on 2 cores (128 beat 256, 500 and 1000), and small
// enough that a layer's activations stay below the mmap threshold set by the CLI. GPU: large
// batches, so that kernel launches do not dominate. The sums are the same up to rounding.
namespace {
int64_t EvalBatch(const torch::Device& device) {
  return device.is_cuda() ? 1000 : 128;
}
}  // namespace

Eval EvaluateWith(const std::function<torch::Tensor(const torch::Tensor&)>& forward, const Data& d,
                  bool augment) {
  c10::InferenceMode guard;  // no autograd bookkeeping at all (lighter than NoGradGuard)
  torch::Tensor loss = torch::zeros({}, d.x.options().dtype(torch::kFloat64));
  torch::Tensor correct = torch::zeros({}, d.x.options().dtype(torch::kFloat64));
  const int64_t n = d.size(), batch = EvalBatch(d.x.device());
  for (int64_t i = 0; i < n; i += batch) {
    const int64_t m = std::min<int64_t>(batch, n - i);
    torch::Tensor xb = d.x.narrow(0, i, m);
    if (augment) xb = ChannelsLast(Augment(xb));
    const torch::Tensor out = forward(xb);
    const torch::Tensor yb = d.y.narrow(0, i, m);
    loss += torch::cross_entropy_loss(out, yb, {}, torch::Reduction::Sum).to(torch::kFloat64);
    correct += out.argmax(1).eq(yb).sum().to(torch::kFloat64);
  }
  return {loss.item<double>() / static_cast<double>(n),
          correct.item<double>() / static_cast<double>(n)};
}

Eval Evaluate(const Net& net, const Data& d, bool augment) {
  net->eval();
  return EvaluateWith([&net](const torch::Tensor& x) { return net->forward(x); }, d, augment);
}

std::vector<torch::Tensor> CloneParameters(const Net& net) {
  std::vector<torch::Tensor> out;
  for (const auto& p : net->parameters()) out.push_back(p.detach().clone());
  return out;
}

void CopyParameters(const Net& net, const std::vector<torch::Tensor>& values) {
  torch::NoGradGuard guard;
  auto params = net->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(values[i]);
}

Net LoadCheckpoint(const TrainOptions& o, const std::string& checkpoint, std::string* sha256) {
  Net net = MakeModel(o.model);
  const std::string sum = LoadNet(net, CheckpointPath(o, checkpoint));
  if (sha256) *sha256 = sum;
  PlaceNet(net, o);
  return net;
}

void PlaceNet(const Net& net, const TrainOptions& o) {
  net->to(DeviceOf(o));
  torch::NoGradGuard guard;
  for (auto& p : net->parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
}

void SetThreads(const TrainOptions& o) {
  torch::set_num_threads(o.threads);
  // oneDNN's AVX2 convolution kernels (LibTorch 1.13 as Debian ships it) write out of bounds on
  // stages of fewer than 8 channels: PreResNet of width 4 corrupts the heap on an AVX2-only CPU,
  // while widths 8 and up are fine. Such networks use LibTorch's own convolutions; every other
  // one keeps oneDNN. The numbers agree up to rounding either way.
  const int narrowest = o.model.width * std::max(1, o.model.widen);
  at::globalContext().setUserEnabledMkldnn(narrowest >= 8);
}

}  // namespace detail
}  // namespace valleys::realnets
