// The 2-D loss surface (surface.hpp).
#include "valleys/realnets/surface.hpp"

#include <cmath>

#include <fmt/format.h>

#include "probe_points.hpp"
#include "probe_target.hpp"
#include "runtime.hpp"
#include "validation.hpp"

namespace valleys::realnets {

namespace {

using detail::Fail;

constexpr int kMaxAxisPoints = 401;

bool AxisIsValid(const char* range_field, double range, const char* points_field, int points,
                 std::string* why) {
  if (!(range > 0 && range <= 1e6))
    return Fail(why,
                fmt::format("SurfaceOptions::{} = {} (allowed: > 0, <= 1e6)", range_field, range));
  if (points < 3 || points % 2 == 0 || points > kMaxAxisPoints)
    return Fail(why, fmt::format("SurfaceOptions::{} = {} (allowed: odd, 3..{})", points_field,
                                 points, kMaxAxisPoints));
  return true;
}

double Dot(const std::vector<torch::Tensor>& x, const std::vector<torch::Tensor>& y) {
  double s = 0;
  for (std::size_t k = 0; k < x.size(); ++k)
    s += (x[k].to(torch::kCPU, torch::kFloat64) * y[k].to(torch::kCPU, torch::kFloat64))
             .sum()
             .item<double>();
  return s;
}

// The mark's coordinates: the least-squares (a, b) of Delta = w_mark - w_centre on d1, d2 (the
// 2 x 2 normal equations), the residual's norm and ||Delta||.
SurfaceMark Project(const SurfaceOptions& o, const detail::ProbeTarget& net,
                    const std::vector<torch::Tensor>& centre, const detail::Direction& d1,
                    const detail::Direction& d2) {
  const TrainOptions& b = o.first.probe.base;
  const bool scripted = !o.first.model.empty();
  const auto mark =
      detail::LoadTarget(b, scripted ? o.mark : "", scripted ? "" : o.mark, "SurfaceOptions::mark");
  const auto named = mark->NamedParameters();
  const auto names = net.NamedParameters();
  if (named.size() != names.size())
    throw std::invalid_argument(fmt::format(
        "SurfaceOptions::mark = '{}' has {} parameter tensors, the centre {} (allowed: the same "
        "network)",
        o.mark, named.size(), names.size()));
  torch::NoGradGuard guard;
  std::vector<torch::Tensor> delta;
  for (std::size_t k = 0; k < named.size(); ++k) {
    if (named[k].first != names[k].first || !named[k].second.sizes().equals(centre[k].sizes()))
      throw std::invalid_argument(fmt::format(
          "SurfaceOptions::mark = '{}': parameter {} is '{}' {}, the centre's '{}' {} (allowed: "
          "the same network)",
          o.mark, k, named[k].first, fmt::join(named[k].second.sizes(), "x"), names[k].first,
          fmt::join(centre[k].sizes(), "x")));
    // Only the perturbed coordinates: those where d1 or d2 is non-zero.
    const torch::Tensor support = (d1.tensors[k] != 0).logical_or(d2.tensors[k] != 0);
    const torch::Tensor diff = named[k].second.detach().to(torch::kCPU, torch::kFloat64) -
                               centre[k].to(torch::kCPU, torch::kFloat64);
    delta.push_back(torch::where(support, diff, torch::zeros_like(diff)));
  }
  const double g11 = Dot(d1.tensors, d1.tensors), g22 = Dot(d2.tensors, d2.tensors);
  const double g12 = Dot(d1.tensors, d2.tensors);
  const double r1 = Dot(d1.tensors, delta), r2 = Dot(d2.tensors, delta);
  const double det = g11 * g22 - g12 * g12;
  if (!(det > 1e-12 * g11 * g22))
    throw std::invalid_argument(
        "SurfaceOptions: the two directions are parallel (no plane to project the mark onto)");
  SurfaceMark m;
  m.source = o.mark;
  m.sha256 = mark->Sha256();
  m.a = (g22 * r1 - g12 * r2) / det;
  m.b = (g11 * r2 - g12 * r1) / det;
  const double dd = Dot(delta, delta);
  m.distance = std::sqrt(dd);
  // ||Delta - P Delta||^2 = ||Delta||^2 - (a r1 + b r2), clamped at 0 against rounding.
  m.out_of_plane = std::sqrt(std::max(0.0, dd - (m.a * r1 + m.b * r2)));
  m.inside_grid = std::abs(m.a) <= o.first.range && std::abs(m.b) <= o.RangeB();
  return m;
}

}  // namespace

ProfileOptions SurfaceOptions::Second() const {
  ProfileOptions second = first;
  second.direction = SecondDirection();
  return second;
}

bool SurfaceOptions::IsValid(std::string* why) const {
  ProfileOptions checked = first;
  checked.points = 5, checked.range = 1, checked.bracket_rise = 0;  // the axes are checked below
  if (!checked.IsValid(why)) return false;
  if (first.bracket_rise != 0)
    return Fail(why, fmt::format("SurfaceOptions::first.bracket_rise = {} (allowed: 0; a surface "
                                 "has no bracketing)",
                                 first.bracket_rise));
  if (second_direction < -1 || second_direction > 1000000)
    return Fail(why, fmt::format("SurfaceOptions::second_direction = {} (allowed: -1..1000000)",
                                 second_direction));
  if (SecondDirection() == first.direction)
    return Fail(why, fmt::format("SurfaceOptions::second_direction = {} equals the first "
                                 "direction's index (allowed: another index)",
                                 SecondDirection()));
  if (first.law == DirectionLaw::kOnes || first.law == DirectionLaw::kLogitScale)
    return Fail(why,
                fmt::format("SurfaceOptions::first.law = {} draws the same direction for every "
                            "index (allowed: a random law)",
                            DirectionLawToString(first.law)));
  if (!(range_b >= 0))
    return Fail(why, fmt::format("SurfaceOptions::range_b = {} (allowed: >= 0; 0: as the first "
                                 "axis)",
                                 range_b));
  if (points_b < 0)
    return Fail(why, fmt::format("SurfaceOptions::points_b = {} (allowed: >= 0; 0: as the first "
                                 "axis)",
                                 points_b));
  return AxisIsValid("first.range", first.range, "first.points", first.points, why) &&
         AxisIsValid("range_b", RangeB(), "points_b", PointsB(), why);
}

SurfaceResult Surface(const SurfaceOptions& o, const std::vector<SurfacePoint>& known,
                      const std::string& known_sha256, const SurfaceCheckpoint& checkpoint,
                      const ProbeProgress& progress) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  const TrainOptions& b = o.first.probe.base;
  detail::SetThreads(b);
  torch::manual_seed(b.seed + 7);  // augmented probe evaluation only
  const detail::ProbeData data = detail::LoadProbeData(o.first.probe);
  const auto net =
      detail::LoadTarget(b, o.first.model, o.first.checkpoint, "SurfaceOptions::first.model");
  detail::CheckProbeLabels(*net, data, b);
  const detail::Direction d1 = detail::MakeDirection(*net, o.first);
  const detail::Direction d2 = detail::MakeDirection(*net, o.Second());

