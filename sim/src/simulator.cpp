#include "valleys/sim/simulator.hpp"

#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/math/tools/minima.hpp>

#include "chain_step.hpp"
#include "cpu_backend.hpp"
#include "cuda_backend.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/risk.hpp"

namespace valleys::sim {

using detail::ChainOut;
using detail::KernelParams;

Stat MeanAndError(const std::vector<double>& values) {
  const double n = static_cast<double>(values.size());
  if (values.empty())
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  double sum = 0.0;
  for (double v : values) sum += v;  // fixed order: chain index
  const double mean = sum / n;
  double ss = 0.0;
  for (double v : values) ss += (v - mean) * (v - mean);
  return {mean, values.size() > 1 ? std::sqrt(ss / (n - 1) / n) : 0.0};
}

bool CudaAvailable() {
  return detail::CudaBuilt() && detail::CudaDevicePresent();
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double FlatSign(const theory::Profile& p) {
  return p.FlatSide() == theory::Side::kNegative ? -1.0 : 1.0;
}

KernelParams MakeParams(const SimOptions& o, double flat_sign) {
  KernelParams p{};
  p.seed = o.seed;
  p.burnin = o.burnin;
  p.steps = o.steps;
  p.lr_kind = o.lr.kind;
  p.eta = o.lr.eta;
  p.eta_end = o.lr.eta_end;
  p.period = o.lr.period;
  p.momentum = o.momentum;
  p.weight_decay = o.weight_decay;
  p.decay_offset = o.decay_offset;
  p.nesterov = o.nesterov ? 1 : 0;
  p.noise_growth = o.noise_growth;
  switch (o.noise) {  // explicit: the kernel's codes are not theory::LawKind's values
    case theory::LawKind::kGaussian:
      p.noise_kind = static_cast<int>(detail::NoiseKind::kGaussian);
      break;
    case theory::LawKind::kUniform:
      p.noise_kind = static_cast<int>(detail::NoiseKind::kUniform);
      break;
    case theory::LawKind::kRademacher:
      p.noise_kind = static_cast<int>(detail::NoiseKind::kRademacher);
      break;
  }
  p.noise_scale = o.noise_std;
  p.avg_start = o.avg_start;
  p.avg_every = o.avg_every;
  p.flat_sign = flat_sign;
  p.bound = o.divergence_bound;
  return p;
}

double StartFor(const SimOptions& o, std::uint32_t chain, double minimizer) {
  switch (o.start.kind) {
    case StartKind::kZero:
      return 0.0;
    case StartKind::kMinimizer:
      return minimizer;
    case StartKind::kValue:
      return o.start.value;
    case StartKind::kDrawn: {
      float z[4];
      NormalsFrom(PhiloxDraw(o.seed, 0, chain, kStartPurpose), z);
      return o.start.value * static_cast<double>(z[0]);
    }
  }
  return 0.0;
}

// Test risk of many points: closed forms directly; otherwise R is tabulated once on a fine grid
// over the points' range and interpolated (relative error ~1e-7 for smooth R).
std::vector<double> RiskOf(const theory::Profile& profile, const theory::SymmetricLaw& shift,
                           const std::vector<double>& points) {
  std::vector<double> out(points.size());
  if (theory::RiskClosedForm(profile, shift, 0.0)) {
    for (std::size_t i = 0; i < points.size(); ++i)
      out[i] = *theory::RiskClosedForm(profile, shift, points[i]);
    return out;
  }
  if (points.empty()) return out;
  const auto [lo_it, hi_it] = std::minmax_element(points.begin(), points.end());
  const double lo = *lo_it, hi = *hi_it;
  if (!(hi > lo) || points.size() < 64) {
    for (std::size_t i = 0; i < points.size(); ++i)
      out[i] = theory::Risk(profile, shift, points[i]).value;
    return out;
  }
  const int m = 4000;
  std::vector<double> table(m + 1);
#pragma omp parallel for
  for (int k = 0; k <= m; ++k)
    table[static_cast<std::size_t>(k)] = theory::Risk(profile, shift, lo + (hi - lo) * k / m).value;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const double f = (points[i] - lo) / (hi - lo) * m;
    const int k = std::min(m - 1, std::max(0, static_cast<int>(f)));
    const double w = f - k;
    out[i] =
        table[static_cast<std::size_t>(k)] * (1 - w) + table[static_cast<std::size_t>(k) + 1] * w;
  }
  return out;
}

// Reduces per-chain results in chain order (thread-count invariant).
SimSummary Reduce(const SimOptions& o, const theory::Profile& profile,
                  const std::vector<ChainOut>& out, double w_hat) {
  SimSummary s;
  s.chains = static_cast<long long>(out.size());
  std::vector<double> last, avg, pos, neg, flat;
  const double steps = static_cast<double>(o.steps);
  for (std::size_t c = 0; c < out.size(); ++c) {
    const ChainOut& r = out[c];
    const bool finite = std::isfinite(r.last) && std::isfinite(r.avg);
    if (r.diverged || !finite) {
      ++s.diverged;
      if (s.diverged_chains.size() < 100) s.diverged_chains.push_back(static_cast<long long>(c));
      continue;
    }
    last.push_back(r.last);
    avg.push_back(r.avg);
    pos.push_back(r.pos / steps);
    neg.push_back(r.neg / steps);
    flat.push_back(r.flat / steps);
  }
  s.mean_last = MeanAndError(last);
  s.mean_avg = MeanAndError(avg);
  s.mean_pos = MeanAndError(pos);
  s.mean_neg = MeanAndError(neg);
  s.p_flat = MeanAndError(flat);
  s.mean_avg_per_direction = {s.mean_avg};
  s.p_flat_per_direction = {s.p_flat};
  s.w_hat = w_hat;
  s.risk_avg = s.risk_last = s.risk_min = s.beats_min_frac = {kNaN, kNaN};
  if (o.eval_shift && !avg.empty()) {
    const std::vector<double> ra = RiskOf(profile, *o.eval_shift, avg),
                              rl = RiskOf(profile, *o.eval_shift, last);
    const double rmin = theory::Risk(profile, *o.eval_shift, w_hat).value;
    s.risk_avg = MeanAndError(ra);
    s.risk_last = MeanAndError(rl);
    s.risk_min = {rmin, 0.0};
    std::vector<double> beats(ra.size());
    for (std::size_t i = 0; i < ra.size(); ++i) beats[i] = ra[i] < rmin ? 1.0 : 0.0;
    s.beats_min_frac = MeanAndError(beats);
  }
  return s;
}

SimSummary SimulateAdditive(const SimOptions& o, const RunControl& control) {
  const theory::Profile& profile = *o.profile;
  const KernelParams p = MakeParams(o, FlatSign(profile));
  std::vector<double> x0(static_cast<std::size_t>(o.chains));
  for (std::size_t c = 0; c < x0.size(); ++c)
    x0[c] = StartFor(o, static_cast<std::uint32_t>(c), 0.0);
  std::vector<ChainOut> out;
  SimSummary s;
  if (control.backend == Backend::kCuda) {
    if (!detail::CudaBuilt())
      throw std::runtime_error("sim: this build has no CUDA backend (nvcc was not found)");
    if (!detail::CudaDevicePresent()) throw std::runtime_error("sim: no CUDA device is present");
    detail::GradParams g{};
    if (const auto* q = dynamic_cast<const theory::QuadraticProfile*>(&profile))
      g = {detail::GradKind::kQuadratic, q->hplus(), q->hminus(), 0};
    else if (const auto* l = dynamic_cast<const theory::LinearProfile*>(&profile))
      g = {detail::GradKind::kLinear, l->p(), l->c(), 0};
    else if (const auto* x = dynamic_cast<const theory::LinexProfile*>(&profile))
      g = {detail::GradKind::kLinex, x->b(), x->alpha(), 0};
    else if (const auto* r = dynamic_cast<const theory::RpclProfile*>(&profile))
      g = {detail::GradKind::kRpcl, r->options().p, r->options().c, r->options().l};
    else
      throw std::invalid_argument(fmt::format(
          "sim: the CUDA backend supports analytic profiles only, not {}", profile.Kind()));
    detail::RunChainsCuda(p, g, x0, out);
    s.backend = "cuda";
  } else {
    detail::WorkPoll poll(control,
                          static_cast<double>(o.chains) * static_cast<double>(o.burnin + o.steps));
    detail::RunChainsCpu(p, profile, x0, out, poll);
    if (poll.Stopped()) throw Stopped();
    s.backend = "cpu";
  }
  SimSummary reduced = Reduce(o, profile, out, 0.0);
  reduced.backend = s.backend;
  if (control.keep_last_values)
    for (const ChainOut& r : out)
      if (!r.diverged && std::isfinite(r.last)) reduced.last_values.push_back(r.last);
  return reduced;
}

}  // namespace

