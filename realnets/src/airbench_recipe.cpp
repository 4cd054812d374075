#include "airbench_recipe.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airbench_net.hpp"
#include "state_files.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"

namespace valleys::realnets::detail {

namespace {

namespace fs = std::filesystem;

constexpr int kWhiteningImages = 5000;
constexpr int kWhiteningBiasEpochs = 3;
constexpr double kNormBiasRate = 64.0;
constexpr double kLabelSmoothing = 0.2;
constexpr int kLookaheadEvery = 5;
constexpr int kTranslate = 2;  // pixels

// A generator for one purpose of one epoch: SplitMix64 of (seed, stream, epoch).
at::Generator Stream(std::uint64_t seed, std::uint64_t stream, std::uint64_t epoch) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + (stream << 40) + epoch;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return at::detail::createCPUGenerator(z ^ (z >> 31));
}
enum : std::uint64_t { kFlipStream = 1, kCropStream = 2, kOrderStream = 3 };

// Every image of `padded` ([n, C, 32 + 2r, 32 + 2r]) cut to 32 x 32 at an offset drawn uniformly
// from {-r..r}^2.
torch::Tensor RandomCrops(const torch::Tensor& padded, int r, at::Generator& gen) {
  const int64_t n = padded.size(0), side = padded.size(2) - 2 * r;
  const torch::Tensor shifts = torch::randint(-r, r + 1, {n, 2}, gen, torch::kInt64);
  torch::Tensor out = torch::empty({n, padded.size(1), side, side}, padded.options())
                          .contiguous(torch::MemoryFormat::ChannelsLast);
  for (int sy = -r; sy <= r; ++sy)
    for (int sx = -r; sx <= r; ++sx) {
      const torch::Tensor idx = ((shifts.select(1, 0) == sy) & (shifts.select(1, 1) == sx))
                                    .nonzero()
                                    .flatten()
                                    .to(padded.device());
      if (idx.numel() == 0) continue;
      out.index_copy_(0, idx,
                      padded.index_select(0, idx).narrow(2, r + sy, side).narrow(3, r + sx, side));
    }
  return out;
}

struct Groups {
  std::vector<torch::Tensor> norm_biases, others;
  torch::Tensor whitening_bias;
};

Groups SplitParameters(const Net& net) {
  Groups g;
  for (const auto& p : net->named_parameters()) {
    if (IsNormBiasName(p.key()))
      g.norm_biases.push_back(p.value());
    else
      g.others.push_back(p.value());
    if (IsWhiteningBiasName(p.key())) g.whitening_bias = p.value();
  }
  return g;
}

// Every floating-point tensor of the network's state (parameters and buffers), in a fixed order:
// what the lookahead averages.
std::vector<torch::Tensor> FloatState(const Net& net) {
  std::vector<torch::Tensor> state;
  for (const auto& p : net->named_parameters()) state.push_back(p.value());
  for (const auto& b : net->named_buffers())
    if (b.value().is_floating_point()) state.push_back(b.value());
  return state;
}

std::vector<torch::Tensor> Clones(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> out;
  for (const auto& t : tensors) out.push_back(t.detach().clone());
  return out;
}

fs::path StatePath(const TrainOptions& o, int epoch, const char* part) {
  return fs::path(o.out_dir) / fmt::format("state_e{}.{}.pt", epoch, part);
}
constexpr const char* kStateParts[] = {"model", "optim", "lookahead", "swa"};

void SaveState(const TrainOptions& o, const TrainStateRecord& st, const Net& net,
               torch::optim::SGD& opt, const std::vector<torch::Tensor>& lookahead,
               const std::vector<torch::Tensor>& swa) {
  SaveNet(net, StatePath(o, st.epoch, "model").string());
  SaveAtomically(opt, StatePath(o, st.epoch, "optim"));
  SaveAtomically(lookahead, StatePath(o, st.epoch, "lookahead"));
  SaveAtomically(swa.empty() ? std::vector<torch::Tensor>{torch::zeros({1})} : swa,
                 StatePath(o, st.epoch, "swa"));
  const std::string meta = io::Metadata("realnets train state", nlohmann::json::object()).dump();
  io::WriteFileAtomically(fs::path(o.out_dir) / "state.json", SerializeTrainState(st, meta));
  if (st.epoch > 1)
    for (const char* part : kStateParts)
      for (const char* suffix : {"", ".sha256"})
        fs::remove(StatePath(o, st.epoch - 1, part).string() + suffix);
}

bool LoadState(const TrainOptions& o, TrainStateRecord& st, const Net& net, torch::optim::SGD& opt,
               std::vector<torch::Tensor>& lookahead, std::vector<torch::Tensor>& swa) {
  const fs::path file = fs::path(o.out_dir) / "state.json";
  if (!fs::exists(file)) return false;
  st = ParseTrainState(io::ReadFile(file), file.string());
  if (st.fingerprint != o.Fingerprint())
    throw std::invalid_argument(
        fmt::format("'{}' was saved with other options ({}); refusing to resume with ({})",
                    file.string(), st.fingerprint, o.Fingerprint()));
  LoadNet(net, StatePath(o, st.epoch, "model").string());
  PlaceNet(net, o);
  LoadChecked(opt, StatePath(o, st.epoch, "optim"));
  std::vector<torch::Tensor> saved;
  LoadChecked(saved, StatePath(o, st.epoch, "lookahead"));
  torch::NoGradGuard guard;
  for (std::size_t i = 0; i < lookahead.size() && i < saved.size(); ++i)
    lookahead[i].copy_(saved[i]);
  saved.clear();
  LoadChecked(saved, StatePath(o, st.epoch, "swa"));
  swa.clear();
  if (st.swa_n > 0)
    for (auto& t : saved) swa.push_back(t.to(DeviceOf(o)));
  return true;
}

}  // namespace

