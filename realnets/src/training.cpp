// Training: the SWA recipe and the plain-SGD baseline, per-epoch training state with resume, and
// SGD restarted from the SWA solution (protocol.md §1-2).
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "airbench_recipe.hpp"
#include "runtime.hpp"
#include "state_files.hpp"
#include "validation.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/realnets/cifar.hpp"

namespace valleys::realnets {

using detail::LoadChecked;
using detail::SaveAtomically;

namespace {

using detail::Fail;

std::filesystem::path OutPath(const TrainOptions& o, const std::string& name) {
  return std::filesystem::path(o.out_dir) / name;
}

}  // namespace

bool TrainOptions::IsValid(std::string* why) const {
  if (!model.IsValid(why)) return false;
  if (epochs < 1 || epochs > 1000)
    return Fail(
        why, fmt::format("TrainOptions::epochs = {} is out of range (allowed: 1..1000)", epochs));
  if (!(lr_init > 0 && lr_init < 10))
    return Fail(
        why,
        fmt::format("TrainOptions::lr_init = {} is out of range (allowed: 0 < lr < 10)", lr_init));
  if (!(swa_start_fraction > 0 && swa_start_fraction < 1))
    return Fail(
        why,
        fmt::format("TrainOptions::swa_start_fraction = {} is out of range (allowed: 0 < s < 1)",
                    swa_start_fraction));
  if (!(momentum >= 0 && momentum < 1))
    return Fail(why, fmt::format("TrainOptions::momentum = {} (allowed: 0 <= m < 1)", momentum));
  if (!(weight_decay >= 0 && weight_decay < 1))
    return Fail(
        why, fmt::format("TrainOptions::weight_decay = {} (allowed: 0 <= wd < 1)", weight_decay));
  if (batch < 2 || batch > 4096)
    return Fail(why,
                fmt::format("TrainOptions::batch = {} is out of range (allowed: 2..4096)", batch));
  if (train_size < 0 || test_size < 0 || train_size == 1)
    return Fail(why, "TrainOptions::train_size, TrainOptions::test_size must be 0 (all) or >= 2");
  if (record_every < 0)
    return Fail(why, fmt::format("TrainOptions::record_every = {} (allowed: >= 0)", record_every));
  if (bn_batches < 0)
    return Fail(why, fmt::format("TrainOptions::bn_batches = {} (allowed: >= 0)", bn_batches));
  if (train_data.empty() != test_data.empty())
    return Fail(why, "TrainOptions::train_data and TrainOptions::test_data: give both or neither");
  if (threads < 1 || threads > 1024)
    return Fail(why, fmt::format("TrainOptions::threads = {} (allowed: 1..1024)", threads));
  if (swa_epochs < 0 || swa_epochs > 1000)
    return Fail(why, fmt::format("TrainOptions::swa_epochs = {} (allowed: 0..1000)", swa_epochs));
  if (!(swa_lr_factor > 0 && swa_lr_factor <= 10))
    return Fail(
        why, fmt::format("TrainOptions::swa_lr_factor = {} (allowed: 0 < f <= 10)", swa_lr_factor));
  if (centre_eval_size < 0)
    return Fail(why, fmt::format("TrainOptions::centre_eval_size = {} (allowed: >= 0; 0: all)",
                                 centre_eval_size));
  if ((schedule == Schedule::kAirbench) != (model.arch == Arch::kAirbench))
    return Fail(why, fmt::format("TrainOptions::schedule = '{}' with ModelSpec::arch = '{}' (the "
                                 "airbench schedule trains the airbench network, and only it)",
                                 ScheduleToString(schedule), ArchToString(model.arch)));
  if (micro_batch < 0 || micro_batch > 4096)
    return Fail(why, fmt::format("TrainOptions::micro_batch = {} (allowed: 0..4096; 0: the batch)",
                                 micro_batch));
  if (!(adaptive_clip >= 0 && adaptive_clip <= 100))
    return Fail(why, fmt::format("TrainOptions::adaptive_clip = {} (allowed: 0..100; 0: off)",
                                 adaptive_clip));
  if (schedule != Schedule::kAirbench &&
      (swa_epochs != 0 || centre_eval_size != 0 || micro_batch != 0 || adaptive_clip != 0))
    return Fail(why,
                "TrainOptions::swa_epochs, centre_eval_size, micro_batch, adaptive_clip: for the "
                "airbench schedule only (allowed: 0 with the others)");
  if (!DeviceAvailable(device))
    return Fail(why,
                "TrainOptions::device = 'cuda' but this LibTorch has no CUDA or no GPU is present");
  return true;
}

std::string TrainOptions::Fingerprint() const {
  return fmt::format(
      "{} | set {} train {} test {} | {} epochs {} lr {} swa {} mom {} wd {} batch {} aug {} "
      "bn-batches {}{} | seed {} threads {} device {}",
      model.Describe(), subset == Subset::kSmall ? "small" : "full", train_size, test_size,
      ScheduleToString(schedule), epochs, lr_init, swa_start_fraction, momentum, weight_decay,
      batch, augment, bn_batches,
      schedule == Schedule::kAirbench
          ? fmt::format(" swa-epochs {} swa-lr-factor {} micro-batch {}{}", swa_epochs,
                        swa_lr_factor, micro_batch,
                        adaptive_clip > 0 ? fmt::format(" agc {}", adaptive_clip) : "")
          : std::string(),
      seed, threads, DeviceToString(device));
}

double LearningRate(const TrainOptions& o, int epoch) {
  if (o.schedule == Schedule::kAirbench) {  // the rate at the epoch's first step
    if (epoch >= o.epochs) return o.swa_lr_factor * o.lr_init;
    const long long per_epoch = 1000;  // the factor depends on the fraction of steps only
    return o.lr_init * detail::AirbenchRateFactor(epoch * per_epoch, o.epochs * per_epoch);
  }
  if (o.schedule == Schedule::kSgd) {
    const double t = static_cast<double>(epoch) / o.epochs, end = 0.01 * o.lr_init;
    if (t <= 0.5) return o.lr_init;
    if (t <= 0.9) return o.lr_init + (end - o.lr_init) * (t - 0.5) / 0.4;
    return end;
  }
  const double s = o.swa_start_fraction * o.epochs, t = epoch / s, swa_lr = o.lr_init / 2;
  if (t <= 0.5) return o.lr_init;
  if (t <= 0.9) return o.lr_init + (swa_lr - o.lr_init) * (t - 0.5) / 0.4;
  return swa_lr;
}

std::string IteratesPath(const std::string& out_dir, int epoch) {
  return (std::filesystem::path(out_dir) / fmt::format("iterates_e{}.pt", epoch)).string();
}

int TotalEpochs(const TrainOptions& o) {
  return o.epochs + (o.schedule == Schedule::kAirbench ? o.swa_epochs : 0);
}

int FirstAveragedEpoch(const TrainOptions& o) {
  if (o.schedule == Schedule::kAirbench) return o.epochs + 1;
  int n = 1;  // the same comparison as the training loop's, so that the two never disagree
  while (n < o.epochs && !(n >= o.swa_start_fraction * o.epochs)) ++n;
  return n;
}

namespace {

struct EpochStats {
  double loss = 0, acc = 0, images = 0;
};

// One pass over the training set in a random order (drawn on the CPU generator), mean
// cross-entropy, the optimizer's step after each batch; `after_step` (if set) sees the step count.
EpochStats TrainEpoch(const detail::Net& net, torch::optim::SGD& opt, const detail::Data& train,
                      int batch, bool augment, const std::function<void(int)>& after_step = {}) {
  net->train();
  const int64_t n = train.size();
  const torch::Tensor perm = torch::randperm(n, torch::kInt64).to(train.x.device());
  torch::Tensor loss_sum = torch::zeros({}, train.x.options().dtype(torch::kFloat64));
  torch::Tensor correct = torch::zeros({}, train.x.options().dtype(torch::kFloat64));
  for (int64_t i = 0; i + 1 < n; i += batch) {  // a last batch of one image is dropped (BN)
    const int64_t m = std::min<int64_t>(batch, n - i);
    const torch::Tensor idx = perm.narrow(0, i, m);
    torch::Tensor xb = train.x.index_select(0, idx);
    xb = detail::ChannelsLast(augment ? detail::Augment(xb) : xb);
    const torch::Tensor yb = train.y.index_select(0, idx);
    opt.zero_grad();
    const torch::Tensor out = net->forward(xb);
    const torch::Tensor loss = torch::cross_entropy_loss(out, yb);
    loss.backward();
    opt.step();
    if (after_step) after_step(static_cast<int>(i / batch) + 1);
    torch::NoGradGuard guard;
    loss_sum += loss.detach().to(torch::kFloat64) * static_cast<double>(m);
    correct += out.argmax(1).eq(yb).sum().to(torch::kFloat64);
  }
  EpochStats s;
  s.loss = loss_sum.item<double>() / static_cast<double>(n);
  s.acc = correct.item<double>() / static_cast<double>(n);
  s.images = static_cast<double>(n - (n % batch == 1 ? 1 : 0));
  return s;
}

torch::optim::SGD MakeOptimizer(const detail::Net& net, const TrainOptions& o, double lr) {
  return torch::optim::SGD(
      net->parameters(),
      torch::optim::SGDOptions(lr).momentum(o.momentum).weight_decay(o.weight_decay));
}

// Training state after each epoch: tensors in files named by epoch, then state.json (written
// atomically) naming them; older files are removed after. A kill at any moment leaves a complete
// state of the last finished epoch.
std::filesystem::path StatePath(const TrainOptions& o, int epoch, const char* part) {
  return OutPath(o, fmt::format("state_e{}.{}.pt", epoch, part));
}

void SaveState(const TrainOptions& o, const TrainStateRecord& st, const detail::Net& net,
               torch::optim::SGD& opt, const std::vector<torch::Tensor>& swa) {
  detail::SaveNet(net, StatePath(o, st.epoch, "model").string());
  SaveAtomically(opt, StatePath(o, st.epoch, "optim"));
  SaveAtomically(swa.empty() ? std::vector<torch::Tensor>{torch::zeros({1})} : swa,
                 StatePath(o, st.epoch, "swa"));
  SaveAtomically(at::detail::getDefaultCPUGenerator().get_state(), StatePath(o, st.epoch, "rng"));
  const std::string meta = io::Metadata("realnets train state", nlohmann::json::object()).dump();
  io::WriteFileAtomically(OutPath(o, "state.json"), SerializeTrainState(st, meta));
  if (st.epoch > 1)
    for (const char* part : {"model", "optim", "swa", "rng"})
      for (const char* suffix : {"", ".sha256"})
        std::filesystem::remove(StatePath(o, st.epoch - 1, part).string() + suffix);
}

bool LoadState(const TrainOptions& o, TrainStateRecord& st, const detail::Net& net,
               torch::optim::SGD& opt, std::vector<torch::Tensor>& swa) {
  const std::filesystem::path file = OutPath(o, "state.json");
  if (!std::filesystem::exists(file)) return false;
  st = ParseTrainState(io::ReadFile(file), file.string());
  if (st.fingerprint != o.Fingerprint())
    throw std::invalid_argument(
        fmt::format("'{}' was saved with other options ({}); refusing to resume with ({})",
                    file.string(), st.fingerprint, o.Fingerprint()));
  detail::LoadNet(net, StatePath(o, st.epoch, "model").string());
  detail::PlaceNet(net, o);
  LoadChecked(opt, StatePath(o, st.epoch, "optim"));
  std::vector<torch::Tensor> saved;
  LoadChecked(saved, StatePath(o, st.epoch, "swa"));
  swa.clear();
  if (st.swa_n > 0)
    for (auto& t : saved) swa.push_back(t.to(detail::DeviceOf(o)));
  torch::Tensor rng;
  LoadChecked(rng, StatePath(o, st.epoch, "rng"));
  at::Generator generator = at::detail::getDefaultCPUGenerator();  // the global generator
  generator.set_state(rng);
  return true;
}

}  // namespace

TrainSummary Train(const TrainOptions& o, const std::function<void(const EpochRow&)>& on_epoch,
                   const std::function<void(long long, long long)>& on_step) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  if (!o.train_data.empty())
    throw std::invalid_argument(
        "TrainOptions::train_data: training reads CIFAR-10 only (tensor files are for probes)");
  if (o.schedule == Schedule::kAirbench) return detail::TrainAirbench(o, on_epoch, on_step);
  detail::SetThreads(o);
  torch::manual_seed(o.seed);
  const detail::Data train = detail::LoadData(o, true, o.train_size);
  const detail::Data test = detail::LoadData(o, false, o.test_size);
  detail::Net net = detail::MakeModel(o.model);
  detail::PlaceNet(net, o);
  torch::optim::SGD opt = MakeOptimizer(net, o, o.lr_init);
  std::vector<torch::Tensor> swa;
  TrainSummary summary;
  summary.parameters = 0;
  for (const auto& p : net->parameters()) summary.parameters += p.numel();
  double images = 0, train_seconds = 0;
  TrainStateRecord state;
  state.fingerprint = o.Fingerprint();
  if (!o.out_dir.empty()) io::EnsureDirectory(o.out_dir);
  if (o.resume && !o.out_dir.empty() && LoadState(o, state, net, opt, swa)) {
    summary.epochs = state.rows;
    if (on_epoch)
      for (const auto& r : state.rows) on_epoch(r);
  }
  // Epochs finished by an earlier (resumed) run count with their recorded seconds, so that a
  // resumed or already finished run reports the whole training's time and rate.
  for (const auto& r : state.rows) {
    images += static_cast<double>(train.size());
    train_seconds += r.seconds;
  }
  const long long steps_per_epoch = (train.size() + o.batch - 1) / o.batch;
  const long long total_steps = steps_per_epoch * o.epochs;
  for (int epoch = state.epoch; epoch < o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const double lr = LearningRate(o, epoch);
    for (auto& group : opt.param_groups())
      static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    const bool averaged = o.schedule == Schedule::kSwa && epoch + 1 >= FirstAveragedEpoch(o);
    std::vector<torch::Tensor> iterates;
    const bool recording = averaged && o.record_every > 0 && !o.out_dir.empty();
    std::function<void(int)> after_step;
    if (recording || on_step)
      after_step = [&](int step) {
        if (on_step) on_step(epoch * steps_per_epoch + step, total_steps);
        if (!recording || step % o.record_every != 0) return;
        torch::NoGradGuard guard;
        std::vector<torch::Tensor> flat;
        for (const auto& p : net->parameters()) flat.push_back(p.detach().flatten());
        iterates.push_back(torch::cat(flat).to(torch::kCPU, torch::kFloat32));
      };
    const EpochStats stats = TrainEpoch(net, opt, train, o.batch, o.augment, after_step);
    if (!iterates.empty())
      SaveAtomically(torch::stack(iterates), IteratesPath(o.out_dir, epoch + 1));
    images += stats.images;
    train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EpochRow row;
    row.epoch = epoch + 1;
    row.lr = lr;
    row.train_loss = stats.loss;
    row.train_acc = stats.acc;
    if (averaged) {
      torch::NoGradGuard guard;  // SWA: equal-weight running average
      const auto params = net->parameters();
      if (swa.empty())
        for (const auto& p : params) swa.push_back(p.detach().clone());
      else
        for (std::size_t k = 0; k < params.size(); ++k)
          swa[k].mul_(state.swa_n).add_(params[k].detach()).div_(state.swa_n + 1);
      ++state.swa_n;
      row.swa_averaged = true;
    }
    const detail::Eval te = detail::Evaluate(net, test);
    row.test_loss = te.loss;
    row.test_acc = te.acc;
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    summary.epochs.push_back(row);
    if (!o.out_dir.empty()) {
      state.epoch = epoch + 1;
      state.rows = summary.epochs;
      SaveState(o, state, net, opt, swa);
    }
    if (on_epoch) on_epoch(row);
  }
  summary.train_images_per_s = train_seconds > 0 ? images / train_seconds : 0.0;
  summary.train_seconds = train_seconds;
  for (const auto& r : summary.epochs) summary.run_seconds += r.seconds;
  const detail::Eval sgd_test = detail::Evaluate(net, test),
                     sgd_train = detail::Evaluate(net, train);
  summary.sgd_test_loss = sgd_test.loss;
  summary.sgd_test_acc = sgd_test.acc;
  summary.sgd_train_loss = sgd_train.loss;
  summary.sgd_train_acc = sgd_train.acc;
  if (!o.out_dir.empty()) detail::SaveNet(net, OutPath(o, "sgd.pt").string());
  if (!swa.empty()) {
    detail::CopyParameters(net, swa);
    detail::RecomputeBatchNorm(net, train.x, o.batch, o.augment, o.bn_batches);
    const detail::Eval st = detail::Evaluate(net, test), sr = detail::Evaluate(net, train);
    summary.has_swa = true;
    summary.swa_test_loss = st.loss;
    summary.swa_test_acc = st.acc;
    summary.swa_train_loss = sr.loss;
    summary.swa_train_acc = sr.acc;
    if (!o.out_dir.empty()) detail::SaveNet(net, OutPath(o, "swa.pt").string());
  }
  return summary;
}

