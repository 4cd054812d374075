#include "models.hpp"

#include "valleys/io/atomic_file.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "airbench_net.hpp"
#include "batch_norm_pass.hpp"
#include "valleys/realnets/cifar.hpp"

namespace valleys::realnets {

namespace detail {

namespace {

torch::nn::AnyModule Norm(const ModelSpec& spec, int channels) {
  if (!spec.batch_norm) return torch::nn::AnyModule(torch::nn::Identity());
  return torch::nn::AnyModule(torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(channels)));
}

// Conv init N(0, 2 / (k^2 C_out)) (He et al., as in the SWA reference code); bias zero.
torch::nn::Conv2d Conv(int in, int out, int k, int stride, bool bias = false) {
  torch::nn::Conv2d c(
      torch::nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2).bias(bias));
  torch::NoGradGuard guard;
  c->weight.normal_(0.0, std::sqrt(2.0 / (k * k * out)));
  if (bias) c->bias.zero_();
  return c;
}

// A norm layer (BN or identity) applied to `x`. A BN in train mode goes through
// BatchNormTrainWithoutGrad, the fast path of the BN-recompute passes (it hands autograd passes
// back to the module).
torch::Tensor Normalize(torch::nn::AnyModule& norm, const torch::Tensor& x) {
  if (auto* bn = dynamic_cast<torch::nn::BatchNorm2dImpl*>(norm.ptr().get());
      bn && bn->is_training())
    return BatchNormTrainWithoutGrad(*bn, x);
  return norm.forward(x);
}

torch::Tensor Activate(Activation activation, const torch::Tensor& x) {
  if (activation == Activation::kSigmoid) return torch::sigmoid(x);
  if (activation == Activation::kSoftplus) return torch::softplus(x);
  return torch::relu(x);
}

// In place where autograd allows it (relu and sigmoid keep their output for the backward pass,
// softplus its input). Contract: `x` is a fresh result (a BN's or a convolution's output) that
// nothing else reads.
torch::Tensor ActivateInPlace(Activation activation, torch::Tensor x) {
  if (activation == Activation::kSigmoid) return x.sigmoid_();
  if (activation == Activation::kSoftplus) return torch::softplus(x);
  return x.relu_();
}

// conv followed by an eval-mode BN as one convolution: the BN is the per-channel affine map
// y = a (z - mean) + beta with a = gamma / sqrt(var + eps), so conv(x; W) then BN equals
// conv(x; a W) + (beta - a mean), up to rounding. One elementwise pass less per folded BN.
// A convolution with its own bias c folds to bias beta + a (c - mean).
torch::Tensor FoldedConv(const torch::nn::Conv2d& conv, const torch::nn::BatchNorm2dImpl& bn,
                         const torch::Tensor& x, int stride, int padding) {
  const torch::Tensor a = bn.weight * torch::rsqrt(bn.running_var + bn.options.eps());
  const torch::Tensor w = conv->weight * a.view({-1, 1, 1, 1});
  const torch::Tensor mean = conv->options.bias() ? bn.running_mean - conv->bias : bn.running_mean;
  return torch::conv2d(x, w, bn.bias - mean * a, stride, padding);
}

// BN gamma per spec.bn_init, beta 0 (LibTorch's default).
void InitBatchNorm(NetImpl& net, const ModelSpec& spec) {
  torch::NoGradGuard guard;
  for (auto& m : net.modules(false))
    if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(m)) {
      if (spec.bn_init == BnInit::kOnes) bn->weight.fill_(1.0);
      if (spec.bn_init == BnInit::kUniform01) bn->weight.uniform_(0.0, 1.0);
      if (spec.bn_init == BnInit::kNormal01) bn->weight.normal_(0.0, 0.1);
    }
}