std::vector<double> SyntheticData(const SimOptions& o) {
  const int n = o.minibatch.data_size;
  std::vector<double> z(static_cast<std::size_t>(n));
  for (int i = 0; i < n; i += 2) {
    const Philox4 r =
        PhiloxDraw(o.minibatch.data_seed, static_cast<std::uint64_t>(i / 2), 0, kDataPurpose);
    for (int k = 0; k < 2 && i + k < n; ++k) {
      double u = UniformDouble(r.v[2 * k], r.v[2 * k + 1]);
      u = std::min(std::max(u, 1e-16), 1 - 1e-16);
      z[static_cast<std::size_t>(i + k)] = o.eval_shift->Quantile(u);
    }
  }
  return z;
}

double EmpiricalMinimizer(const theory::Profile& profile, const std::vector<double>& data) {
  auto loss = [&](double x) {
    double acc = 0.0;
    for (double z : data) acc += profile.Value(x - z);
    return acc / static_cast<double>(data.size());
  };
  const auto [lo, hi] = std::minmax_element(data.begin(), data.end());
  const double pad = 1.0 + (*hi - *lo);
  // Scan for the basin, then Brent (the training loss of a convex profile is convex).
  const int n = 400;
  double best = *lo - pad, best_v = loss(best);
  for (int i = 1; i <= n; ++i) {
    const double x = *lo - pad + (*hi - *lo + 2 * pad) * i / n;
    const double v = loss(x);
    if (v < best_v) best_v = v, best = x;
  }
  const double step = (*hi - *lo + 2 * pad) / n;
  boost::uintmax_t iterations = 200;
  return boost::math::tools::brent_find_minima(loss, best - step, best + step, 50, iterations)
      .first;
}

