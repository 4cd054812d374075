#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <ATen/CPUGeneratorImpl.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "models.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/realnets/experiment.hpp"

namespace valleys::realnets {

namespace {

bool Fail(std::string* why, const std::string& m) {
  if (why) *why = m;
  return false;
}

// Normalized [N, 3, 32, 32] float tensor and int64 labels from a split (first `limit` images).
struct Data {
  torch::Tensor x, y;
};

Data ToTensors(const CifarSplit& split, int limit) {
  const int n = limit > 0 ? std::min(limit, split.size()) : split.size();
  torch::Tensor x = torch::from_blob(const_cast<std::uint8_t*>(split.pixels.data()), {n, 3, 32, 32},
                                     torch::kUInt8)
                        .to(torch::kFloat32)
                        .div_(255.0);
  const torch::Tensor mean = torch::tensor({0.4914f, 0.4822f, 0.4465f}).view({1, 3, 1, 1});
  const torch::Tensor std = torch::tensor({0.2023f, 0.1994f, 0.2010f}).view({1, 3, 1, 1});
  x = (x - mean) / std;
  torch::Tensor y =
      torch::from_blob(const_cast<std::uint8_t*>(split.labels.data()), {n}, torch::kUInt8)
          .to(torch::kInt64);
  return {x.contiguous(), y};
}

// Random crop of 32 from the image zero-padded by 4, and a horizontal flip with probability 1/2.
torch::Tensor Augment(const torch::Tensor& batch) {
  const int64_t n = batch.size(0);
  const torch::Tensor padded = torch::constant_pad_nd(batch, {4, 4, 4, 4}, 0);
  const torch::Tensor offsets = torch::randint(0, 9, {n, 2}, torch::kInt64);
  const torch::Tensor flips = torch::rand({n}) < 0.5;
  std::vector<torch::Tensor> out;
  out.reserve(static_cast<std::size_t>(n));
  auto off = offsets.accessor<int64_t, 2>();
  auto flip = flips.accessor<bool, 1>();
  for (int64_t i = 0; i < n; ++i) {
    torch::Tensor img = padded[i].narrow(1, off[i][0], 32).narrow(2, off[i][1], 32);
    out.push_back(flip[i] ? img.flip({2}) : img);
  }
  return torch::stack(out);
}

double LearningRate(const TrainOptions& o, int epoch) {  // epoch 0-based
  const double s = o.swa_start_fraction * o.epochs, t = epoch / s, swa_lr = o.lr_init / 2;
  if (t <= 0.5) return o.lr_init;
  if (t <= 0.9) return o.lr_init + (swa_lr - o.lr_init) * (t - 0.5) / 0.4;
  return swa_lr;
}

struct Eval {
  double loss = 0, acc = 0;
};

Eval Evaluate(detail::PreResNet& model, const Data& d) {
  torch::NoGradGuard guard;
  model->eval();
  double loss = 0, correct = 0;
  const int64_t n = d.x.size(0);
  for (int64_t i = 0; i < n; i += 500) {
    const int64_t m = std::min<int64_t>(500, n - i);
    const torch::Tensor out = model->forward(d.x.narrow(0, i, m));
    loss += torch::cross_entropy_loss(out, d.y.narrow(0, i, m), {}, torch::Reduction::Sum)
                .item<double>();
    correct += out.argmax(1).eq(d.y.narrow(0, i, m)).sum().item<double>();
  }
  return {loss / n, correct / n};
}

void CopyParameters(detail::PreResNet& to, const std::vector<torch::Tensor>& values) {
  torch::NoGradGuard guard;
  auto params = to->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(values[i]);
}

}  // namespace

namespace detail {

// The exact BN recompute: reset running statistics, then one train-mode pass with cumulative
// averaging (momentum = none) over the data, in batches of `batch`.
void RecomputeBatchNorm(PreResNet& model, const torch::Tensor& images, int batch, bool augment) {
  bool any = false;
  for (auto& m : model->modules(false)) {
    if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(m)) {
      bn->reset_running_stats();
      bn->options.momentum(c10::nullopt);
      any = true;
    }
  }
  if (!any) return;
  torch::NoGradGuard guard;
  model->train();
  const int64_t n = images.size(0);
  for (int64_t i = 0; i < n; i += batch) {
    const torch::Tensor xb = images.narrow(0, i, std::min<int64_t>(batch, n - i));
    model->forward(augment ? Augment(xb) : xb);
  }
  for (auto& m : model->modules(false))
    if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(m))
      bn->options.momentum(0.1);
}

}  // namespace detail