// Pre-activation residual network: conv3x3 stem -> 3 stages -> BN-act-avgpool-FC. Basic blocks
// BN-act-conv3x3-BN-act-conv3x3; bottleneck blocks BN-act-conv1x1-BN-act-conv3x3-BN-act-conv1x1
// (x4 expansion). A 1x1-conv shortcut (on the pre-activated input) where the shape changes; the
// first block of stages 2 and 3 has stride 2. Used for PreResNet (stem = stage-1 width) and
// WideResNet (stem 16 * width / 16, stages widen * (w, 2w, 4w)).
class ResidualNetImpl : public NetImpl {
 public:
  ResidualNetImpl(const ModelSpec& spec, int stem_width, int stage_width, int blocks_per_stage,
                  bool bottleneck)
      : activation_(spec.activation) {
    const int expansion = bottleneck ? 4 : 1;
    stem_ = register_module("stem", Conv(3, stem_width, 3, 1));
    int in = stem_width, index = 0;
    for (int stage = 0; stage < 3; ++stage) {
      const int planes = stage_width << stage, out = planes * expansion;
      for (int b = 0; b < blocks_per_stage; ++b, ++index) {
        const int stride = (stage > 0 && b == 0) ? 2 : 1;
        const std::string name = fmt::format("block{}", index);
        Block block;
        if (bottleneck) {
          block.convs = {Conv(in, planes, 1, 1), Conv(planes, planes, 3, stride),
                         Conv(planes, out, 1, 1)};
          block.strides = {1, stride, 1};
          block.paddings = {0, 1, 0};
          block.norms = {Norm(spec, in), Norm(spec, planes), Norm(spec, planes)};
        } else {
          block.convs = {Conv(in, out, 3, stride), Conv(out, out, 3, 1)};
          block.strides = {stride, 1};
          block.paddings = {1, 1};
          block.norms = {Norm(spec, in), Norm(spec, out)};
        }
        if (spec.batch_norm)
          for (auto& n : block.norms)
            block.bns.push_back(std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(n.ptr()));
        for (std::size_t k = 0; k < block.convs.size(); ++k) {
          register_module(fmt::format("{}_bn{}", name, k + 1), block.norms[k].ptr());
          register_module(fmt::format("{}_conv{}", name, k + 1), block.convs[k]);
        }
        if (stride != 1 || in != out)
          block.shortcut = register_module(name + "_shortcut", Conv(in, out, 1, stride));
        blocks_.push_back(std::move(block));
        in = out;
      }
    }
    final_bn_ = Norm(spec, in);
    register_module("final_bn", final_bn_.ptr());
    fc_ = register_module("fc", torch::nn::Linear(in, 10));
    InitBatchNorm(*this, spec);
  }

  // Eval mode with BN: the BNs that follow a convolution are folded into it (FoldedConv).
  torch::Tensor forward(torch::Tensor x) override {
    const bool fold = !is_training();
    x = stem_->forward(x);
    for (auto& b : blocks_) {
      // Without BN, norms[0] returns x itself, which the skip connection still reads.
      torch::Tensor h = b.bns.empty() ? Activate(activation_, x)
                                      : ActivateInPlace(activation_, Normalize(b.norms[0], x));
      const torch::Tensor skip = b.shortcut ? b.shortcut->forward(h) : x;
      const std::size_t last = b.convs.size() - 1;
      for (std::size_t k = 0; k < last; ++k) {
        h = fold && !b.bns.empty()
                ? FoldedConv(b.convs[k], *b.bns[k + 1], h, b.strides[k], b.paddings[k])
                : Normalize(b.norms[k + 1], b.convs[k]->forward(h));
        h = ActivateInPlace(activation_, h);
      }
      x = b.convs[last]->forward(h).add_(skip);
    }
    x = ActivateInPlace(activation_, Normalize(final_bn_, x));  // a BN's output, or the last sum
    x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
    return fc_->forward(x);
  }

 private:
  struct Block {
    std::vector<torch::nn::AnyModule> norms;                       // BN or identity
    std::vector<std::shared_ptr<torch::nn::BatchNorm2dImpl>> bns;  // the BNs; empty without BN
    std::vector<torch::nn::Conv2d> convs;
    std::vector<int> strides, paddings;  // of convs
    torch::nn::Conv2d shortcut{nullptr};
  };
  Activation activation_;
  torch::nn::Conv2d stem_{nullptr};
  std::vector<Block> blocks_;
  torch::nn::AnyModule final_bn_;
  torch::nn::Linear fc_{nullptr};
};

