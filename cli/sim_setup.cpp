#include "sim_setup.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "valleys/io/factories.hpp"
#include "valleys/io/sim_specs.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::cli {

using io::InputError;

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
  o.lr = io::MakeLrSchedule(a.lr_schedule, a.eta, a.burnin + a.steps, "--lr-schedule");
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
  o.start = io::MakeStart(a.x0, "--x0");
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
