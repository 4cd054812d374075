#include "sim_setup.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "strict_option.hpp"
#include "valleys/io/factories.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/sim/prediction.hpp"

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
    profiles.push_back(
        io::MakeProfile(a.profiles[a.profiles.size() > 1 ? static_cast<std::size_t>(i) : 0]));
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
  const io::NoiseSpec noise = io::MakeNoise(a.noise);
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
  if (!a.eval_shift.empty()) o.eval_shift = io::MakeShift(a.eval_shift);
  o.divergence_bound = a.divergence_bound;
  std::string why;
  if (!o.IsValid(&why)) throw InputError(why);
  if (a.backend != "cpu" && a.backend != "cuda")
    throw InputError(
        fmt::format("--backend = '{}' is not a backend (allowed: cpu, cuda)", a.backend));
  return o;
}

namespace {
void Put(Json& j, const char* key, const sim::Stat& s) {
  j[key] = s.value;
  j[std::string(key) + "_se"] = s.se;
}
}  // namespace

Json SimResult(const sim::SimOptions& /*options*/, const sim::SimSummary& s,
               const std::optional<sim::Prediction>& prediction) {
  Json out;
  Put(out, "mean_avg", s.mean_avg);
  Put(out, "mean_last", s.mean_last);
  Put(out, "p_flat", s.p_flat);
  Put(out, "mean_pos", s.mean_pos);
  Put(out, "mean_neg", s.mean_neg);
  Put(out, "risk_avg", s.risk_avg);
  Put(out, "risk_last", s.risk_last);
  out["risk_min"] = s.risk_min.value;
  Put(out, "beats_min_frac", s.beats_min_frac);
  out["diverged"] = s.diverged;
  out["chains"] = s.chains;
  out["w_hat"] = s.w_hat;
  out["chain_steps_per_s"] = s.chain_steps_per_s;
  out["seconds"] = s.seconds;
  out["backend"] = s.backend;
  out["threads"] = s.threads;
  if (s.mean_avg_per_direction.size() > 1) {
    Json dirs = Json::array();
    for (std::size_t i = 0; i < s.mean_avg_per_direction.size(); ++i)
      dirs.push_back({{"direction", i},
                      {"mean_avg", s.mean_avg_per_direction[i].value},
                      {"mean_avg_se", s.mean_avg_per_direction[i].se},
                      {"p_flat", s.p_flat_per_direction[i].value},
                      {"p_flat_se", s.p_flat_per_direction[i].se}});
    out["per_direction"] = dirs;
  }
  Json theory = Json::object(), z = Json::object();
  if (prediction) {
    const theory::WindowStats& p = prediction->window;
    const double root =
        std::sqrt(static_cast<double>(std::max<long long>(1, s.chains - s.diverged)));
    theory["mean_avg"] = p.mean_avg;
    theory["mean_last"] = p.mean_last;
    theory["p_flat"] = p.p_flat;
    theory["mean_pos"] = p.mean_pos;
    theory["mean_neg"] = p.mean_neg;
    if (std::isfinite(p.mean_avg_sd)) theory["mean_avg_se"] = p.mean_avg_sd / root;
    if (std::isfinite(p.p_flat_sd)) theory["p_flat_se"] = p.p_flat_sd / root;
    theory["stationary_mean"] = prediction->stationary_mean;
    theory["method"] = prediction->method;
    theory["tail"] = p.tail;
    theory["propagated_steps"] = p.propagated_steps;
    if (prediction->risk_min) theory["risk_min"] = *prediction->risk_min;
    if (prediction->risk_at_mean_avg) theory["risk_at_mean_avg"] = *prediction->risk_at_mean_avg;
    const sim::PredictionZ zs = sim::Compare(*prediction, s);
    auto put = [&z](const char* key, const std::optional<double>& v) {
      if (v) z[key] = *v;
    };
    put("mean_avg", zs.mean_avg);
    put("mean_last", zs.mean_last);
    put("p_flat", zs.p_flat);
    put("mean_pos", zs.mean_pos);
    put("mean_neg", zs.mean_neg);
    put("mean_avg_se", zs.mean_avg_se);
    put("p_flat_se", zs.p_flat_se);
  }
  out["theory"] = theory;
  out["z"] = z;
  return out;
}

Json SimMetadata(const SimArgs& a) {
  Json profiles = Json::array();
  for (const auto& p : a.profiles) profiles.push_back(p);
  return {{"profile", profiles},
          {"dim", a.dim},
          {"basis", a.basis},
          {"coupling", a.coupling},
          {"eta", a.eta},
          {"lr_schedule", a.lr_schedule},
          {"noise", a.noise},
          {"momentum", a.momentum},
          {"wd", a.wd},
          {"chains", a.chains},
          {"steps", a.steps},
          {"burnin", a.burnin},
          {"avg_start", a.avg_start},
          {"avg_every", a.avg_every},
          {"x0", a.x0},
          {"seed", a.seed},
          {"data_size", a.data_size},
          {"batch", a.batch},
          {"replacement", !a.no_replacement},
          {"data_seed", a.data_seed},
          {"eval_shift", a.eval_shift},
          {"backend", a.backend}};
}

bool SetSimArg(SimArgs& a, const std::string& name, const std::string& value) {
  const std::string what = fmt::format("grid value of '{}'", name);
  auto num = [&] { return ParseStrict<double>(value, what); };
  auto integer = [&]() { return ParseStrict<long long>(value, what); };
  if (name == "profile")
    a.profiles = {value};
  else if (name == "eta")
    a.eta = num();
  else if (name == "noise")
    a.noise = value;
  else if (name == "lr-schedule")
    a.lr_schedule = value;
  else if (name == "momentum")
    a.momentum = num();
  else if (name == "wd")
    a.wd = num();
  else if (name == "chains")
    a.chains = integer();
  else if (name == "steps")
    a.steps = integer();
  else if (name == "burnin")
    a.burnin = integer();
  else if (name == "avg-start")
    a.avg_start = integer();
  else if (name == "avg-every")
    a.avg_every = integer();
  else if (name == "x0")
    a.x0 = value;
  else if (name == "seed")
    a.seed = ParseStrict<unsigned long long>(value, what);
  else if (name == "dim")
    a.dim = ParseStrict<int>(value, what);
  else if (name == "coupling")
    a.coupling = num();
  else if (name == "data-size")
    a.data_size = ParseStrict<int>(value, what);
  else if (name == "batch")
    a.batch = ParseStrict<int>(value, what);
  else if (name == "eval-shift")
    a.eval_shift = value;
  else
    return false;
  return true;
}

}  // namespace valleys::cli
