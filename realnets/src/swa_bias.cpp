// C18: the SWA phase's iterates projected onto directions through w_swa, against the exact SGD
// chain on the measured profile (swa_bias.hpp states the model and its assumptions).
#include "valleys/realnets/swa_bias.hpp"
#include "validation.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "probe_points.hpp"
#include "valleys/realnets/cifar.hpp"
#include "valleys/realnets/swa_bias_analysis.hpp"

namespace valleys::realnets {

namespace {

using detail::Fail;

// Every recorded iterate of the averaged epochs, as rows of a [k, parameters] float64 tensor.
torch::Tensor LoadIterates(const TrainOptions& b, std::vector<int>* epochs) {
  std::vector<torch::Tensor> parts;
  for (int epoch = FirstAveragedEpoch(b); epoch <= TotalEpochs(b); ++epoch) {
    const std::string path = IteratesPath(b.out_dir, epoch);
    if (!std::filesystem::exists(path)) continue;
    VerifyChecksumFile(path);
    torch::Tensor t;
    torch::load(t, path);
    parts.push_back(t.to(torch::kFloat64));
    epochs->push_back(epoch);
  }
  if (parts.empty())
    throw std::runtime_error(fmt::format(
        "'{}' holds no recorded iterates (iterates_e<N>.pt): train with TrainOptions::record_every "
        "> 0",
        b.out_dir));
  return torch::cat(parts);
}

torch::Tensor Flatten(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> flat;
  for (const auto& t : tensors)
    flat.push_back(t.detach().flatten().to(torch::kCPU, torch::kFloat64));
  return torch::cat(flat);
}

// A flat vector back into tensors shaped like `like`, as float32 on `device`.
std::vector<torch::Tensor> Unflatten(const torch::Tensor& flat,
                                     const std::vector<torch::Tensor>& like,
                                     const torch::Device& device) {
  std::vector<torch::Tensor> out;
  int64_t at = 0;
  for (const auto& t : like) {
    out.push_back(
        flat.narrow(0, at, t.numel()).view(t.sizes()).to(device, torch::kFloat32).contiguous());
    at += t.numel();
  }
  return out;
}

// Per-batch gradients of the training loss at the SWA solution, in training mode on augmented
// batches as the optimizer sees them (weight decay, deterministic, left out): [batches,
// parameters].
torch::Tensor BatchGradients(const SwaBiasOptions& o) {
  const TrainOptions& b = o.probe.base;
  torch::manual_seed(b.seed + 2003);
  const detail::Data train = detail::LoadData(b, true, b.train_size);
  detail::Net net = detail::LoadCheckpoint(b, "swa");
  net->train();
  std::vector<torch::Tensor> rows;
  const int64_t n = train.size(), m = std::min<int64_t>(b.batch, n);
  for (int k = 0; k < o.noise_batches; ++k) {
    const torch::Tensor idx =
        torch::randperm(n, torch::kInt64).narrow(0, 0, m).to(train.x.device());
    torch::Tensor xb = train.x.index_select(0, idx);
    xb = detail::ChannelsLast(b.augment ? detail::Augment(xb) : xb);
    net->zero_grad();
    torch::cross_entropy_loss(net->forward(xb), train.y.index_select(0, idx)).backward();
    std::vector<torch::Tensor> grads;
    for (const auto& p : net->parameters()) grads.push_back(p.grad());
    rows.push_back(Flatten(grads));
  }
  return torch::stack(rows);
}

}  // namespace

bool SwaBiasOptions::IsValid(std::string* why) const {
  if (!probe.IsValid(why)) return false;
  if (probe.base.schedule != Schedule::kSwa)
    return Fail(why,
                "SwaBiasOptions::probe.base.schedule must be swa (the iterates of its SWA phase)");
  if (probe.base.out_dir.empty())
    return Fail(why, "SwaBiasOptions::probe.base.out_dir is empty (allowed: the SWA run's folder)");
  if (principal_components < 0 || principal_components > 16)
    return Fail(why, fmt::format("SwaBiasOptions::principal_components = {} (allowed: 0..16)",
                                 principal_components));
  if (directions.empty() && principal_components == 0)
    return Fail(
        why, "SwaBiasOptions::directions is empty and principal_components = 0 (nothing to probe)");
  if (points < 7 || points > 101 || points % 2 == 0)
    return Fail(why, fmt::format("SwaBiasOptions::points = {} (allowed: odd, 7..101)", points));
  if (!(range_sd > 0 && range_sd <= 100))
    return Fail(why,
                fmt::format("SwaBiasOptions::range_sd = {} (allowed: 0 < r <= 100)", range_sd));
  if (noise_batches < 4 || noise_batches > 100000)
    return Fail(
        why, fmt::format("SwaBiasOptions::noise_batches = {} (allowed: 4..100000)", noise_batches));
  if (!(kappa > 1 && std::isfinite(kappa)))
    return Fail(why, fmt::format("SwaBiasOptions::kappa = {} (allowed: > 1)", kappa));
  if (!gates.IsValid(why)) return false;
  for (const auto& d : directions)
    if (d.law == DirectionLaw::kOnes)
      return Fail(why,
                  "SwaBiasOptions::directions: the ones law has a single direction (use it once)");
  return true;
}

SwaBiasResult MeasureSwaBias(const SwaBiasOptions& o, const ProbeProgress& progress) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  const TrainOptions& b = o.probe.base;
  detail::SetThreads(b);
  torch::NoGradGuard no_grad;
  SwaBiasResult result;
  const torch::Tensor iterates = LoadIterates(b, &result.epochs);
  result.snapshots = static_cast<int>(iterates.size(0));
  result.lr = LearningRate(b, b.epochs - 1);
  result.momentum = b.momentum;
  result.range_sd = o.range_sd;
  result.noise_batches = o.noise_batches;
  result.batch = b.batch;
  result.weight_decay = b.weight_decay;
  const auto net = detail::LoadTarget(b, "", "swa", "SwaBiasOptions::probe");
  result.model_description = net->Description();
  result.checkpoint_sha256 = net->Sha256();
  const std::vector<torch::Tensor> centre_tensors = [&] {
    std::vector<torch::Tensor> v;
    for (const auto& t : net->ParameterTensors()) v.push_back(t.detach().clone());
    return v;
  }();
  const torch::Tensor w_swa = Flatten(centre_tensors);
  if (iterates.size(1) != w_swa.size(0))
    throw std::runtime_error(fmt::format(
        "'{}': the recorded iterates have {} coordinates, the network {} (another network's run?)",
        b.out_dir, iterates.size(1), w_swa.size(0)));