void AdaptiveGradientClip(const std::vector<torch::Tensor>& params, double lambda) {
  torch::NoGradGuard guard;
  for (const auto& p : params) {
    torch::Tensor g = p.grad();
    if (!g.defined()) continue;
    const auto unit_norms = [&](const torch::Tensor& t) {
      return t.dim() >= 2 ? t.flatten(1).norm(2, 1).view({-1, 1}) : t.norm().view({1, 1});
    };
    const torch::Tensor limit = lambda * unit_norms(p.detach()).clamp_min(1e-3);
    const torch::Tensor norm = unit_norms(g);
    const torch::Tensor scale =
        torch::where(norm > limit, limit / norm.clamp_min(1e-12), torch::ones_like(norm));
    // Broadcast over each unit's coordinates (views of any memory layout: channels-last too).
    std::vector<int64_t> shape(static_cast<std::size_t>(std::max<int64_t>(p.dim(), 1)), 1);
    if (p.dim() >= 2) shape[0] = p.size(0);
    g.mul_(p.dim() >= 2 ? scale.view(shape) : scale.squeeze());
  }
}

double AirbenchRateFactor(long long step, long long steps) {
  const double warm = std::floor(0.23 * static_cast<double>(steps));
  const double s = static_cast<double>(step);
  if (s < warm) return 0.2 + 0.8 * s / warm;
  return 1.0 + (0.07 - 1.0) * (s - warm) / (static_cast<double>(steps) - warm);
}