bool SgdAfterSwaOptions::IsValid(std::string* why) const {
  if (!base.IsValid(why)) return false;
  if (!(lr > 0 && lr < 10))
    return Fail(why, fmt::format("SgdAfterSwaOptions::lr = {} (allowed: 0 < lr < 10)", lr));
  if (max_epochs < 1 || max_epochs > 1000)
    return Fail(why,
                fmt::format("SgdAfterSwaOptions::max_epochs = {} (allowed: 1..1000)", max_epochs));
  if (base.out_dir.empty())
    return Fail(why, "TrainOptions::out_dir is empty (allowed: the run folder holding swa.pt)");
  return true;
}

SgdAfterSwaResult SgdAfterSwa(const SgdAfterSwaOptions& o,
                              const std::function<void(const SgdAfterSwaRow&)>& on_epoch) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  if (!o.base.train_data.empty())
    throw std::invalid_argument(
        "TrainOptions::train_data: training reads CIFAR-10 only (tensor files are for probes)");
  const TrainOptions& b = o.base;
  detail::SetThreads(b);
  torch::manual_seed(b.seed + 1000);
  const detail::Data train = detail::LoadData(b, true, b.train_size);
  const detail::Data test = detail::LoadData(b, false, b.test_size);
  detail::Net net = detail::LoadCheckpoint(b, "swa");
  SgdAfterSwaResult r;
  const detail::Eval swa_train = detail::Evaluate(net, train),
                     swa_test = detail::Evaluate(net, test);
  r.swa_train_loss = swa_train.loss;
  r.swa_test_loss = swa_test.loss;
  r.swa_test_acc = swa_test.acc;
  torch::optim::SGD opt = MakeOptimizer(net, b, o.lr);
  for (int epoch = 1; epoch <= o.max_epochs; ++epoch) {
    TrainEpoch(net, opt, train, b.batch, b.augment);
    detail::RecomputeBatchNorm(net, train.x, b.batch, b.augment, b.bn_batches);
    const detail::Eval tr = detail::Evaluate(net, train), te = detail::Evaluate(net, test);
    SgdAfterSwaRow row{epoch, tr.loss, te.loss, te.acc,
                       tr.loss < r.swa_train_loss && te.loss > r.swa_test_loss};
    r.rows.push_back(row);
    if (on_epoch) on_epoch(row);
    if (row.accepted && r.accepted_epoch == 0) r.accepted_epoch = epoch;
    if ((row.accepted && o.stop_when_accepted) || epoch == o.max_epochs) {
      detail::SaveNet(net, OutPath(b, "sgd_after_swa.pt").string());
      break;
    }
  }
  return r;
}

}  // namespace valleys::realnets