  // The directions: the random ones at unit norm, then the principal components.
  std::vector<std::string> labels;
  std::vector<torch::Tensor> dirs;
  for (const auto& d : o.directions) {
    ProfileOptions p = d;
    p.probe = o.probe;
    const torch::Tensor flat = Flatten(detail::MakeDirection(*net, p).tensors);
    dirs.push_back(flat / flat.norm());
    labels.push_back(fmt::format("{} #{}", DirectionLabel(p), p.direction));
  }
  const torch::Tensor centred = iterates - iterates.mean(0, true);
  if (o.principal_components > 0) {
    const auto [values, vectors] = torch::linalg_eigh(centred.matmul(centred.t()));
    const double total = values.clamp_min(0).sum().item<double>();
    const int64_t k = iterates.size(0);
    for (int j = 0; j < std::min<int64_t>(o.principal_components, k - 1); ++j) {
      torch::Tensor pc = centred.t().matmul(vectors.select(1, k - 1 - j));
      pc = pc / pc.norm();
      // The sign that makes the largest coordinate positive (a fixed convention).
      if (pc.index({pc.abs().argmax()}).item<double>() < 0) pc = -pc;
      dirs.push_back(pc);
      labels.push_back(fmt::format("pc{}", j + 1));
      result.pc_variance_fraction.push_back(total > 0 ? values[k - 1 - j].item<double>() / total
                                                      : std::nan(""));
    }
  }
  const torch::Tensor d_matrix = torch::stack(dirs);  // [m, parameters]
  const torch::Tensor gram = d_matrix.matmul(d_matrix.t());
  for (int64_t i = 0; i < gram.size(0); ++i)
    for (int64_t j = 0; j < gram.size(1); ++j) result.cosines.push_back(gram[i][j].item<double>());

  torch::Tensor grad_projections;
  {
    torch::AutoGradMode enable(true);
    grad_projections = BatchGradients(o).matmul(d_matrix.t());  // [batches, m]
  }
  const torch::Tensor offsets = (iterates - w_swa).matmul(d_matrix.t());  // [k, m]
  const detail::ProbeData data = detail::LoadProbeData(o.probe);
  const long long total = static_cast<long long>(dirs.size());
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    SwaBiasRow row;
    row.direction = labels[i];
    SwaBiasDirectionData d;
    const torch::Tensor t =
        offsets.select(1, static_cast<int64_t>(i)).to(torch::kFloat64).contiguous();
    d.offsets.assign(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
    const torch::Tensor g =
        grad_projections.select(1, static_cast<int64_t>(i)).to(torch::kFloat64).contiguous();
    d.grad_projections.assign(g.data_ptr<double>(), g.data_ptr<double>() + g.numel());
    d.lr = result.lr;
    d.momentum = b.momentum;
    d.nesterov = false;  // the SWA schedule's torch SGD has no Nesterov step
    d.weight_decay = b.weight_decay;
    d.w_dot_d = w_swa.dot(dirs[i]).item<double>();
    const double sd = result.snapshots > 1 ? t.std().item<double>() : 0.0;
    if (!(sd > 0)) {
      row.snapshots = result.snapshots;
      row.mean = t.mean().item<double>();
      row.minimum = std::nan("");
      row.why_not = row.not_admitted = "the iterates do not move along this direction";
      result.rows.push_back(row);
      if (progress) progress(static_cast<long long>(i + 1), total);
      continue;
    }
    // A minimum beyond the range, or too near its end for a symmetric window (the SWA point far
    // from it, relative to the spread), widens the range: x4, at most twice.
    const auto dir_tensors = Unflatten(dirs[i], centre_tensors, detail::DeviceOf(b));
    for (int widen = 0; widen <= 2; ++widen) {
      row = SwaBiasRow{};
      row.direction = labels[i];
      row.range = o.range_sd * sd * std::pow(4.0, widen);
      std::vector<double> points;
      const int half = o.points / 2;
      for (int k = -half; k <= half; ++k) points.push_back(k == 0 ? 0.0 : row.range * k / half);
      d.curve = detail::EvaluateAlong(*net, centre_tensors, dir_tensors, points, o.probe, data, {});
      row.curve = d.curve;
      AnalyseSwaBiasDirection(d, o.kappa, o.gates, &row);
      if (std::isfinite(row.minimum) && row.window_below >= o.gates.min_side_points &&
          row.window_above >= o.gates.min_side_points)
        break;
    }
    result.rows.push_back(row);
    if (progress) progress(static_cast<long long>(i + 1), total);
  }
  return result;
}

}  // namespace valleys::realnets