bool TrainOptions::IsValid(std::string* why) const {
  if (!model.IsValid(why)) return false;
  if (epochs < 1 || epochs > 1000)
    return Fail(why, fmt::format("train: epochs = {} is out of range (allowed: 1..1000)", epochs));
  if (!(lr_init > 0 && lr_init < 10))
    return Fail(why, fmt::format("train: lr = {} is out of range (allowed: 0 < lr < 10)", lr_init));
  if (!(swa_start_fraction > 0 && swa_start_fraction < 1))
    return Fail(why, fmt::format("train: swa-start = {} is out of range (allowed: 0 < s < 1)",
                                 swa_start_fraction));
  if (batch < 2 || batch > 4096)
    return Fail(why, fmt::format("train: batch = {} is out of range (allowed: 2..4096)", batch));
  if (train_size < 0 || test_size < 0) return Fail(why, "train: sizes must be >= 0");
  return true;
}

std::string TrainOptions::Fingerprint() const {
  return fmt::format(
      "{} | set {} train {} test {} | epochs {} lr {} swa {} mom {} wd {} batch {} aug {} | seed "
      "{} threads {}",
      model.Describe(), subset == Subset::kSmall ? "small" : "full", train_size, test_size, epochs,
      lr_init, swa_start_fraction, momentum, weight_decay, batch, augment, seed, threads);
}

namespace {

// Training state saved after each epoch: tensors in files named by epoch, then state.json (written
// atomically) naming them; older files are removed after. A kill at any moment leaves a complete
// state of the last finished epoch.
struct TrainState {
  int epoch = 0;  // epochs finished
  int swa_n = 0;
  std::vector<EpochRow> rows;
};

std::filesystem::path StatePath(const std::string& dir, int epoch, const char* part) {
  return std::filesystem::path(dir) / fmt::format("state_e{}.{}.pt", epoch, part);
}

template <typename T>
void SaveAtomically(const T& value, const std::filesystem::path& path) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  torch::save(value, tmp.string());
  std::filesystem::rename(tmp, path);
}

void SaveState(const TrainOptions& o, const TrainState& st, detail::PreResNet& model,
               torch::optim::SGD& opt, const std::vector<torch::Tensor>& swa) {
  const std::string& dir = o.out_dir;
  SaveAtomically(model, StatePath(dir, st.epoch, "model"));
  SaveAtomically(opt, StatePath(dir, st.epoch, "optim"));
  SaveAtomically(swa.empty() ? std::vector<torch::Tensor>{torch::zeros({1})} : swa,
                 StatePath(dir, st.epoch, "swa"));
  SaveAtomically(at::detail::getDefaultCPUGenerator().get_state(), StatePath(dir, st.epoch, "rng"));
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : st.rows)
    rows.push_back({r.epoch, r.lr, r.train_loss, r.train_acc, r.test_loss, r.test_acc, r.seconds,
                    r.swa_averaged});
  const nlohmann::json j = {
      {"fingerprint", o.Fingerprint()},
      {"epoch", st.epoch},
      {"swa_n", st.swa_n},
      {"rows", rows},
      {"meta", io::Metadata("realnets train state", nlohmann::json::object())}};
  io::WriteFileAtomically(std::filesystem::path(dir) / "state.json", j.dump(1) + "\n");
  if (st.epoch > 1)
    for (const char* part : {"model", "optim", "swa", "rng"})
      std::filesystem::remove(StatePath(dir, st.epoch - 1, part));
}

bool LoadState(const TrainOptions& o, TrainState& st, detail::PreResNet& model,
               torch::optim::SGD& opt, std::vector<torch::Tensor>& swa) {
  const std::filesystem::path file = std::filesystem::path(o.out_dir) / "state.json";
  if (!std::filesystem::exists(file)) return false;
  std::ifstream in(file);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("fingerprint"))
    throw std::runtime_error(fmt::format("'{}' is not a training state", file.string()));
  if (j["fingerprint"].get<std::string>() != o.Fingerprint())
    throw std::invalid_argument(
        fmt::format("'{}' was saved with other options ({}); refusing to resume with ({})",
                    file.string(), j["fingerprint"].get<std::string>(), o.Fingerprint()));
  st.epoch = j["epoch"];
  st.swa_n = j["swa_n"];
  for (const auto& r : j["rows"]) {
    EpochRow row;
    row.epoch = r[0];
    row.lr = r[1];
    row.train_loss = r[2];
    row.train_acc = r[3];
    row.test_loss = r[4];
    row.test_acc = r[5];
    row.seconds = r[6];
    row.swa_averaged = r[7];
    st.rows.push_back(row);
  }
  torch::load(model, StatePath(o.out_dir, st.epoch, "model").string());
  torch::load(opt, StatePath(o.out_dir, st.epoch, "optim").string());
  std::vector<torch::Tensor> saved;
  torch::load(saved, StatePath(o.out_dir, st.epoch, "swa").string());
  swa = st.swa_n > 0 ? saved : std::vector<torch::Tensor>{};
  torch::Tensor rng;
  torch::load(rng, StatePath(o.out_dir, st.epoch, "rng").string());
  at::Generator generator =
      at::detail::getDefaultCPUGenerator();  // a handle to the global generator
  generator.set_state(rng);
  return true;
}

}  // namespace