// VGG-16 (configuration D) as in the SWA reference code: 13 conv3x3 layers with bias, each followed
// by BN (or nothing) and the activation, max-pooling after blocks 2, 4, 7, 10, 13; then
// FC(8w, 8w)-act-FC(8w, 8w)-act-FC(8w, 10). Channels w, 2w, 4w, 8w, 8w (w = 64 is the standard
// VGG-16). The reference code's dropout before the FC layers is left out: it would make every probe
// point random.
class Vgg16Impl : public NetImpl {
 public:
  explicit Vgg16Impl(const ModelSpec& spec) : activation_(spec.activation) {
    const int w = spec.width;
    const std::vector<int> config = {w, w,     0,     2 * w, 2 * w, 0,     4 * w, 4 * w, 4 * w,
                                     0, 8 * w, 8 * w, 8 * w, 0,     8 * w, 8 * w, 8 * w, 0};
    int in = 3, index = 0;
    for (int c : config) {
      if (c == 0) {
        layers_.push_back({});
        continue;
      }
      Layer layer;
      layer.conv = register_module(fmt::format("conv{}", index), Conv(in, c, 3, 1, true));
      layer.norm = Norm(spec, c);
      register_module(fmt::format("conv{}_bn", index), layer.norm.ptr());
      layer.bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(layer.norm.ptr());
      layers_.push_back(layer);
      in = c;
      ++index;
    }
    fc1_ = register_module("fc1", torch::nn::Linear(in, 8 * w));
    fc2_ = register_module("fc2", torch::nn::Linear(8 * w, 8 * w));
    fc3_ = register_module("fc3", torch::nn::Linear(8 * w, 10));
    InitBatchNorm(*this, spec);
  }

  torch::Tensor forward(torch::Tensor x) override {
    for (auto& l : layers_)
      if (!l.conv)
        x = torch::max_pool2d(x, 2, 2);
      else if (l.bn && !is_training())  // eval mode: the BN folded into the convolution
        x = ActivateInPlace(activation_, FoldedConv(l.conv, *l.bn, x, 1, 1));
      else
        x = ActivateInPlace(activation_, Normalize(l.norm, l.conv->forward(x)));
    x = x.flatten(1);
    x = Activate(activation_, fc1_->forward(x));
    x = Activate(activation_, fc2_->forward(x));
    return fc3_->forward(x);
  }

 private:
  struct Layer {
    torch::nn::Conv2d conv{nullptr};                 // null: max-pool
    torch::nn::AnyModule norm;                       // BN or identity
    std::shared_ptr<torch::nn::BatchNorm2dImpl> bn;  // the BN; null without BN
  };
  Activation activation_;
  std::vector<Layer> layers_;
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr}, fc3_{nullptr};
};

}  // namespace

namespace {
Net BuildModel(const ModelSpec& spec) {
  if (spec.arch == Arch::kAirbench) return MakeAirbenchNet(spec);
  if (spec.arch == Arch::kVgg16) return std::make_shared<Vgg16Impl>(spec);
  if (spec.arch == Arch::kWideResNet)
    return std::make_shared<ResidualNetImpl>(spec, spec.width, spec.width * spec.widen,
                                             (spec.depth - 4) / 6, false);
  const bool bottleneck = spec.block == BlockType::kBottleneck;
  return std::make_shared<ResidualNetImpl>(spec, spec.width, spec.width,
                                           (spec.depth - 2) / (bottleneck ? 9 : 6), bottleneck);
}

constexpr const char* kModelKey = "valleys_model";
}  // namespace

Net MakeModel(const ModelSpec& spec) {
  std::string why;
  if (!spec.IsValid(&why)) throw std::invalid_argument(why);
  Net net = BuildModel(spec);
  net->description = spec.Describe();
  return net;
}

void SaveNet(const Net& net, const std::string& path) {
  // Serialized in memory, then written by WriteFileAtomically: LibTorch's file writer throws from
  // its destructor on a full disk (std::terminate), where this gives an error naming the file.
  torch::serialize::OutputArchive archive;
  net->save(archive);
  archive.write(kModelKey, c10::IValue(net->description));
  std::ostringstream bytes;
  archive.save_to(bytes);
  io::WriteFileAtomically(path, bytes.str());
  WriteChecksumFile(path);
}

std::string LoadNet(const Net& net, const std::string& path) {
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("checkpoint '{}' does not exist (train first)", path));
  const std::string sha256 = VerifyChecksumFile(path);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, torch::Device(torch::kCPU));
    c10::IValue stored;
    if (archive.try_read(kModelKey, stored) && stored.isString() &&
        stored.toStringRef() != net->description)
      throw std::invalid_argument(fmt::format(
          "checkpoint '{}' holds the network '{}', but the model options describe '{}' (give "
          "the checkpoint's architecture)",
          path, stored.toStringRef(), net->description));
    net->load(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(fmt::format("checkpoint '{}' does not fit the model ({})", path,
                                         e.what_without_backtrace()));
  }
  return sha256;
}