namespace {

SimSummary SimulateMinibatch(const SimOptions& o, const RunControl& control) {
  const theory::Profile& profile = *o.profile;
  const std::vector<double> z = SyntheticData(o);
  const double w_hat = EmpiricalMinimizer(profile, z);
  const KernelParams p = MakeParams(o, FlatSign(profile));
  const int n = o.minibatch.data_size, batch = o.minibatch.batch;
  const long long chains = o.chains;
  std::vector<ChainOut> out(static_cast<std::size_t>(chains));
  detail::WorkPoll poll(control,
                        static_cast<double>(chains) * static_cast<double>(o.burnin + o.steps));
#pragma omp parallel for schedule(dynamic, 16)
  for (long long c = 0; c < chains; ++c) {
    if (poll.Stopped()) continue;
    const auto chain = static_cast<std::uint32_t>(c);
    std::vector<int> perm;
    if (!o.minibatch.replacement) {
      perm.resize(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) perm[static_cast<std::size_t>(i)] = i;
    }
    const long long per_epoch = n / batch;
    double x = StartFor(o, chain, w_hat), v = 0, avg = 0, pos = 0, neg = 0, flat = 0;
    int bad = 0;
    float noise[4] = {0, 0, 0, 0};
    const long long total = o.burnin + o.steps;
    const std::uint64_t draws_per_step = static_cast<std::uint64_t>((batch + 3) / 4);
    long long reported = 0;
    for (long long t = 1; t <= total; ++t) {
      if (t - reported > detail::kPollSteps) {
        poll.Report(t - 1 - reported);
        reported = t - 1;
        if (poll.Stopped()) break;
      }
      double g = 0.0;
      if (o.minibatch.replacement) {
        for (int j = 0; j < batch; j += 4) {
          const Philox4 r = PhiloxDraw(o.seed,
                                       static_cast<std::uint64_t>(t - 1) * draws_per_step +
                                           static_cast<std::uint64_t>(j / 4),
                                       chain, kBatchPurpose);
          for (int k = 0; k < 4 && j + k < batch; ++k) {
            const auto idx = static_cast<std::size_t>(
                (static_cast<std::uint64_t>(r.v[k]) * static_cast<std::uint64_t>(n)) >> 32);
            g += profile.Slope(x - z[idx]);
          }
        }
      } else {
        const long long epoch = (t - 1) / per_epoch, slot = (t - 1) % per_epoch;
        if (slot == 0) {  // Fisher-Yates shuffle for this epoch, from the chain's own stream
          for (int i = n - 1; i > 0; --i) {
            const Philox4 r = PhiloxDraw(
                o.seed, (static_cast<std::uint64_t>(epoch) << 32) | static_cast<std::uint64_t>(i),
                chain, kBatchPurpose + 1);
            const auto j = static_cast<int>(
                (static_cast<std::uint64_t>(r.v[0]) * static_cast<std::uint64_t>(i + 1)) >> 32);
            std::swap(perm[static_cast<std::size_t>(i)], perm[static_cast<std::size_t>(j)]);
          }
        }
        for (int j = 0; j < batch; ++j)
          g += profile.Slope(
              x - z[static_cast<std::size_t>(perm[static_cast<std::size_t>(slot * batch + j)])]);
      }
      g /= batch;
      if (o.noise_std > 0) {
        if (((t - 1) & 3) == 0)
          detail::UnitNoise4(
              p.noise_kind,
              PhiloxDraw(o.seed, static_cast<std::uint64_t>((t - 1) >> 2), chain, kNoisePurpose),
              noise);
        g += o.noise_std * static_cast<double>(noise[(t - 1) & 3]);
      }
      g += o.weight_decay * x;
      v = o.momentum * v + g;
      x -= detail::LrAt(p, t) * v;
      const long long s = t - o.burnin;
      if (s >= 1) {
        const double d = x - w_hat;  // side statistics are relative to the training minimizer
        pos += d > 0 ? d : 0.0;
        neg += d < 0 ? -d : 0.0;
        flat += p.flat_sign * d > 0 ? 1.0 : 0.0;
        if (s >= o.avg_start && (s - o.avg_start) % o.avg_every == 0) avg += x;
      }
      bad |= !(std::fabs(x) <= o.divergence_bound);
    }
    out[static_cast<std::size_t>(c)] = {
        x, avg / static_cast<double>(detail::AveragedCount(p)), pos, neg, flat, bad};
    poll.Report(total - reported);
  }
  if (poll.Stopped()) throw Stopped();
  SimSummary s = Reduce(o, profile, out, w_hat);
  double train = 0.0;
  for (double zi : z) train += profile.Value(w_hat - zi);
  s.train_loss_at_w_hat = train / n;
  s.backend = "cpu";
  return s;
}

SimSummary SimulateValley(const SimOptions& o, const RunControl& control) {
  const theory::Valley valley(*o.valley);
  const int d = valley.dim();
  const Eigen::MatrixXd& q = valley.basis();
  std::vector<double> scale(static_cast<std::size_t>(d), o.noise_std);
  const bool per_direction = !o.noise_std_per_direction.empty();
  if (per_direction) scale = o.noise_std_per_direction;
  std::vector<double> flat_sign(static_cast<std::size_t>(d));
  for (int i = 0; i < d; ++i) flat_sign[static_cast<std::size_t>(i)] = FlatSign(valley.profile(i));
  const KernelParams p = MakeParams(o, 1.0);
  const long long chains = o.chains;
  // Per chain: average (rotated coords), last (rotated), flat fraction per direction, pos/neg along
  // 0.
  std::vector<Eigen::VectorXd> avg_y(static_cast<std::size_t>(chains)),
      last_y(static_cast<std::size_t>(chains));
  std::vector<Eigen::VectorXd> flat_frac(static_cast<std::size_t>(chains));
  std::vector<double> pos0(static_cast<std::size_t>(chains)),
      neg0(static_cast<std::size_t>(chains));
  std::vector<int> bad(static_cast<std::size_t>(chains), 0);
  detail::WorkPoll poll(control,
                        static_cast<double>(chains) * static_cast<double>(o.burnin + o.steps));
#pragma omp parallel for schedule(dynamic, 8)
  for (long long c = 0; c < chains; ++c) {
    if (poll.Stopped()) continue;
    const auto chain = static_cast<std::uint32_t>(c);
    Eigen::VectorXd w = Eigen::VectorXd::Constant(d, 0.0), vel = Eigen::VectorXd::Zero(d),
                    acc = Eigen::VectorXd::Zero(d);
    if (o.start.kind == StartKind::kValue) w.setConstant(o.start.value);
    if (o.start.kind == StartKind::kDrawn)
      for (int i = 0; i < d; ++i) {
        float z[4];
        NormalsFrom(PhiloxDraw(o.seed, static_cast<std::uint64_t>(i), chain, kStartPurpose), z);
        w[i] = o.start.value * static_cast<double>(z[0]);
      }
    Eigen::VectorXd flat = Eigen::VectorXd::Zero(d), xi(d), y(d);
    Eigen::MatrixXf noise(d, 4);
    double pos = 0, neg = 0;
    int is_bad = 0;
    const long long total = o.burnin + o.steps;
    long long reported = 0;
    for (long long t = 1; t <= total; ++t) {
      if (t - reported > detail::kPollSteps) {
        poll.Report(t - 1 - reported);
        reported = t - 1;
        if (poll.Stopped()) break;
      }
      const int k = static_cast<int>((t - 1) & 3);
      if (k == 0)
        for (int i = 0; i < d; ++i) {
          float z[4];
          detail::UnitNoise4(p.noise_kind,
                             PhiloxDraw(o.seed, static_cast<std::uint64_t>((t - 1) >> 2), chain,
                                        kNoisePurpose + 16u * static_cast<std::uint32_t>(i)),
                             z);
          for (int j = 0; j < 4; ++j) noise(i, j) = z[j];
        }
      for (int i = 0; i < d; ++i)
        xi[i] = scale[static_cast<std::size_t>(i)] * static_cast<double>(noise(i, k));
      Eigen::VectorXd g = valley.Gradient(w) + o.weight_decay * w;
      g += per_direction ? Eigen::VectorXd(q * xi)
                         : xi;  // per-direction noise lives in the rotated basis
      vel = o.momentum * vel + g;
      w -= detail::LrAt(p, t) * vel;
      const long long s = t - o.burnin;
      if (s >= 1) {
        y.noalias() = q.transpose() * w;
        for (int i = 0; i < d; ++i)
          flat[i] += flat_sign[static_cast<std::size_t>(i)] * y[i] > 0 ? 1.0 : 0.0;
        pos += y[0] > 0 ? y[0] : 0.0;
        neg += y[0] < 0 ? -y[0] : 0.0;
        if (s >= o.avg_start && (s - o.avg_start) % o.avg_every == 0) acc += w;
      }
      is_bad |= !(w.cwiseAbs().maxCoeff() <= o.divergence_bound);
    }
    const auto ci = static_cast<std::size_t>(c);
    avg_y[ci] = q.transpose() * (acc / static_cast<double>(detail::AveragedCount(p)));
    last_y[ci] = q.transpose() * w;
    flat_frac[ci] = flat / static_cast<double>(o.steps);
    pos0[ci] = pos / static_cast<double>(o.steps);
    neg0[ci] = neg / static_cast<double>(o.steps);
    bad[ci] = is_bad || !avg_y[ci].allFinite();
    poll.Report(total - reported);
  }
  if (poll.Stopped()) throw Stopped();
  SimSummary s;
  s.chains = chains;
  std::vector<std::size_t> ok;
  for (std::size_t c = 0; c < static_cast<std::size_t>(chains); ++c) {
    if (bad[c]) {
      ++s.diverged;
      if (s.diverged_chains.size() < 100) s.diverged_chains.push_back(static_cast<long long>(c));
    } else {
      ok.push_back(c);
    }
  }
  auto collect = [&](auto f) {
    std::vector<double> v;
    v.reserve(ok.size());
    for (std::size_t c : ok) v.push_back(f(c));
    return MeanAndError(v);
  };
  for (int i = 0; i < d; ++i) {
    s.mean_avg_per_direction.push_back(collect([&](std::size_t c) { return avg_y[c][i]; }));
    s.p_flat_per_direction.push_back(collect([&](std::size_t c) { return flat_frac[c][i]; }));
  }
  s.mean_avg = s.mean_avg_per_direction[0];
  s.p_flat = s.p_flat_per_direction[0];
  s.mean_last = collect([&](std::size_t c) { return last_y[c][0]; });
  s.mean_pos = collect([&](std::size_t c) { return pos0[c]; });
  s.mean_neg = collect([&](std::size_t c) { return neg0[c]; });
  s.risk_avg = s.risk_last = s.risk_min = s.beats_min_frac = {kNaN, kNaN};
  if (o.eval_shift && !ok.empty()) {
    // Test risk with an independent shift per rotated direction. Separable: sum of the 1-D risks
    // (exact). Coupled: Monte Carlo over 256 shift draws per point, the same draws for every point
    // (common random numbers), seeded by (seed, kShiftPurpose).
    const int draws = 256;
    std::vector<Eigen::VectorXd> deltas;
    if (!valley.separable())
      for (int m = 0; m < draws; ++m) {
        Eigen::VectorXd delta(d);
        for (int i = 0; i < d; i += 2) {
          const Philox4 r = PhiloxDraw(
              o.seed, static_cast<std::uint64_t>(m) * 4096u + static_cast<std::uint64_t>(i / 2), 0,
              kShiftPurpose);
          for (int k = 0; k < 2 && i + k < d; ++k) {
            const double u =
                std::min(std::max(UniformDouble(r.v[2 * k], r.v[2 * k + 1]), 1e-16), 1 - 1e-16);
            delta[i + k] = o.eval_shift->Quantile(u);
          }
        }
        deltas.push_back(delta);
      }
    auto risk = [&](const Eigen::VectorXd& yv) {
      if (valley.separable()) {
        double r = 0;
        for (int i = 0; i < d; ++i)
          r += theory::Risk(valley.profile(i), *o.eval_shift, yv[i]).value;
        return r;
      }
      double r = 0;
      for (const auto& delta : deltas) r += valley.Value(q * (yv + delta));
      return r / draws;
    };
    const double rmin = risk(Eigen::VectorXd::Zero(d));
    std::vector<double> ra(ok.size()), rl(ok.size()), beats(ok.size());
#pragma omp parallel for
    for (std::size_t j = 0; j < ok.size(); ++j) {
      ra[j] = risk(avg_y[ok[j]]);
      rl[j] = risk(last_y[ok[j]]);
      beats[j] = ra[j] < rmin ? 1.0 : 0.0;
    }
    s.risk_avg = MeanAndError(ra);
    s.risk_last = MeanAndError(rl);
    s.risk_min = {rmin, 0.0};
    s.beats_min_frac = MeanAndError(beats);
  }
  s.backend = "cpu";
  return s;
}

}  // namespace