bool ProfileOptions::IsValid(std::string* why) const {
  if (!base.IsValid(why)) return false;
  if (checkpoint != "sgd" && checkpoint != "swa")
    return Fail(why, fmt::format("profile: checkpoint = '{}' (allowed: sgd, swa)", checkpoint));
  if (law != "uniform01" && law != "gaussian" && law != "sign")
    return Fail(why, fmt::format("profile: law = '{}' (allowed: uniform01, gaussian, sign)", law));
  if (bn_mode != "recompute" && bn_mode != "frozen")
    return Fail(why, fmt::format("profile: bn-mode = '{}' (allowed: recompute, frozen)", bn_mode));
  if (points < 3 || points % 2 == 0 || points > 1001)
    return Fail(why, fmt::format("profile: points = {} (allowed: odd, 3..1001)", points));
  if (!(range > 0)) return Fail(why, fmt::format("profile: range = {} (allowed: > 0)", range));
  return true;
}

TrainSummary Train(const TrainOptions& o, const std::function<void(const EpochRow&)>& on_epoch) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  torch::set_num_threads(o.threads);
  torch::manual_seed(o.seed);
  const Data train = ToTensors(LoadTrain(o.data_dir, o.subset), o.train_size);
  const Data test = ToTensors(LoadTest(o.data_dir, o.subset), o.test_size);
  detail::PreResNet model = detail::MakeModel(o.model);
  torch::optim::SGD opt(
      model->parameters(),
      torch::optim::SGDOptions(o.lr_init).momentum(o.momentum).weight_decay(o.weight_decay));
  std::vector<torch::Tensor> swa;
  int swa_n = 0;
  TrainSummary summary;
  summary.parameters = CountParameters(o.model);
  const int64_t n = train.x.size(0);
  double images = 0, train_seconds = 0;
  TrainState state;
  if (!o.out_dir.empty()) io::EnsureDirectory(o.out_dir);
  if (o.resume && !o.out_dir.empty() && LoadState(o, state, model, opt, swa)) {
    swa_n = state.swa_n;
    summary.epochs = state.rows;
    if (on_epoch)
      for (const auto& r : state.rows) on_epoch(r);
  }
  for (int epoch = state.epoch; epoch < o.epochs; ++epoch) {
    const auto t0 = std::chrono::steady_clock::now();
    const double lr = LearningRate(o, epoch);
    for (auto& group : opt.param_groups())
      static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    model->train();
    const torch::Tensor perm = torch::randperm(n, torch::kInt64);
    double loss_sum = 0, correct = 0;
    for (int64_t i = 0; i + 1 < n; i += o.batch) {
      const torch::Tensor idx = perm.narrow(0, i, std::min<int64_t>(o.batch, n - i));
      torch::Tensor xb = train.x.index_select(0, idx);
      if (o.augment) xb = Augment(xb);
      const torch::Tensor yb = train.y.index_select(0, idx);
      opt.zero_grad();
      const torch::Tensor out = model->forward(xb);
      const torch::Tensor loss = torch::cross_entropy_loss(out, yb);
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>() * static_cast<double>(idx.size(0));
      correct += out.argmax(1).eq(yb).sum().item<double>();
      images += static_cast<double>(idx.size(0));
    }
    train_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EpochRow row;
    row.epoch = epoch + 1;
    row.lr = lr;
    row.train_loss = loss_sum / n;
    row.train_acc = correct / n;
    if (epoch + 1 >= o.swa_start_fraction * o.epochs) {  // SWA: equal-weight running average
      torch::NoGradGuard guard;
      const auto params = model->parameters();
      if (swa.empty())
        for (const auto& p : params) swa.push_back(p.detach().clone());
      else
        for (std::size_t k = 0; k < params.size(); ++k)
          swa[k].mul_(swa_n).add_(params[k].detach()).div_(swa_n + 1);
      ++swa_n;
      row.swa_averaged = true;
    }
    const Eval te = Evaluate(model, test);
    row.test_loss = te.loss;
    row.test_acc = te.acc;
    row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    summary.epochs.push_back(row);
    if (!o.out_dir.empty()) {
      state.epoch = epoch + 1;
      state.swa_n = swa_n;
      state.rows = summary.epochs;
      SaveState(o, state, model, opt, swa);
    }
    if (on_epoch) on_epoch(row);
  }
  summary.train_images_per_s = train_seconds > 0 ? images / train_seconds : 0.0;
  const Eval sgd_test = Evaluate(model, test), sgd_train = Evaluate(model, train);
  summary.sgd_test_loss = sgd_test.loss;
  summary.sgd_test_acc = sgd_test.acc;
  summary.sgd_train_loss = sgd_train.loss;
  if (!o.out_dir.empty()) {
    io::EnsureDirectory(o.out_dir);
    torch::save(model, (std::filesystem::path(o.out_dir) / "sgd.pt").string());
  }
  if (!swa.empty()) {
    CopyParameters(model, swa);
    detail::RecomputeBatchNorm(model, train.x, o.batch, o.augment);
    const Eval st = Evaluate(model, test), sr = Evaluate(model, train);
    summary.swa_test_loss = st.loss;
    summary.swa_test_acc = st.acc;
    summary.swa_train_loss = sr.loss;
    if (!o.out_dir.empty())
      torch::save(model, (std::filesystem::path(o.out_dir) / "swa.pt").string());
  }
  return summary;
}