std::set<std::string> BatchNormParameterNames(const Net& net) {
  std::set<std::string> names;
  for (const auto& m : net->named_modules("", false))
    if (std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(m.value()))
      for (const auto& p : m.value()->named_parameters(false))
        names.insert(m.key() + "." + p.key());
  return names;
}

void RecomputeBatchNorm(const Net& net, const torch::Tensor& images, int batch, bool augment,
                        int max_batches) {
  std::vector<std::shared_ptr<torch::nn::BatchNorm2dImpl>> norms;
  for (auto& m : net->modules(false))
    if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(m)) norms.push_back(bn);
  if (norms.empty()) return;
  std::vector<c10::optional<double>> momenta;
  for (auto& bn : norms) {
    momenta.push_back(bn->options.momentum());
    bn->reset_running_stats();
    bn->options.momentum({});  // no momentum: a cumulative (equal-weight) average
  }
  c10::InferenceMode guard;
  net->train();
  const int64_t n = images.size(0);
  int batches = 0;
  for (int64_t i = 0; i < n && (max_batches == 0 || batches < max_batches); i += batch, ++batches) {
    const torch::Tensor xb = images.narrow(0, i, std::min<int64_t>(batch, n - i));
    net->forward(augment ? Augment(xb).contiguous(torch::MemoryFormat::ChannelsLast) : xb);
  }
  for (std::size_t i = 0; i < norms.size(); ++i) norms[i]->options.momentum(momenta[i]);
  net->eval();
}

torch::Tensor Augment(const torch::Tensor& batch) {
  const int64_t n = batch.size(0);
  const auto device = batch.device();
  const torch::Tensor offsets = torch::randint(0, 9, {n, 2}, torch::kInt64).to(device);
  const torch::Tensor flips = (torch::rand({n}) < 0.5).to(device);
  const torch::Tensor padded = torch::constant_pad_nd(batch, {4, 4, 4, 4}, 0);
  const torch::Tensor ar = torch::arange(32, torch::TensorOptions(torch::kInt64).device(device));
  const torch::Tensor rows = offsets.narrow(1, 0, 1) + ar;  // [n, 32]
  const torch::Tensor cols =
      torch::where(flips.unsqueeze(1), 31 - ar, ar) + offsets.narrow(1, 1, 1);  // [n, 32]
  const torch::Tensor picked_rows =
      padded.gather(2, rows.view({n, 1, 32, 1}).expand({n, batch.size(1), 32, 40}));
  return picked_rows.gather(3, cols.view({n, 1, 1, 32}).expand({n, batch.size(1), 32, 32}));
}

torch::Tensor FilterNormalize(const torch::Tensor& d, const torch::Tensor& w, bool copy_1d) {
  if (w.dim() <= 1) return copy_1d ? w.clone() : torch::zeros_like(w);
  const int64_t filters = w.size(0);
  const torch::Tensor wn = w.reshape({filters, -1}).norm(2, 1, true);
  const torch::Tensor dn = d.reshape({filters, -1}).norm(2, 1, true);
  return (d.reshape({filters, -1}) * wn / (dn + 1e-10)).reshape(w.sizes());
}

}  // namespace detail

long long CountParameters(const ModelSpec& spec) {
  // Every output's metadata names the count: built once per architecture (a WRN-28-10 has 36M
  // parameters to allocate and initialize).
  static std::mutex mutex;
  static std::map<std::string, long long> counted;
  const std::string key = spec.Describe();
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (const auto it = counted.find(key); it != counted.end()) return it->second;
  }
  // The weights' draws must not move LibTorch's global random stream (training shuffles and
  // augments with it): its state is put back.
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  const torch::Tensor state = generator.get_state();
  long long n = 0;
  for (const auto& p : detail::MakeModel(spec)->parameters()) n += p.numel();
  generator.set_state(state);
  std::lock_guard<std::mutex> lock(mutex);
  counted[key] = n;
  return n;
}

}  // namespace valleys::realnets