Eval TestTimeAugmented(const Net& net, const Data& d) {
  net->eval();
  c10::InferenceMode guard;
  const auto mirror = [&](const torch::Tensor& v) {
    return 0.5 * net->forward(v) + 0.5 * net->forward(ChannelsLast(v.flip(3)));
  };
  torch::Tensor loss = torch::zeros({}, d.x.options().dtype(torch::kFloat64));
  torch::Tensor correct = torch::zeros({}, d.x.options().dtype(torch::kFloat64));
  const int64_t n = d.size(), batch = d.x.is_cuda() ? 1000 : 256, side = d.x.size(2);
  for (int64_t i = 0; i < n; i += batch) {
    const int64_t m = std::min(batch, n - i);
    const torch::Tensor v = d.x.narrow(0, i, m), y = d.y.narrow(0, i, m);
    const torch::Tensor p = torch::reflection_pad2d(v, {1, 1, 1, 1});
    const torch::Tensor shifted =
        0.5 * (mirror(ChannelsLast(p.narrow(2, 0, side).narrow(3, 0, side))) +
               mirror(ChannelsLast(p.narrow(2, 2, side).narrow(3, 2, side))));
    const torch::Tensor logits = 0.5 * mirror(v) + 0.5 * shifted;
    loss += torch::cross_entropy_loss(logits, y, {}, torch::Reduction::Sum).to(torch::kFloat64);
    correct += logits.argmax(1).eq(y).sum().to(torch::kFloat64);
  }
  return {loss.item<double>() / static_cast<double>(n),
          correct.item<double>() / static_cast<double>(n)};
}