ProfileResult Profile(const ProfileOptions& o) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  torch::set_num_threads(o.base.threads);
  torch::manual_seed(o.base.seed + 7);
  const Data train = ToTensors(LoadTrain(o.base.data_dir, o.base.subset), o.eval_size);
  const Data test = ToTensors(LoadTest(o.base.data_dir, o.base.subset), o.base.test_size);
  detail::PreResNet model = detail::MakeModel(o.base.model);
  const std::string path =
      (std::filesystem::path(o.base.out_dir) / (o.checkpoint + ".pt")).string();
  if (!std::filesystem::exists(path))
    throw std::runtime_error(fmt::format("checkpoint '{}' does not exist (train first)", path));
  torch::load(model, path);
  std::vector<torch::Tensor> w0, dir;
  double norm2 = 0, agree = 0, total = 0;
  for (const auto& p : model->named_parameters()) {
    const torch::Tensor w = p.value().detach().clone();
    torch::Tensor d;
    if (!o.include_bn && detail::IsBatchNormParameter(p.key()))
      d = torch::zeros_like(w);
    else if (o.law == "uniform01")
      d = torch::rand_like(w);
    else if (o.law == "gaussian")
      d = torch::randn_like(w);
    else
      d = torch::randn_like(w).abs() * torch::sign(w);
    if (o.include_bn || !detail::IsBatchNormParameter(p.key())) {
      agree += (torch::sign(d) == torch::sign(w)).logical_and(w != 0).sum().item<double>();
      total += static_cast<double>(w.numel());
    }
    norm2 += d.pow(2).sum().item<double>();
    w0.push_back(w);
    dir.push_back(d);
  }
  for (auto& d : dir) d.div_(std::sqrt(norm2));
  ProfileResult r;
  r.sign_agreement = agree / total;
  for (int i = 0; i < o.points; ++i) {
    const double t = o.range * (2.0 * i - (o.points - 1)) / (o.points - 1);
    std::vector<torch::Tensor> w;
    for (std::size_t k = 0; k < w0.size(); ++k) w.push_back(w0[k] + t * dir[k]);
    CopyParameters(model, w);
    if (o.bn_mode == "recompute") detail::RecomputeBatchNorm(model, train.x, o.base.batch, false);
    const Eval tr = Evaluate(model, train), te = Evaluate(model, test);
    r.t.push_back(t);
    r.train_loss.push_back(tr.loss);
    r.train_acc.push_back(tr.acc);
    r.test_loss.push_back(te.loss);
    r.test_acc.push_back(te.acc);
  }
  const std::size_t c = static_cast<std::size_t>(o.points / 2);
  theory::AsymmetryOptions a;
  a.delta = 0.5 * std::min(r.train_loss.front(), r.train_loss.back()) - 0.5 * r.train_loss[c];
  if (!(a.delta > 0)) a.delta = 1e-3;
  r.train_score = theory::ScoreAsymmetry(r.t, r.train_loss, a);
  return r;
}

}  // namespace valleys::realnets
