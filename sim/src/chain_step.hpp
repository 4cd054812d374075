// The per-chain arithmetic shared by the CPU kernel and the CUDA kernel (VALLEYS_HD functions),
// so both backends run the same operations on the same Philox streams.
#pragma once

#include <cstdint>

#include "valleys/sim/lr_schedule_rate.hpp"
#include "valleys/sim/random.hpp"

namespace valleys::sim::detail {

enum class NoiseKind : int { kGaussian = 0, kUniform = 1, kRademacher = 2 };

struct KernelParams {
  std::uint64_t seed;
  long long burnin, steps;  // total = burnin + steps
  LrKind lr_kind;
  double eta, eta_end;
  long long period;
  double momentum, weight_decay;
  double decay_offset;  // the decay term is weight_decay (x + decay_offset)
  int nesterov;         // 1: x -= eta (g + momentum v) after v = momentum v + g
  int noise_kind;
  double noise_growth;  // the noise's scale at x is noise_scale (1 + noise_growth |x|)
  double noise_scale;   // multiplies the unit noise: s (gaussian), s (uniform, unit has std 1), s
                        // (rademacher)
  long long avg_start, avg_every;
  double flat_sign;  // +1: flat side is x > 0, -1: x < 0
  double bound;
};

VALLEYS_HD double LrAt(const KernelParams& p, long long t) {
  return ScheduledRate(p.lr_kind, p.eta, p.eta_end, p.period, t);
}

// Four unit-variance noise values of one chain for steps 4b .. 4b+3.
VALLEYS_HD void UnitNoise4(int kind, const Philox4& r, float out[4]) {
  if (kind == 0) {
    NormalsFrom(r, out);
  } else if (kind == 1) {
    for (int k = 0; k < 4; ++k) out[k] = 1.7320508075688772f * (2.0f * UniformOpen(r.v[k]) - 1.0f);
  } else {
    for (int k = 0; k < 4; ++k) out[k] = (r.v[k] >> 31) ? 1.0f : -1.0f;
  }
}

// Gradients of the analytic profiles (same formulas as theory/, restated for device code).
struct QuadraticGrad {
  double hp, hm;
  VALLEYS_HD double operator()(double x) const { return (x >= 0 ? hp : hm) * x; }
};
struct LinearGrad {
  double p, c;
  VALLEYS_HD double operator()(double x) const { return x >= 0 ? p : -c * p; }
};
struct LinexGrad {
  double b, alpha;
  VALLEYS_HD double operator()(double x) const { return b * alpha * expm1(alpha * x); }
};
struct RpclGrad {
  double p, c, l;
  VALLEYS_HD double operator()(double x) const { return x >= 0 ? p : (x >= -l ? 0.0 : -c * p); }
};

// Per-chain results, reduced on the host in chain order.
struct ChainOut {
  double last;
  double avg;
  double pos;   // sum of x^+ over recorded steps
  double neg;   // sum of x^- over recorded steps
  double flat;  // recorded steps on the flat side
  int diverged;
};

// Number of averaged steps: s in [avg_start, steps] with (s - avg_start) % avg_every == 0.
VALLEYS_HD long long AveragedCount(const KernelParams& p) {
  return (p.steps - p.avg_start) / p.avg_every + 1;
}

// One chain, all steps (CUDA uses this directly; the CPU kernel runs the same ops across chains).
template <typename Grad>
VALLEYS_HD ChainOut RunChain(const KernelParams& p, const Grad& grad, std::uint32_t chain,
                             double x0) {
  double x = x0, v = 0.0, avg = 0.0, pos = 0.0, neg = 0.0, flat = 0.0;
  int bad = 0;
  const long long total = p.burnin + p.steps;
  float noise[4];
  for (long long t = 1; t <= total; ++t) {
    const long long k = (t - 1) & 3;
    if (k == 0)
      UnitNoise4(p.noise_kind,
                 PhiloxDraw(p.seed, static_cast<std::uint64_t>((t - 1) >> 2), chain, kNoisePurpose),
                 noise);
    const double eta = LrAt(p, t);
    const double g =
        grad(x) + p.weight_decay * (x + p.decay_offset) +
        p.noise_scale * (1.0 + p.noise_growth * fabs(x)) * static_cast<double>(noise[k]);
    v = p.momentum * v + g;
    x = p.nesterov ? x - eta * (g + p.momentum * v) : x - eta * v;
    const long long s = t - p.burnin;
    if (s >= 1) {
      pos += x > 0 ? x : 0.0;
      neg += x < 0 ? -x : 0.0;
      flat += p.flat_sign * x > 0 ? 1.0 : 0.0;
      if (s >= p.avg_start && (s - p.avg_start) % p.avg_every == 0) avg += x;
    }
    bad |= !(fabs(x) <= p.bound);
  }
  ChainOut out;
  out.last = x;
  out.avg = avg / static_cast<double>(AveragedCount(p));
  out.pos = pos;
  out.neg = neg;
  out.flat = flat;
  out.diverged = bad;
  return out;
}

}  // namespace valleys::sim::detail