TrainSummary TrainAirbench(const TrainOptions& o,
                           const std::function<void(const EpochRow&)>& on_epoch,
                           const std::function<void(long long, long long)>& on_step) {
  SetThreads(o);
  torch::manual_seed(o.seed);
  const Data train = LoadData(o, true, o.train_size);
  const Data test = LoadData(o, false, o.test_size);
  const int64_t n = train.size();
  Net net = MakeModel(o.model);
  InitFromData(net, train.x.narrow(0, 0, std::min<int64_t>(kWhiteningImages, n)).to(torch::kCPU));
  PlaceNet(net, o);

  const int64_t batch = std::min<int64_t>(o.batch, n);
  const int64_t micro = o.micro_batch > 0 ? std::min<int64_t>(o.micro_batch, batch) : batch;
  const long long per_epoch = n / batch, decay_steps = per_epoch * o.epochs;
  const long long total_steps = per_epoch * TotalEpochs(o);
  Groups groups = SplitParameters(net);
  // BN biases at 64x the rate (BN keeps their layer's scale); the BN-free twin's biases at 1x.
  const double bias_rate = o.model.batch_norm ? kNormBiasRate : 1.0;
  const double bias_lr = o.lr_init * bias_rate;
  std::vector<torch::optim::OptimizerParamGroup> param_groups;
  param_groups.emplace_back(groups.norm_biases, std::make_unique<torch::optim::SGDOptions>(
                                                    torch::optim::SGDOptions(bias_lr)
                                                        .momentum(o.momentum)
                                                        .nesterov(o.momentum > 0)
                                                        .weight_decay(o.weight_decay / bias_rate)));
  param_groups.emplace_back(
      groups.others, std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(o.lr_init)
                                                                    .momentum(o.momentum)
                                                                    .nesterov(o.momentum > 0)
                                                                    .weight_decay(o.weight_decay)));
  torch::optim::SGD opt(param_groups, torch::optim::SGDOptions(o.lr_init));
  const double base_lr[2] = {bias_lr, o.lr_init};
  std::vector<torch::Tensor> clipped;  // adaptive clipping: every parameter but the head's
  for (const auto& p : net->named_parameters())
    if (p.key().rfind("head", 0) != 0) clipped.push_back(p.value());

  const std::vector<torch::Tensor> state = FloatState(net);
  std::vector<torch::Tensor> lookahead = Clones(state), swa;
  TrainSummary summary;
  for (const auto& p : net->parameters()) summary.parameters += p.numel();
  TrainStateRecord record;
  record.fingerprint = o.Fingerprint();
  if (!o.out_dir.empty()) io::EnsureDirectory(o.out_dir);
  if (o.resume && !o.out_dir.empty() && LoadState(o, record, net, opt, lookahead, swa)) {
    summary.epochs = record.rows;
    if (on_epoch)
      for (const auto& r : record.rows) on_epoch(r);
  }

  // The fixed half of the flip augmentation, then the reflection padding of the translations.
  torch::Tensor padded;
  {
    at::Generator gen = Stream(o.seed, kFlipStream, 0);
    const torch::Tensor flip = (torch::rand({n}, gen) < 0.5).to(train.x.device());
    const torch::Tensor base = torch::where(flip.view({-1, 1, 1, 1}), train.x.flip(3), train.x);
    padded = ChannelsLast(
        torch::reflection_pad2d(base, {kTranslate, kTranslate, kTranslate, kTranslate}));
  }
  // Epochs finished by an earlier (resumed) run count with their recorded seconds, so that a
  // resumed or already finished run reports the whole training's time and rate.
  double images = 0, train_seconds = 0;
  for (const auto& r : record.rows) {
    images += static_cast<double>(per_epoch * batch);
    train_seconds += r.seconds;
  }
  for (int epoch = record.epoch; epoch < TotalEpochs(o); ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const bool averaged = epoch >= o.epochs;
    net->train();
    at::Generator crop_gen = Stream(o.seed, kCropStream, static_cast<std::uint64_t>(epoch));
    at::Generator order_gen = Stream(o.seed, kOrderStream, static_cast<std::uint64_t>(epoch));
    torch::Tensor epoch_images = o.augment ? RandomCrops(padded, kTranslate, crop_gen) : train.x;
    if (o.augment && epoch % 2 == 1) epoch_images = ChannelsLast(epoch_images.flip(3));
    const torch::Tensor order = torch::randperm(n, order_gen, torch::kInt64).to(train.x.device());
    const bool whitening_trains = epoch < kWhiteningBiasEpochs;
    torch::Tensor loss_sum = torch::zeros({}, torch::kFloat64), correct = loss_sum.clone();
    std::vector<torch::Tensor> iterates;
    const bool recording = averaged && o.record_every > 0 && !o.out_dir.empty();
    EpochRow row;
    row.epoch = epoch + 1;
    for (long long i = 0; i < per_epoch; ++i) {
      const long long step = epoch * per_epoch + i;
      const double factor = averaged
                                ? o.swa_lr_factor
                                : AirbenchRateFactor(std::min(step, decay_steps - 1), decay_steps);
      for (std::size_t k = 0; k < opt.param_groups().size(); ++k)
        static_cast<torch::optim::SGDOptions&>(opt.param_groups()[k].options())
            .lr(base_lr[k] * factor);
      if (i == 0) row.lr = o.lr_init * factor;
      // The batch's mean loss, as the sum of its micro-batches' losses weighted by their sizes.
      opt.zero_grad();
      for (int64_t j = 0; j < batch; j += micro) {
        const int64_t m = std::min(micro, batch - j);
        const torch::Tensor idx = order.narrow(0, i * batch + j, m);
        const torch::Tensor xb = ChannelsLast(epoch_images.index_select(0, idx));
        const torch::Tensor yb = train.y.index_select(0, idx);
        const torch::Tensor out = net->forward(xb);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(
            out, yb,
            torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(kLabelSmoothing));
        if (!std::isfinite(loss.item<double>()))
          throw std::runtime_error(fmt::format(
              "training diverged: the loss of optimizer step {} (epoch {}) is {} (lower "
              "TrainOptions::lr_init, now {})",
              step + 1, epoch + 1, loss.item<double>(), o.lr_init));
        loss.mul(static_cast<double>(m) / static_cast<double>(batch)).backward();
        torch::NoGradGuard guard;
        loss_sum += torch::cross_entropy_loss(out.detach(), yb).to(torch::kCPU, torch::kFloat64) *
                    static_cast<double>(m);
        correct += out.argmax(1).eq(yb).sum().to(torch::kCPU, torch::kFloat64);
      }
      if (!whitening_trains) groups.whitening_bias.mutable_grad() = torch::Tensor();
      if (o.adaptive_clip > 0) AdaptiveGradientClip(clipped, o.adaptive_clip);
      opt.step();
      torch::NoGradGuard guard;
      const long long done = step + 1;
      if (!averaged && (done % kLookaheadEvery == 0 || done == decay_steps)) {
        const double decay =
            done == decay_steps
                ? 1.0
                : std::pow(0.95, kLookaheadEvery) *
                      std::pow(static_cast<double>(done) / static_cast<double>(decay_steps), 3);
        for (std::size_t k = 0; k < state.size(); ++k) {
          lookahead[k].lerp_(state[k].detach(), 1.0 - decay);
          state[k].detach().copy_(lookahead[k]);
        }
      }
      if (averaged) {  // equal-weight running average over every step of the phase
        const auto params = net->parameters();
        const double m = static_cast<double>(record.swa_n * per_epoch + i);
        if (swa.empty())
          for (const auto& p : params) swa.push_back(p.detach().clone());
        else
          for (std::size_t k = 0; k < params.size(); ++k)
            swa[k].mul_(m / (m + 1)).add_(params[k].detach(), 1.0 / (m + 1));
        if (recording && (i + 1) % o.record_every == 0) {
          std::vector<torch::Tensor> flat;
          for (const auto& p : params) flat.push_back(p.detach().flatten());
          iterates.push_back(torch::cat(flat).to(torch::kCPU, torch::kFloat32));
        }
      }
      if (on_step) on_step(done, total_steps);
    }
    if (!iterates.empty())
      SaveAtomically(torch::stack(iterates), IteratesPath(o.out_dir, epoch + 1));
    const double seen = static_cast<double>(per_epoch * batch);
    images += seen;
    train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    row.train_loss = loss_sum.item<double>() / seen;
    row.train_acc = correct.item<double>() / seen;
    row.swa_averaged = averaged;
    if (averaged) ++record.swa_n;
    row.test_loss = row.test_acc = std::nan("");  // measured at the ends of the phases only
    if (epoch + 1 == o.epochs && !o.out_dir.empty())
      SaveNet(net, (fs::path(o.out_dir) / "sgd.pt").string());
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    summary.epochs.push_back(row);
    if (!o.out_dir.empty()) {
      record.epoch = epoch + 1;
      record.rows = summary.epochs;
      SaveState(o, record, net, opt, lookahead, swa);
    }
    if (on_epoch) on_epoch(row);
  }
  summary.train_images_per_s = train_seconds > 0 ? images / train_seconds : 0.0;
  summary.train_seconds = train_seconds;
  for (const auto& r : summary.epochs) summary.run_seconds += r.seconds;

  // The SGD solution: the end of the decayed phase.
  Net sgd = net;
  if (o.swa_epochs > 0) {
    if (o.out_dir.empty())
      throw std::invalid_argument(
          "TrainOptions::out_dir is empty: the airbench schedule with swa_epochs > 0 keeps its SGD "
          "solution in out_dir/sgd.pt");
    sgd = LoadCheckpoint(o, "sgd");
  }
  const Data centre_train =
      LoadData(o, true, o.centre_eval_size > 0 ? o.centre_eval_size : o.train_size);
  const Eval sgd_test = Evaluate(sgd, test), sgd_train = Evaluate(sgd, centre_train);
  summary.sgd_test_loss = sgd_test.loss;
  summary.sgd_test_acc = sgd_test.acc;
  summary.sgd_test_acc_tta = TestTimeAugmented(sgd, test).acc;
  summary.sgd_train_loss = sgd_train.loss;
  summary.sgd_train_acc = sgd_train.acc;
  if (o.swa_epochs == 0) return summary;
  CopyParameters(net, swa);
  RecomputeBatchNorm(net, train.x, static_cast<int>(batch), false, o.bn_batches);
  const Eval st = Evaluate(net, test), sr = Evaluate(net, centre_train);
  summary.has_swa = true;
  summary.swa_test_loss = st.loss;
  summary.swa_test_acc = st.acc;
  summary.swa_test_acc_tta = TestTimeAugmented(net, test).acc;
  summary.swa_train_loss = sr.loss;
  summary.swa_train_acc = sr.acc;
  SaveNet(net, (fs::path(o.out_dir) / "swa.pt").string());
  return summary;
}

}  // namespace valleys::realnets::detail