  SurfaceResult r;
  r.checkpoint_sha256 = net->Sha256();
  r.model_description = net->Description();
  r.parameter_count = net->ParameterCount();
  r.range_a = o.first.range, r.range_b = o.RangeB();
  r.points_a = o.first.points, r.points_b = o.PointsB();
  r.norm_d1 = d1.norm, r.norm_d2 = d2.norm;
  r.cosine_d1_d2 = Dot(d1.tensors, d2.tensors) / (d1.norm * d2.norm);
  r.sign_agreement_d1 = d1.sign_agreement, r.sign_agreement_d2 = d2.sign_agreement;
  r.perturbed = d1.perturbed;

  torch::NoGradGuard guard;
  std::vector<torch::Tensor> centre, v1, v2;
  for (const auto& t : net->ParameterTensors()) centre.push_back(t.detach().clone());
  if (!o.mark.empty()) {
    r.mark = Project(o, *net, centre, d1, d2);
    r.has_mark = true;
  }
  for (const auto& t : d1.tensors) v1.push_back(t.to(detail::DeviceOf(b)));
  for (const auto& t : d2.tensors) v2.push_back(t.to(detail::DeviceOf(b)));

  const auto grid = SurfaceGrid(r.range_a, r.points_a, r.range_b, r.points_b);
  // The known points that are a prefix of the grid, on the same checkpoint.
  if (known_sha256 == r.checkpoint_sha256)
    for (const SurfacePoint& p : known) {
      const std::size_t i = r.points.size();
      if (i >= grid.size() || p.a != grid[i].first || p.b != grid[i].second) break;
      r.points.push_back(p);
    }
  r.resumed = static_cast<long long>(r.points.size());
  std::vector<torch::Tensor> w(centre.size());
  for (std::size_t i = r.points.size(); i < grid.size(); ++i) {
    const auto [a, bb] = grid[i];
    for (std::size_t k = 0; k < centre.size(); ++k) w[k] = centre[k] + a * v1[k] + bb * v2[k];
    net->SetParameters(w);
    if (o.first.probe.bn_mode == BnMode::kRecompute)
      net->RecomputeBatchNorm(o.first.probe, data.train.x);
    const detail::Eval tr = net->Evaluate(data.train, o.first.probe.augmented_train_eval);
    const detail::Eval te = net->Evaluate(data.test, false);
    r.points.push_back({a, bb, tr.loss, tr.acc, te.loss, te.acc});
    if (checkpoint) checkpoint(r);
    if (progress) progress(static_cast<long long>(i + 1), static_cast<long long>(grid.size()));
  }
  net->SetParameters(centre);
  return r;
}

std::string SurfaceDirectionsFileBytes(const SurfaceOptions& o) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  detail::SetThreads(o.first.probe.base);
  const auto net = detail::LoadTarget(o.first.probe.base, o.first.model, o.first.checkpoint,
                                      "SurfaceOptions::first.model");
  c10::Dict<std::string, c10::Dict<std::string, at::Tensor>> file;
  const ProfileOptions both[2] = {o.first, o.Second()};
  for (int i = 0; i < 2; ++i) {
    const detail::Direction d = detail::MakeDirection(*net, both[i]);
    c10::Dict<std::string, at::Tensor> v;
    for (std::size_t k = 0; k < d.names.size(); ++k)
      v.insert(d.names[k], d.tensors[k].to(torch::kFloat32).contiguous());
    file.insert(fmt::format("d{}", i + 1), v);
  }
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(file));
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace valleys::realnets