double ResultBytes(const SimOptions& o) {
  // Per chain: its ChainOut (1-D), or its Eigen vectors and scalars (a valley); the start values.
  const double per_chain = o.valley ? 3.0 * (static_cast<double>(o.Dim()) * sizeof(double) + 32) +
                                          3 * sizeof(double) + sizeof(int)
                                    : static_cast<double>(sizeof(ChainOut) + sizeof(double));
  return static_cast<double>(o.chains) * per_chain;
}

SimSummary Simulate(const SimOptions& options, const RunControl& control) {
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  const double bytes = ResultBytes(options),
               physical = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                          static_cast<double>(::sysconf(_SC_PAGESIZE));
  if (physical > 0 && bytes > physical)
    throw std::invalid_argument(fmt::format(
        "SimOptions::chains = {} needs {:.3g} GB for the chains' results, more than this "
        "machine's {:.3g} GB of memory (allowed: chains <= {:.0f})",
        options.chains, bytes / 1e9, physical / 1e9,
        std::floor(physical / (bytes / static_cast<double>(options.chains)))));
  if (control.backend == Backend::kCuda && (options.valley || options.minibatch.data_size != 0))
    throw std::invalid_argument("sim: the CUDA backend runs 1-D valleys with additive noise only");
  const auto start = std::chrono::steady_clock::now();
  SimSummary s = options.valley
                     ? SimulateValley(options, control)
                     : (options.minibatch.data_size != 0 ? SimulateMinibatch(options, control)
                                                         : SimulateAdditive(options, control));
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double work = static_cast<double>(options.chains) *
                      static_cast<double>(options.burnin + options.steps) * options.Dim();
  s.chain_steps_per_s = s.seconds > 0 ? work / s.seconds : 0.0;
  s.threads = omp_get_max_threads();
  return s;
}

double EstimateSeconds(const SimOptions& options, Backend backend) {
  SimOptions pilot = options;
  pilot.chains = std::min<long long>(options.chains, 512);
  pilot.steps = std::min<long long>(options.steps, 4096);
  pilot.burnin = 0;
  pilot.avg_start = 1;
  pilot.avg_every = 1;
  if (pilot.lr.kind != LrKind::kConstant)
    pilot.lr.period = static_cast<int>(std::min<long long>(pilot.lr.period, pilot.steps));
  RunControl control;
  control.backend = backend;
  const auto start = std::chrono::steady_clock::now();
  Simulate(pilot, control);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double pilot_work = static_cast<double>(pilot.chains) * static_cast<double>(pilot.steps);
  const double work = static_cast<double>(options.chains) *
                      (static_cast<double>(options.burnin) + static_cast<double>(options.steps));
  return seconds / pilot_work * work;
}

}  // namespace valleys::sim
