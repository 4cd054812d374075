#include "valleys/io/sim_spec.hpp"

#include <cmath>

#include <fmt/format.h>

#include "valleys/io/factories.hpp"
#include "valleys/io/sim_specs.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/strict_number.hpp"

namespace valleys::io {

namespace {

theory::ValleyOptions MakeValley(const SimSpec& a, std::vector<theory::ProfilePtr> profiles) {
  theory::ValleyOptions v;
  v.profiles = std::move(profiles);
  v.coupling = a.coupling;
  if (a.basis == "identity") return v;
  const Spec spec = ParseSpec(a.basis, "SimSpec::basis");
  if (spec.kind != "random")
    throw InputError(fmt::format(
        "SimSpec::basis: unknown kind '{}' (allowed: identity, random:seed=K)", spec.kind));
  spec.RequireOnly({"seed"});
  v.basis = theory::BasisKind::kRandomRotation;
  const double seed = spec.Number("seed");
  if (!(seed >= 0 && seed == std::floor(seed)))
    throw InputError(fmt::format(
        "SimSpec::basis random: seed = {} is out of range (allowed: integer >= 0)", seed));
  v.rotation_seed = static_cast<std::uint64_t>(seed);
  return v;
}

// `text` with the value of `key` replaced; *found is set when the spec has the key.
std::string ReplaceSpecKey(const std::string& text, const std::string& key,
                           const std::string& value, bool* found) {
  const Spec spec = ParseSpec(text, "grid");
  std::string out = spec.kind + ":";
  bool first = true;
  for (const auto& [k, v] : spec.params) {
    out += (first ? "" : ",") + k + "=" + (k == key ? value : v);
    first = false;
    if (k == key) *found = true;
  }
  return out;
}

}  // namespace

sim::SimOptions MakeSimOptions(const SimSpec& a) {
  sim::SimOptions o;
  if (a.profiles.empty()) throw InputError("SimSpec::profiles is required");
  if (a.dim < 1 || a.dim > 4096)
    throw InputError(fmt::format("SimSpec::dim = {} is out of range (allowed: 1..4096)", a.dim));
  if (a.profiles.size() > 1 && static_cast<int>(a.profiles.size()) != a.dim && a.dim != 1)
    throw InputError(
        fmt::format("SimSpec::dim = {} but {} profiles were given (give one, or one per direction)",
                    a.dim, a.profiles.size()));
  const int d = a.profiles.size() > 1 ? static_cast<int>(a.profiles.size()) : a.dim;
  std::vector<theory::ProfilePtr> profiles;
  for (int i = 0; i < d; ++i)
    profiles.push_back(MakeProfile(
        a.profiles[a.profiles.size() > 1 ? static_cast<std::size_t>(i) : 0], "SimSpec::profiles"));
  if (d > 1 || a.basis != "identity" || a.coupling != 0.0)
    o.valley = MakeValley(a, profiles);
  else
    o.profile = profiles[0];
  o.lr = MakeLrSchedule(a.lr_schedule, a.eta, a.burnin + a.steps, "SimSpec::lr_schedule");
  const NoiseSpec noise = MakeNoise(a.noise, "SimSpec::noise");
  o.noise = noise.kind;
  o.noise_std = noise.s;
  o.noise_std_per_direction = a.noise_per_direction;
  if (!a.noise_per_direction.empty() && !o.valley)
    throw InputError(
        "SimSpec::noise_per_direction needs a d-dimensional valley (SimSpec::dim, several "
        "SimSpec::profiles, or SimSpec::basis)");
  o.momentum = a.momentum;
  o.nesterov = a.nesterov;
  o.weight_decay = a.wd;
  o.decay_offset = a.wd_offset;
  o.noise_growth = noise.c;
  o.chains = a.chains;
  o.steps = a.steps;
  o.burnin = a.burnin;
  o.avg_start = a.avg_start;
  o.avg_every = a.avg_every;
  o.start = MakeStart(a.x0, "SimSpec::x0");
  o.seed = a.seed;
  o.minibatch.data_size = a.data_size;
  o.minibatch.batch = a.batch;
  o.minibatch.replacement = !a.no_replacement;
  o.minibatch.data_seed = a.data_seed;
  if (!a.eval_shift.empty()) o.eval_shift = MakeShift(a.eval_shift, "SimSpec::eval_shift");
  o.divergence_bound = a.divergence_bound;
  std::string why;
  if (!o.IsValid(&why)) throw InputError(why);
  if (a.backend != "cpu" && a.backend != "cuda")
    throw InputError(
        fmt::format("SimSpec::backend = '{}' is not a backend (allowed: cpu, cuda)", a.backend));
  return o;
}

nlohmann::ordered_json SimSpecJson(const SimSpec& a) {
  return {{"profile", a.profiles},
          {"dim", a.dim},
          {"basis", a.basis},
          {"coupling", a.coupling},
          {"eta", a.eta},
          {"lr_schedule", a.lr_schedule},
          {"noise", a.noise},
          {"momentum", a.momentum},
          {"nesterov", a.nesterov},
          {"wd", a.wd},
          {"wd_offset", a.wd_offset},
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

bool SetSimSpecField(SimSpec& a, const std::string& name, const std::string& value,
                     const std::string& source) {
  const std::string what = source.empty() ? fmt::format("grid value of '{}'", name) : source;
  auto num = [&] { return ParseStrict<double>(value, what); };
  auto integer = [&] { return ParseStrict<long long>(value, what); };
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
  else if (name == "wd-offset")
    a.wd_offset = num();
  else if (name == "nesterov")
    a.nesterov = ParseStrict<int>(value, what) != 0;
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

void ApplyGridValue(SimSpec& a, const std::string& name, const std::string& value) {
  if (SetSimSpecField(a, name, value)) return;
  bool found = false;
  for (auto& p : a.profiles) p = ReplaceSpecKey(p, name, value, &found);
  if (!found) a.noise = ReplaceSpecKey(a.noise, name, value, &found);
  if (!found && !a.eval_shift.empty())
    a.eval_shift = ReplaceSpecKey(a.eval_shift, name, value, &found);
  if (!found)
    throw InputError(
        fmt::format("grid axis '{}' is neither a simulator option nor a key of SimSpec::profiles, "
                    "SimSpec::noise or SimSpec::eval_shift",
                    name));
}

void ApplySweepBase(SimSpec& a, const SweepFile& file, const std::string& source) {
  std::vector<std::string> profiles;
  for (const auto& [name, value] : file.base) {
    if (name == "profile")
      profiles.push_back(value);
    else if (name == "no-replacement")
      a.no_replacement = value == "true";
    else if (name == "basis")
      a.basis = value;
    else if (!SetSimSpecField(a, name, value))
      throw InputError(fmt::format("{}: [base] {} is not a simulator option", source, name));
  }
  if (!profiles.empty()) a.profiles = profiles;
}

}  // namespace valleys::io
