#include "sim_setup.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "valleys/io/factories.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::cli {

using io::InputError;

namespace {

sim::LrSchedule ParseSchedule(const std::string& text, double eta, long long total_steps) {
  const io::Spec spec = io::ParseSpec(text, "--lr-schedule");
  sim::LrSchedule lr;
  lr.eta = eta;
  if (spec.kind == "constant") {
    spec.RequireOnly({});
    return lr;
  }
  if (spec.kind == "cyclic") {
    spec.RequireOnly({"min", "period"});
    lr.kind = sim::LrKind::kCyclic;
    lr.eta_end = spec.Number("min");
    const double period = spec.Number("period");
    if (!(period >= 1 && period <= 1e9 && period == std::floor(period)))
      throw InputError(fmt::format(
          "--lr-schedule cyclic: period = {} is out of range (allowed: integer >= 1)", period));
    lr.period = static_cast<int>(period);
    if (!(lr.eta_end >= 0 && lr.eta_end <= eta))
      throw InputError(fmt::format(
          "--lr-schedule cyclic: min = {} is out of range (allowed: 0 <= min <= eta = {})",
          lr.eta_end, eta));
    return lr;
  }
  if (spec.kind == "linear" || spec.kind == "cosine") {
    spec.RequireOnly({"end", "steps"});
    lr.kind = spec.kind == "linear" ? sim::LrKind::kLinear : sim::LrKind::kCosine;
    lr.eta_end = spec.Number("end");
    if (!(lr.eta_end >= 0))
      throw InputError(fmt::format("--lr-schedule {}: end = {} is out of range (allowed: end >= 0)",
                                   spec.kind, lr.eta_end));
    const double steps = spec.NumberOr("steps", static_cast<double>(total_steps));
    if (!(steps >= 1 && steps <= 2e9))
      throw InputError(fmt::format("--lr-schedule {}: steps = {} is out of range (allowed: 1..2e9)",
                                   spec.kind, steps));
    lr.period = static_cast<int>(steps);
    return lr;
  }
  throw InputError(fmt::format(
      "--lr-schedule: unknown kind '{}' (allowed: constant, cyclic, linear, cosine)", spec.kind));
}

sim::Start ParseStart(const std::string& text) {
  sim::Start s;
  if (text == "0") return s;
  if (text == "min") {
    s.kind = sim::StartKind::kMinimizer;
    return s;
  }
  if (text.rfind("draw", 0) == 0) {
    const io::Spec spec = io::ParseSpec(text, "--x0");
    spec.RequireOnly({"sigma"});
    s.kind = sim::StartKind::kDrawn;
    s.value = spec.Number("sigma");
    if (!(s.value > 0))
      throw InputError(
          fmt::format("--x0 draw: sigma = {} is out of range (allowed: sigma > 0)", s.value));
    return s;
  }
  s.kind = sim::StartKind::kValue;
  s.value = io::ParseNumber(text, "--x0 (allowed: 0, min, draw:sigma=S or a number)");
  return s;
}

}  // namespace

sim::SimOptions MakeSimOptions(const SimArgs& a) {
  sim::SimOptions o;
  if (a.profiles.empty()) throw InputError("--profile is required");
  if (a.dim < 1 || a.dim > 4096)
    throw InputError(fmt::format("--dim = {} is out of range (allowed: 1..4096)", a.dim));
  if (a.profiles.size() > 1 && static_cast<int>(a.profiles.size()) != a.dim && a.dim != 1)
    throw InputError(
        fmt::format("--dim = {} but {} profiles were given (give one, or one per direction)", a.dim,
                    a.profiles.size()));
  const int d = a.profiles.size() > 1 ? static_cast<int>(a.profiles.size()) : a.dim;
  std::vector<theory::ProfilePtr> profiles;
  for (int i = 0; i < d; ++i)
    profiles.push_back(io::MakeProfile(
        a.profiles[a.profiles.size() > 1 ? static_cast<std::size_t>(i) : 0], "--profile"));
  const bool multi = d > 1 || a.basis != "identity" || a.coupling != 0.0;
  if (multi) {
    theory::ValleyOptions v;
    v.profiles = profiles;
    v.coupling = a.coupling;
    if (a.basis != "identity") {
      const io::Spec spec = io::ParseSpec(a.basis, "--basis");
      if (spec.kind != "random")
        throw InputError(fmt::format(
            "--basis: unknown kind '{}' (allowed: identity, random:seed=K)", spec.kind));
      spec.RequireOnly({"seed"});
      v.basis = theory::BasisKind::kRandomRotation;
      const double seed = spec.Number("seed");
      if (!(seed >= 0 && seed == std::floor(seed)))
        throw InputError(
            fmt::format("--basis random: seed = {} is out of range (allowed: integer >= 0)", seed));
      v.rotation_seed = static_cast<std::uint64_t>(seed);
    }
    o.valley = v;
  } else {
    o.profile = profiles[0];
  }
  o.lr = ParseSchedule(a.lr_schedule, a.eta, a.burnin + a.steps);
  const io::NoiseSpec noise = io::MakeNoise(a.noise, "--noise");
  o.noise = noise.kind;
  o.noise_std = noise.s;
  o.noise_std_per_direction = a.noise_per_direction;
  if (!a.noise_per_direction.empty() && !o.valley)
    throw InputError(
        "--noise-per-direction needs a d-dimensional valley (--dim, several --profile, or "
        "--basis)");
  o.momentum = a.momentum;
  o.weight_decay = a.wd;
  o.chains = a.chains;
  o.steps = a.steps;
  o.burnin = a.burnin;
  o.avg_start = a.avg_start;
  o.avg_every = a.avg_every;
  o.start = ParseStart(a.x0);
  o.seed = a.seed;
  o.minibatch.data_size = a.data_size;
  o.minibatch.batch = a.batch;
  o.minibatch.replacement = !a.no_replacement;
  o.minibatch.data_seed = a.data_seed;
  if (!a.eval_shift.empty()) o.eval_shift = io::MakeShift(a.eval_shift, "--eval-shift");
  o.divergence_bound = a.divergence_bound;
  std::string why;
  if (!o.IsValid(&why)) throw InputError(why);
  if (a.backend != "cpu" && a.backend != "cuda")
    throw InputError(
        fmt::format("--backend = '{}' is not a backend (allowed: cpu, cuda)", a.backend));
  return o;
}

}  // namespace valleys::cli
