#include "valleys/theory/sgd_chain.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "grid_chain.hpp"
#include "momentum_chain.hpp"
#include "validation.hpp"
#include "valleys/theory/analytic_profiles.hpp"

namespace valleys::theory {

bool ChainOptions::IsValid(const Profile& profile, std::string* why) const {
  using detail::Check;
  if (!Check(
          why, "sgd", "eta", eta, [](double v) { return v > 0; }, "eta > 0") ||
      !Check(
          why, "sgd", "s", noise_std, [](double v) { return v > 0; }, "s > 0") ||
      !Check(
          why, "sgd", "wd", weight_decay, [](double v) { return v >= 0; }, "wd >= 0") ||
      !Check(
          why, "sgd", "wd_offset", decay_offset, [](double) { return true; }, "finite") ||
      !Check(
          why, "sgd", "momentum", momentum, [](double v) { return v >= 0 && v < 1; },
          "0 <= momentum < 1") ||
      !Check(
          why, "sgd", "c", noise_growth, [](double v) { return v >= 0; }, "c >= 0"))
    return false;
  if (nesterov && !(momentum > 0))
    return detail::Fail(why, "sgd: nesterov needs momentum > 0 (allowed: 0 < momentum < 1)");
  if (HasMomentum() && noise == LawKind::kRademacher)
    return detail::Fail(why,
                        "sgd: momentum with rademacher noise is not supported (allowed: "
                        "gaussian or uniform noise)");
  if (noise_table_x.size() != noise_table_sd.size() ||
      (!noise_table_x.empty() && noise_table_x.size() < 2))
    return detail::Fail(why, fmt::format("sgd: the noise table has {} positions and {} standard "
                                         "deviations (allowed: equal counts, at least 2)",
                                         noise_table_x.size(), noise_table_sd.size()));
  for (std::size_t i = 0; i < noise_table_x.size(); ++i) {
    if (!std::isfinite(noise_table_x[i]) || (i > 0 && !(noise_table_x[i] > noise_table_x[i - 1])))
      return detail::Fail(why, fmt::format("sgd: noise table x[{}] = {} (allowed: finite, "
                                           "strictly increasing)",
                                           i, noise_table_x[i]));
    if (!(std::isfinite(noise_table_sd[i]) && noise_table_sd[i] > 0))
      return detail::Fail(why, fmt::format("sgd: noise table sd[{}] = {} (allowed: finite, > 0)", i,
                                           noise_table_sd[i]));
  }
  if (!noise_table_x.empty() && noise_growth > 0)
    return detail::Fail(why, "sgd: a noise table and c > 0 together (allowed: one of them)");
  // Local stability of the linearized step on curvature k = phi'' + lambda: 0 < eta k < L with
  // L = 2 (plain), 2 (1 + beta) (heavy ball), 2 (1 + beta) / (1 + 2 beta) (Nesterov); for
  // profiles with unbounded curvature the curvature at the minimum, and the solver's range check
  // guards the rest.
  const double k =
      std::isfinite(profile.MaxCurvature()) ? profile.MaxCurvature() : profile.Curvature(0.0);
  const double beta = momentum;
  const double factor =
      !HasMomentum() ? 2.0 : (nesterov ? 2 * (1 + beta) / (1 + 2 * beta) : 2 * (1 + beta));
  const double limit = factor / (k + weight_decay);
  if (k + weight_decay > 0 && !(eta < limit))
    return detail::Fail(why,
                        fmt::format("sgd: eta = {} is beyond the stability limit of {} (allowed: "
                                    "0 < eta < {:.6g} / (max curvature + wd) = {})",
                                    eta, profile.Spec(), factor, limit));
  return true;
}

double ChainOptions::NoiseStd(double x) const {
  if (noise_table_x.empty()) return noise_std * (1 + noise_growth * std::abs(x));
  const auto& tx = noise_table_x;
  const auto& ts = noise_table_sd;
  if (x <= tx.front()) return ts.front();
  if (x >= tx.back()) return ts.back();
  const std::size_t j =
      static_cast<std::size_t>(std::upper_bound(tx.begin(), tx.end(), x) - tx.begin());
  const double w = (x - tx[j - 1]) / (tx[j] - tx[j - 1]);
  return (1 - w) * ts[j - 1] + w * ts[j];
}

bool SolverOptions::IsValid(std::string* why) const {
  using detail::Check;
  return Check(
             why, "solver", "cells_per_step", cells_per_step,
             [](double v) { return v >= 4 && v <= 256; }, "4 <= cells_per_step <= 256") &&
         Check(
             why, "solver", "tail_mass", tail_mass, [](double v) { return v > 0 && v < 1e-3; },
             "0 < tail_mass < 1e-3") &&
         Check(
             why, "solver", "max_cells", max_cells, [](double v) { return v >= 100; },
             "max_cells >= 100") &&
         Check(
             why, "solver", "rademacher_subcells", rademacher_subcells,
             [](double v) { return v >= 1; }, "rademacher_subcells >= 1") &&
         Check(
             why, "solver", "mixing_tolerance", mixing_tolerance,
             [](double v) { return v > 0 && v <= 1e-3; }, "0 < mixing_tolerance <= 1e-3") &&
         Check(
             why, "solver", "max_bytes", max_bytes, [](double v) { return v >= 1e6; },
             "max_bytes >= 1e6") &&
         Check(
             why, "solver", "momentum_cells_per_step", momentum_cells_per_step,
             [](double v) { return v >= 1 && v <= 32; }, "1 <= momentum_cells_per_step <= 32");
}

namespace {

using detail::ChainModel;
using detail::Discretizer;
using detail::Grid;
using detail::GridChain;
using detail::MomentumChain;

struct RawStats {
  double mean = 0, p_pos = 0, mean_pos = 0, mean_neg = 0, mean_slope = 0;
};

RawStats Moments(ChainModel& chain) {
  RawStats s;
  const Eigen::VectorXd& pi = chain.Stationary();
  for (int i = 0; i < chain.size(); ++i) {
    const double c = chain.centres()[i], w = pi[i];
    s.mean += w * c;
    s.mean_slope += w * chain.forces()[i];
    if (c > 0) {
      s.p_pos += w;
      s.mean_pos += w * c;
    } else {
      s.mean_neg -= w * c;
    }
  }
  return s;
}

// Richardson extrapolation from h and h/2 for an error of order h^order.
double Richardson(double coarse, double fine, int order) {
  const double k = std::pow(2.0, order);
  return (k * fine - coarse) / (k - 1);
}

RawStats Extrapolate(const RawStats& coarse, const RawStats& fine, int order) {
  auto r = [order](double c, double f) { return Richardson(c, f, order); };
  return {r(coarse.mean, fine.mean), r(coarse.p_pos, fine.p_pos), r(coarse.mean_pos, fine.mean_pos),
          r(coarse.mean_neg, fine.mean_neg), r(coarse.mean_slope, fine.mean_slope)};
}

// The SDE temperature eta s^2 / (1 - beta), s the noise at 0 (the folded rate with momentum).
double Temperature(const ChainOptions& chain) {
  const double s = chain.NoiseStd(0.0);
  return chain.eta * s * s / (1 - chain.momentum);
}

// The potential V(x) - V(0) of the gradient g: phi plus the decay lambda (x^2 / 2 + c x).
double Potential(const Profile& profile, const ChainOptions& chain, double x) {
  return profile.Value(x) - profile.Value(0) +
         chain.weight_decay * (0.5 * x * x + chain.decay_offset * x);
}

// Distance from 0 on side `sign` where the SDE potential 2 V(x) / temperature exceeds `level`.
double PotentialReach(const Profile& profile, const ChainOptions& chain, double sign,
                      double level) {
  const double temp = Temperature(chain);
  auto potential = [&](double x) { return 2 * Potential(profile, chain, x) / temp; };
  double d = chain.eta * chain.NoiseStd(0.0);
  for (int i = 0; i < 200; ++i, d *= 1.5)
    if (potential(sign * d) >= level) return d;
  throw std::runtime_error(fmt::format(
      "sgd: the profile {} does not confine the chain on the {} side (loss does not rise)",
      profile.Spec(), sign > 0 ? "positive" : "negative"));
}

struct Range {
  double lo, hi;
};

// Bytes one grid chain of n cells takes: the transition matrix by rows and by columns (`run`
// entries per row), the LU band (`band` entries per row) and the vectors.
double GridBytes(double n, double run, double band) {
  return n * (8.0 * (2 * run + band + 16) + 40);
}

// Grid range holding all but solver.tail_mass of the stationary law on each side, found from the
// SDE potential and widened until a coarse solve confirms it.
Range StationaryRange(const Profile& profile, const ChainOptions& chain,
                      const SolverOptions& solver, const Discretizer& disc) {
  const double margin = 2 * disc.StepHalfWidth() + 10 * chain.eta * std::abs(profile.Slope(0.0));
  Range r{-(PotentialReach(profile, chain, -1, 46.0) + margin),
          PotentialReach(profile, chain, +1, 46.0) + margin};
  for (int attempt = 0; attempt < 30; ++attempt) {
    const double step = chain.eta * chain.NoiseStd(0.0);
    const double h = std::max(step / 4, (r.hi - r.lo) / 4000);
    GridChain coarse(detail::MakeGrid(r.lo, r.hi, h), disc);
    const Eigen::VectorXd& pi = coarse.Stationary();
    const int n = coarse.size();
    const int edge = std::max(1, n / 20);
    const double left = pi.head(edge).sum(), right = pi.tail(edge).sum();
    if (left <= solver.tail_mass && right <= solver.tail_mass) return r;
    if (left > solver.tail_mass) r.lo *= 1.5;
    if (right > solver.tail_mass) r.hi *= 1.5;
  }
  throw std::runtime_error(fmt::format(
      "sgd: the stationary law of {} at eta = {} does not fit in any tried range (unstable chain?)",
      profile.Spec(), chain.eta));
}

void Validate(const Profile& profile, const ChainOptions& chain, const SolverOptions& solver) {
  std::string why;
  if (!chain.IsValid(profile, &why) || !solver.IsValid(&why)) throw std::invalid_argument(why);
}

double CellWidth(const ChainOptions& chain, double cells_per_step, double refine) {
  // The two-point law's singular kernel needs 4x finer cells for the same accuracy (its band is
  // narrow, so this stays cheap).
  const double per_step = cells_per_step * (chain.noise == LawKind::kRademacher ? 4 : 1);
  return chain.eta * chain.NoiseStd(0.0) / (per_step * refine);
}

double CellCount(const Range& r, double h) {
  return std::ceil(-r.lo / h - 1e-9) + std::ceil(r.hi / h - 1e-9);
}

// Bytes of the coarse and fine grid chains of a solve with `cells_per_step` on range `r`.
double SolveBytes(const Range& r, const ChainOptions& chain, const Discretizer& disc,
                  double cells_per_step) {
  double bytes = 0.0;
  for (double refine : {1.0, 2.0}) {
    const double h = CellWidth(chain, cells_per_step, refine);
    const double cells = CellCount(r, h);
    const double run = 2 * disc.StepHalfWidthOver(r.lo, r.hi) / h + 4;
    const double band =
        2 *
            (disc.StepHalfWidthOver(r.lo, r.hi) + chain.eta * std::abs(disc.Force(r.lo)) +
             chain.eta * std::abs(disc.Force(r.hi))) /
            h +
        4;
    bytes += GridBytes(cells, std::min(run, cells), std::min(band, cells));
  }
  return bytes;
}

Grid FineGrid(const Range& r, const ChainOptions& chain, const SolverOptions& solver,
              const Discretizer& disc, double refine) {
  const double h = CellWidth(chain, solver.cells_per_step, refine);
  const double cells = CellCount(r, h);
  if (cells > solver.max_cells)
    throw std::runtime_error(fmt::format(
        "sgd: the grid needs {:.3g} cells (range [{:.4g}, {:.4g}] holding the start x0 and the "
        "stationary law, cell {:.3g}) but max_cells is {}; start nearer the minimum, lower "
        "cells_per_step or raise max_cells",
        cells, r.lo, r.hi, h, solver.max_cells));
  const double bytes = SolveBytes(r, chain, disc, solver.cells_per_step);
  if (bytes > solver.max_bytes) {
    int fits = solver.cells_per_step;
    while (fits > 4 && SolveBytes(r, chain, disc, fits) > solver.max_bytes) --fits;
    throw std::invalid_argument(fmt::format(
        "solver: cells_per_step = {} needs about {:.3g} GB for this chain (grids of {:.0f} and "
        "{:.0f} cells) but max_bytes is {:.3g} GB (allowed here: 4 <= cells_per_step <= {})",
        solver.cells_per_step, bytes / 1e9,
        CellCount(r, CellWidth(chain, solver.cells_per_step, 1)),
        CellCount(r, CellWidth(chain, solver.cells_per_step, 2)), solver.max_bytes / 1e9, fits));
  }
  return detail::MakeGrid(r.lo, r.hi, h);
}

// The ranges of x and y = eta v that a momentum chain's grid covers.
struct Ranges2 {
  Range x, y;
  bool operator==(const Ranges2& o) const {
    return x.lo == o.x.lo && x.hi == o.x.hi && y.lo == o.y.lo && y.hi == o.y.hi;
  }
};

double MomentumCellWidth(const ChainOptions& chain, const SolverOptions& solver, double refine) {
  return chain.eta * chain.NoiseStd(0.0) / (solver.momentum_cells_per_step * refine);
}

// Bytes of the coarse and fine momentum chains on `r` with `cells_per_step` (the coarse grid's).
double MomentumSolveBytes(const Ranges2& r, const ChainOptions& chain, const Discretizer& disc,
                          int cells_per_step) {
  SolverOptions s;
  s.momentum_cells_per_step = cells_per_step;
  const double cx = chain.nesterov ? 1 + chain.momentum : 1.0;
  double bytes = 0.0;
  for (double refine : {1.0, 2.0}) {
    const double h = MomentumCellWidth(chain, s, refine);
    const double states = CellCount(r.x, h) * CellCount(r.y, h);
    const double per_row = 2 * disc.StepHalfWidthOver(r.x.lo, r.x.hi) / h * (1 + cx) + 8;
    bytes += detail::MomentumChainBytes(states, per_row);
  }
  return bytes;
}

std::unique_ptr<MomentumChain> MakeMomentumChain(const Ranges2& r, const ChainOptions& chain,
                                                 const SolverOptions& solver,
                                                 const Discretizer& disc, double refine) {
  const double bytes = MomentumSolveBytes(r, chain, disc, solver.momentum_cells_per_step);
  if (bytes > solver.max_bytes) {
    int fits = solver.momentum_cells_per_step;
    while (fits > 1 && MomentumSolveBytes(r, chain, disc, fits) > solver.max_bytes) --fits;
    throw std::invalid_argument(fmt::format(
        "solver: momentum_cells_per_step = {} needs about {:.3g} GB for this chain (x in "
        "[{:.4g}, {:.4g}], eta v in [{:.4g}, {:.4g}]) but max_bytes is {:.3g} GB (allowed here: "
        "1 <= momentum_cells_per_step <= {})",
        solver.momentum_cells_per_step, bytes / 1e9, r.x.lo, r.x.hi, r.y.lo, r.y.hi,
        solver.max_bytes / 1e9, fits));
  }
  const double h = MomentumCellWidth(chain, solver, refine);
  return std::make_unique<MomentumChain>(detail::MakeGrid(r.x.lo, r.x.hi, h),
                                         detail::MakeGrid(r.y.lo, r.y.hi, h), disc);
}

// The stationary ranges of a momentum chain: x from the folded-rate SDE potential, eta v from the
// noise's stationary spread, both widened until the coarse chain's outer 5% of cells on every
// side hold at most solver.tail_mass. `checked` receives the coarse chain of the final ranges.
Ranges2 MomentumStationaryRanges(const Profile& profile, const ChainOptions& chain,
                                 const SolverOptions& solver, const Discretizer& disc,
                                 std::unique_ptr<MomentumChain>* checked) {
  const double beta = chain.momentum;
  const double margin = 2 * disc.StepHalfWidth() + 10 * chain.eta * std::abs(disc.Force(0.0));
  Ranges2 r;
  r.x = {-(PotentialReach(profile, chain, -1, 46.0) + margin),
         PotentialReach(profile, chain, +1, 46.0) + margin};
  const double y_half = disc.StepHalfWidth() / std::sqrt(1 - beta * beta) +
                        chain.eta * std::abs(disc.Force(0.0)) / (1 - beta);
  r.y = {-y_half, y_half};
  for (int attempt = 0; attempt < 30; ++attempt) {
    auto c = MakeMomentumChain(r, chain, solver, disc, 1.0);
    const std::array<double, 4> edge = c->EdgeMass(0.05);
    const double t = solver.tail_mass;
    // Mass can also jump off the grid from inside it (a steep side's gradient moves eta v by more
    // than the margin): then every side widens.
    const bool leaks = c->LostMass() > t;
    if (!leaks && edge[0] <= t && edge[1] <= t && edge[2] <= t && edge[3] <= t) {
      *checked = std::move(c);
      return r;
    }
    const double grow = leaks ? 2.0 : 1.5;
    if (leaks || edge[0] > t) r.x.lo *= grow;
    if (leaks || edge[1] > t) r.x.hi *= grow;
    if (leaks || edge[2] > t) r.y.lo *= grow;
    if (leaks || edge[3] > t) r.y.hi *= grow;
  }
  throw std::runtime_error(fmt::format(
      "sgd: the stationary law of {} at eta = {}, momentum = {} does not fit in any tried range "
      "(unstable chain?)",
      profile.Spec(), chain.eta, beta));
}

// The stationary ranges widened to hold the chain started at rest at x0: the noise-free path
// from (x0, 0) until it settles, with the stationary ranges' widths around it.
Ranges2 MomentumTransientRanges(const Ranges2& r, const ChainOptions& chain,
                                const Discretizer& disc, double x0) {
  if (x0 == 0.0) return r;
  const double beta = chain.momentum, eta = chain.eta;
  double x = x0, y = 0.0, x_min = x0, x_max = x0, y_min = 0.0, y_max = 0.0;
  int settled = 0;
  for (int t = 0; t < 1000000 && settled < 100; ++t) {
    const double g = disc.Force(x);
    const double y_next = beta * y + eta * g;
    x = chain.nesterov ? x - eta * g - beta * y_next : x - y_next;
    y = y_next;
    x_min = std::min(x_min, x), x_max = std::max(x_max, x);
    y_min = std::min(y_min, y), y_max = std::max(y_max, y);
    const bool inside =
        x > 0.25 * r.x.lo && x < 0.25 * r.x.hi && y > 0.25 * r.y.lo && y < 0.25 * r.y.hi;
    settled = inside ? settled + 1 : 0;
  }
  Ranges2 out = r;
  out.x = {std::min(r.x.lo, x_min + r.x.lo), std::max(r.x.hi, x_max + r.x.hi)};
  out.y = {std::min(r.y.lo, y_min + r.y.lo), std::max(r.y.hi, y_max + r.y.hi)};
  return out;
}

// The chain's statistics f on cell centres: x, x^+, x^-, 1{flat side}.
struct CellFunctions {
  Eigen::VectorXd x, pos, neg, flat;
};

CellFunctions MakeCellFunctions(const Eigen::VectorXd& c, double flat_sign) {
  CellFunctions f;
  f.x = c;
  f.pos = c.cwiseMax(0.0);
  f.neg = (-c).cwiseMax(0.0);
  f.flat = (flat_sign * c.array() > 0).cast<double>();
  return f;
}

double Span(const Eigen::VectorXd& v) {
  return v.maxCoeff() - v.minCoeff();
}

// Tracks the total-variation distance of a propagated law to the stationary one and decides when
// the rest of a horizon may be taken as stationary (see WindowStats::tail).
class MixingMonitor {
 public:
  MixingMonitor(const Eigen::VectorXd* pi, double tolerance) : pi_(pi), tolerance_(tolerance) {}

  // Records the law at step t; returns its total-variation distance (NaN without a unique law).
  double Observe(long long t, const Eigen::VectorXd& mass) {
    if (pi_ == nullptr) return std::numeric_limits<double>::quiet_NaN();
    tv_ = 0.5 * (mass - *pi_).lpNorm<1>();
    if (t % kEvery == 0 && tv_ > 0) {
      log_tv_.push_back(std::log(tv_));
      if (log_tv_.size() >= 4) {
        const std::size_t k = log_tv_.size() - 1;
        const double r0 = (log_tv_[k] - log_tv_[k - 1]) / kEvery,
                     r1 = (log_tv_[k - 1] - log_tv_[k - 2]) / kEvery,
                     r2 = (log_tv_[k - 2] - log_tv_[k - 3]) / kEvery;
        stable_ = r0 < 0 && std::abs(r0 - r1) <= 0.05 * std::abs(r0) &&
                  std::abs(r1 - r2) <= 0.05 * std::abs(r0);
        rate_ = r0;
        at_ = t;
        tv_at_ = tv_;
      }
    }
    return tv_;
  }
  bool Certified() const { return pi_ != nullptr && tv_ <= tolerance_; }
  // Whether the law at step s > current is within tolerance by the measured contraction (at half
  // its rate, from a distance of at most 0.1).
  bool ExtrapolatesBelow(long long s) const {
    if (!stable_ || tv_at_ > 0.1) return false;
    return tv_at_ * std::exp(0.5 * rate_ * static_cast<double>(s - at_)) <= tolerance_;
  }

 private:
  static constexpr long long kEvery = 16;
  const Eigen::VectorXd* pi_;
  double tolerance_, tv_ = 1.0, rate_ = 0.0, tv_at_ = 1.0;
  long long at_ = 0;
  bool stable_ = false;
  std::vector<double> log_tv_;
};

// One grid's answer to a WindowSpec (before Richardson).
struct GridWindow {
  double mean_avg = 0, mean_last = 0, p_flat = 0, mean_pos = 0, mean_neg = 0;
  double mean_avg_var = 0, p_flat_var = 0;  // Var of one chain's window averages (stationary)
  long long propagated = 0;
  std::string tail = "none";
};

// Var(sum_{t=1..N} f(x_t)) / N^2 along a stationary chain, up to terms that decay like the chain's
// correlations at lag N: (N avar - 2 sum_k k C_k) / N^2, sum_k k C_k = pi(f_c (h - g)) with
// (I - P) h = g.
double WindowVariance(ChainModel& chain, const Eigen::VectorXd& f, const Eigen::VectorXd& g,
                      double n) {
  const Eigen::VectorXd& pi = chain.Stationary();
  const Eigen::VectorXd fc = f.array() - pi.dot(f);
  const Eigen::VectorXd h = chain.Poisson(g);
  const double avar = 2 * pi.dot(fc.cwiseProduct(g)) - pi.dot(fc.cwiseProduct(fc));
  const double lag_sum = pi.dot(fc.cwiseProduct(h - g));
  return std::max(0.0, (n * avar - 2 * lag_sum) / (n * n));
}

// One grid's window statistics. Without `lead`, the law is propagated until the needed steps are
// done or the tail rule of WindowStats::tail stops it; with `lead` (the coarse grid's answer), the
// stop step and tail rule of `lead` are used: both grids discretize one chain, and the coarse grid
// measures its mixing for both.
GridWindow SolveWindow(ChainModel& chain, const WindowSpec& w, double flat_sign, double tolerance,
                       const GridWindow* lead = nullptr) {
  const Eigen::VectorXd& pi = chain.Stationary();
  const bool unique = chain.HasPoisson();
  const CellFunctions f = MakeCellFunctions(chain.centres(), flat_sign);
  const bool strided = w.avg_every > 1;
  const long long avg_count = (w.avg_last - w.avg_first) / w.avg_every + 1;
  const double rec_count = static_cast<double>(w.rec_last - w.rec_first + 1);

  // Poisson solutions: a window sum is N pi(f) + p_first g - p_{last+1} g.
  struct Probe {
    const Eigen::VectorXd* f;
    Eigen::VectorXd g;
    double span = 0;
  };
  std::vector<Probe> probes;
  if (unique)
    for (const Eigen::VectorXd* v : {&f.x, &f.flat, &f.pos, &f.neg}) {
      Probe p{v, chain.Poisson(*v), 0.0};
      p.span = Span(p.g);
      probes.push_back(std::move(p));
    }
  // Steps whose laws are needed: p_t g at the window ends, E[x] at rec_last.
  std::vector<long long> needed{w.rec_first, w.rec_last + 1, w.rec_last};
  if (!strided) needed.push_back(w.avg_first), needed.push_back(w.avg_last + 1);
  std::sort(needed.begin(), needed.end());
  long long horizon = std::max(needed.back(), strided ? w.avg_last : static_cast<long long>(0));
  if (lead != nullptr && lead->tail != "none") {
    horizon = 1;  // the largest step <= lead's stop that anything needs
    for (long long t : needed)
      if (t <= lead->propagated) horizon = std::max(horizon, t);
    if (strided) horizon = std::max(horizon, std::min(lead->propagated, w.avg_last));
  }
  std::map<long long, std::vector<double>> at;  // t -> p_t g per probe, then p_t x

  GridWindow out;
  MixingMonitor monitor(unique ? &pi : nullptr, tolerance);
  Eigen::VectorXd mass = chain.FirstStep(w.x0), next;
  double strided_sum = 0.0;
  long long strided_done = 0, t = 1;
  auto record = [&](long long step) {
    std::vector<double> v;
    for (const Probe& p : probes) v.push_back(mass.dot(p.g));
    v.push_back(mass.dot(f.x));
    at[step] = v;
  };
  std::vector<double> rec_flat_direct(3, 0.0);  // without a unique law: direct time sums
  for (;; ++t) {
    if (t > 1) {
      chain.Step(mass, next);
      mass.swap(next);
    }
    if (std::binary_search(needed.begin(), needed.end(), t)) record(t);
    if (strided && t >= w.avg_first && t <= w.avg_last && (t - w.avg_first) % w.avg_every == 0) {
      strided_sum += mass.dot(f.x);
      ++strided_done;
    }
    if (!unique && t >= w.avg_first && t <= w.avg_last && !strided) strided_sum += mass.dot(f.x);
    if (!unique && t >= w.rec_first && t <= w.rec_last) {
      rec_flat_direct[0] += mass.dot(f.flat);
      rec_flat_direct[1] += mass.dot(f.pos);
      rec_flat_direct[2] += mass.dot(f.neg);
    }
    out.propagated = t;
    if (t >= horizon) {
      if (lead != nullptr) out.tail = lead->tail;
      break;
    }
    if (lead != nullptr) continue;
    monitor.Observe(t, mass);
    if (!unique) continue;
    if (monitor.Certified()) {
      out.tail = "certified";
      break;
    }
    const auto next_needed = std::upper_bound(needed.begin(), needed.end(), t);
    const long long s = next_needed == needed.end() ? horizon : *next_needed;
    if (!strided || t >= w.avg_last) {
      if (monitor.ExtrapolatesBelow(s)) {
        out.tail = "extrapolated";
        break;
      }
    }
  }
  // Steps past the stop: stationary (pi g = 0, E[x] = pi(x)).
  const double m = pi.dot(f.x);
  auto value = [&](long long step, std::size_t k) {
    const auto it = at.find(step);
    if (it != at.end()) return it->second[k];
    return k < probes.size() ? 0.0 : m;
  };
  auto window_mean = [&](std::size_t k, long long first, long long last) {
    const double n = static_cast<double>(last - first + 1);
    return pi.dot(*probes[k].f) + (value(first, k) - value(last + 1, k)) / n;
  };
  out.mean_last = value(w.rec_last, probes.size());
  if (unique) {
    out.p_flat = window_mean(1, w.rec_first, w.rec_last);
    out.mean_pos = window_mean(2, w.rec_first, w.rec_last);
    out.mean_neg = window_mean(3, w.rec_first, w.rec_last);
    if (strided) {
      const long long rest = avg_count - strided_done;
      out.mean_avg = (strided_sum + m * static_cast<double>(rest)) / static_cast<double>(avg_count);
    } else {
      out.mean_avg = window_mean(0, w.avg_first, w.avg_last);
      out.mean_avg_var = WindowVariance(chain, f.x, probes[0].g, static_cast<double>(avg_count));
    }
    out.p_flat_var = WindowVariance(chain, f.flat, probes[1].g, rec_count);
  } else {
    out.mean_avg = strided_sum / static_cast<double>(avg_count);
    out.p_flat = rec_flat_direct[0] / rec_count;
    out.mean_pos = rec_flat_direct[1] / rec_count;
    out.mean_neg = rec_flat_direct[2] / rec_count;
    out.mean_avg_var = out.p_flat_var = std::numeric_limits<double>::quiet_NaN();
  }
  return out;
}

}  // namespace

bool WindowSpec::IsValid(std::string* why) const {
  using detail::Fail;
  if (!std::isfinite(x0)) return Fail(why, fmt::format("window: x0 = {} is not finite", x0));
  if (!(avg_first >= 1 && avg_last >= avg_first && avg_every >= 1))
    return Fail(why, fmt::format("window: avg_first = {}, avg_last = {}, avg_every = {} is not a "
                                 "window (allowed: 1 <= avg_first <= avg_last, avg_every >= 1)",
                                 avg_first, avg_last, avg_every));
  if (!(rec_first >= 1 && rec_last >= rec_first))
    return Fail(why, fmt::format("window: rec_first = {}, rec_last = {} is not a window (allowed: "
                                 "1 <= rec_first <= rec_last)",
                                 rec_first, rec_last));
  if (avg_last > 4000000000000000000LL || rec_last > 4000000000000000000LL)
    return Fail(why, "window: steps beyond 4e18 are out of range");
  return true;
}

struct ExactChain::Impl {
  Impl(const Profile& p, const ChainOptions& c, const SolverOptions& s)
      : profile(p), chain(c), solver(s), disc((Validate(p, c, s), p), c, s) {
    if (chain.HasMomentum())
      ranges = MomentumStationaryRanges(p, c, s, disc, &checked);
    else
      range = StationaryRange(p, c, s, disc);
  }

  // The coarse (refine 1) and fine (refine 2) chains that hold the stationary law and the chain
  // started at x0, cached for the last range asked.
  std::pair<ChainModel*, ChainModel*> Chains(double x0) {
    if (chain.HasMomentum()) {
      const Ranges2 r = MomentumTransientRanges(ranges, chain, disc, x0);
      if (!coarse || !(r == cached2)) {
        if (checked && r == ranges)
          coarse = std::move(checked);
        else
          coarse = MakeMomentumChain(r, chain, solver, disc, 1.0);
        fine = MakeMomentumChain(r, chain, solver, disc, 2.0);
        cached2 = r;
      }
      return {coarse.get(), fine.get()};
    }
    const Range r = TransientRange(x0);
    if (!coarse || r.lo != cached.lo || r.hi != cached.hi) {
      const Grid gc = FineGrid(r, chain, solver, disc, 1.0);
      const Grid gf = FineGrid(r, chain, solver, disc, 2.0);
      coarse = std::make_unique<GridChain>(gc, disc);
      fine = std::make_unique<GridChain>(gf, disc);
      cached = r;
    }
    return {coarse.get(), fine.get()};
  }
  // The stationary range, widened to hold the first steps from x0 (a start at the centre 0 is
  // inside the stationary range's margin already).
  Range TransientRange(double x0) const {
    Range r = range;
    if (x0 == 0.0) return r;
    const double pad = 4 * disc.StepHalfWidth() + 10 * chain.eta * std::abs(profile.Slope(x0));
    r.lo = std::min(r.lo, x0 - pad);
    r.hi = std::max(r.hi, x0 + pad);
    return r;
  }
  double FlatSign() const { return profile.FlatSide() == Side::kNegative ? -1.0 : 1.0; }
  std::string Method() const {
    if (!chain.HasMomentum()) return "ulam";
    return chain.nesterov ? "ulam-2d-nesterov" : "ulam-2d-heavy-ball";
  }

  const Profile& profile;
  ChainOptions chain;
  SolverOptions solver;
  Discretizer disc;
  Range range{0, 0};  // without momentum
  Ranges2 ranges{};   // with momentum
  Range cached{0, 0};
  Ranges2 cached2{};
  std::unique_ptr<MomentumChain> checked;  // the range search's coarse chain, until used
  std::unique_ptr<ChainModel> coarse, fine;
  // Windows already answered (runs that share a chain and a window, e.g. a sweep over seeds).
  std::map<std::tuple<double, long long, long long, long long, long long, long long>, WindowStats>
      windows;
};

ExactChain::ExactChain(const Profile& profile, const ChainOptions& chain,
                       const SolverOptions& solver)
    : impl_(std::make_unique<Impl>(profile, chain, solver)) {}

ExactChain::~ExactChain() = default;

StationaryStats ExactChain::Stationary() {
  Impl& m = *impl_;
  auto [coarse, fine] = m.Chains(0.0);
  auto stats = [&](ChainModel* c) { return Moments(*c); };
  const RawStats rc = stats(coarse);
  RawStats best = rc;
  StationaryStats out;
  bool from_zero = coarse->FromZero();
  out.method = m.Method();
  out.cells = coarse->size();
  if (m.solver.richardson) {
    const RawStats rf = stats(fine);
    from_zero = from_zero || fine->FromZero();
    // Smooth stationary densities: O(h^2). Lattice chains (propagated from 0, mass on cell edges
    // represented at cell centres): O(h).
    const int order = from_zero ? 1 : 2;
    best = Extrapolate(rc, rf, order);
    out.mean_error = std::abs(rf.mean - rc.mean) / (std::pow(2.0, order) - 1);
    out.method = m.Method() + "+richardson";
    out.cells = fine->size();
  }
  if (from_zero) out.method += "+propagation";
  out.mean = best.mean;
  out.p_pos = best.p_pos;
  out.mean_pos = best.mean_pos;
  out.mean_neg = best.mean_neg;
  out.mean_slope = best.mean_slope;
  out.p_flat = m.profile.FlatSide() == Side::kNegative ? 1.0 - best.p_pos : best.p_pos;
  out.lo = m.chain.HasMomentum() ? m.ranges.x.lo : m.range.lo;
  out.hi = m.chain.HasMomentum() ? m.ranges.x.hi : m.range.hi;
  return out;
}

TransientStats ExactChain::Transient(double x0, long long T) {
  Impl& m = *impl_;
  if (!std::isfinite(x0))
    throw std::invalid_argument(fmt::format("sgd: x0 = {} is not finite", x0));
  if (T < 1 || T > 10000000)
    throw std::invalid_argument(
        fmt::format("sgd: T = {} is out of range (allowed: 1 <= T <= 1e7)", T));
  // Plain pointers, not a structured binding: the OpenMP region below refers to them.
  const auto chains = m.Chains(x0);
  ChainModel* const coarse = chains.first;
  ChainModel* const fine = chains.second;
  TransientStats out;
  struct Run {
    std::vector<double> means;
    long long propagated = 0;
    double bound = 0.0;
  };
  auto run = [&](ChainModel* c) {
    Run r;
    const Eigen::VectorXd& pi = c->Stationary();
    MixingMonitor monitor(c->HasPoisson() ? &pi : nullptr, m.solver.mixing_tolerance);
    Eigen::VectorXd mass = c->FirstStep(x0), next;
    std::vector<double>& means = r.means;
    means.reserve(static_cast<std::size_t>(T) + 1);
    means.push_back(x0);
    for (long long t = 1; t <= T; ++t) {
      if (t > 1) {
        c->Step(mass, next);
        mass.swap(next);
      }
      means.push_back(mass.dot(c->centres()));
      r.propagated = t;
      if (t < T && (monitor.Observe(t, mass), monitor.Certified())) {
        r.bound = 0.5 * (mass - pi).lpNorm<1>() * Span(c->centres());
        means.resize(static_cast<std::size_t>(T) + 1, pi.dot(c->centres()));
        break;
      }
    }
    return r;
  };
  // The two grids propagate side by side (one thread each, no barrier per step) when the work is
  // worth a thread team (T x cells above 4e6: tens of milliseconds).
  Run rc, f;
  // (The momentum chains' products run on Eigen's own thread team instead.)
  const bool parallel =
      m.solver.richardson && !m.chain.HasMomentum() && static_cast<double>(T) * fine->size() > 4e6;
  std::exception_ptr failure;
#pragma omp parallel sections num_threads(2) if (parallel)
  {
#pragma omp section
    {
      try {
        rc = run(coarse);
      } catch (...) {
#pragma omp critical(valleys_transient)
        failure = std::current_exception();
      }
    }
#pragma omp section
    {
      if (m.solver.richardson) try {
          f = run(fine);
        } catch (...) {
#pragma omp critical(valleys_transient)
          failure = std::current_exception();
        }
    }
  }
  if (failure) std::rethrow_exception(failure);
  out.mean_t = std::move(rc.means);
  out.propagated_steps = std::max(rc.propagated, f.propagated);
  out.truncation_bound = std::max(rc.bound, f.bound);
  if (m.solver.richardson)
    for (std::size_t t = 1; t < f.means.size(); ++t)
      out.mean_t[t] = Richardson(out.mean_t[t], f.means[t], 2);
  double sum = 0.0;
  for (long long t = 1; t <= T; ++t) sum += out.mean_t[static_cast<std::size_t>(t)];
  out.mean_avg_T = sum / static_cast<double>(T);
  return out;
}

WindowStats ExactChain::Window(const WindowSpec& spec) {
  std::string why;
  if (!spec.IsValid(&why)) throw std::invalid_argument(why);
  Impl& m = *impl_;
  const auto key = std::make_tuple(spec.x0, spec.avg_first, spec.avg_last, spec.avg_every,
                                   spec.rec_first, spec.rec_last);
  if (const auto hit = m.windows.find(key); hit != m.windows.end()) return hit->second;
  auto [coarse, fine] = m.Chains(spec.x0);
  const double tol = m.solver.mixing_tolerance;
  const GridWindow c = SolveWindow(*coarse, spec, m.FlatSign(), tol);
  GridWindow best = c;
  if (m.solver.richardson) {
    const GridWindow f = SolveWindow(*fine, spec, m.FlatSign(), tol, &c);
    auto r = [](double a, double b) { return Richardson(a, b, 2); };
    best = {r(c.mean_avg, f.mean_avg),
            r(c.mean_last, f.mean_last),
            r(c.p_flat, f.p_flat),
            r(c.mean_pos, f.mean_pos),
            r(c.mean_neg, f.mean_neg),
            r(c.mean_avg_var, f.mean_avg_var),
            r(c.p_flat_var, f.p_flat_var),
            std::max(c.propagated, f.propagated),
            c.tail};
  }
  WindowStats out;
  out.mean_avg = best.mean_avg;
  out.mean_last = best.mean_last;
  out.p_flat = best.p_flat;
  out.mean_pos = best.mean_pos;
  out.mean_neg = best.mean_neg;
  if (spec.avg_every == 1 && std::isfinite(best.mean_avg_var))
    out.mean_avg_sd = std::sqrt(std::max(0.0, best.mean_avg_var));
  if (std::isfinite(best.p_flat_var)) out.p_flat_sd = std::sqrt(std::max(0.0, best.p_flat_var));
  out.propagated_steps = best.propagated;
  out.tail = best.tail;
  m.windows.emplace(key, out);
  return out;
}

VarianceStats ExactChain::Variance() {
  Impl& m = *impl_;
  auto [coarse, fine] = m.Chains(0.0);
  auto one = [&](ChainModel* c) {
    VarianceStats v;
    if (!c->HasPoisson()) {
      const double nan = std::numeric_limits<double>::quiet_NaN();
      return VarianceStats{nan, nan, nan, nan, nan, nan};
    }
    const Eigen::VectorXd& pi = c->Stationary();
    const CellFunctions f = MakeCellFunctions(c->centres(), m.FlatSign());
    auto fill = [&](const Eigen::VectorXd& fv, double* var, double* avar) {
      const Eigen::VectorXd fc = fv.array() - pi.dot(fv);
      const Eigen::VectorXd g = c->Poisson(fv);
      *var = pi.dot(fc.cwiseProduct(fc));
      *avar = 2 * pi.dot(fc.cwiseProduct(g)) - *var;
    };
    fill(f.x, &v.var_x, &v.avar_x);
    fill(f.flat, &v.var_flat, &v.avar_flat);
    return v;
  };
  VarianceStats out = one(coarse);
  if (m.solver.richardson) {
    const VarianceStats f = one(fine);
    out.var_x = Richardson(out.var_x, f.var_x, 2);
    out.avar_x = Richardson(out.avar_x, f.avar_x, 2);
    out.var_flat = Richardson(out.var_flat, f.var_flat, 2);
    out.avar_flat = Richardson(out.avar_flat, f.avar_flat, 2);
  }
  out.tau_x = out.avar_x / out.var_x;
  out.tau_flat = out.avar_flat / out.var_flat;
  return out;
}

StationaryStats SolveStationary(const Profile& profile, const ChainOptions& chain,
                                const SolverOptions& solver) {
  return ExactChain(profile, chain, solver).Stationary();
}

StationaryDensity SolveStationaryDensity(const Profile& profile, const ChainOptions& chain,
                                         const SolverOptions& solver) {
  Validate(profile, chain, solver);
  const Discretizer disc(profile, chain, solver);
  StationaryDensity out;
  if (chain.HasMomentum()) {  // the marginal law of x
    std::unique_ptr<MomentumChain> checked;
    const Ranges2 r = MomentumStationaryRanges(profile, chain, solver, disc, &checked);
    auto fine = MakeMomentumChain(r, chain, solver, disc, 2.0);
    const Eigen::VectorXd& pi = fine->Stationary();
    const Grid& gx = fine->x_grid();
    const int ny = fine->y_grid().n;
    for (int i = 0; i < gx.n; ++i) {
      out.x.push_back(gx.Centre(i));
      out.density.push_back(pi.segment(static_cast<Eigen::Index>(i) * ny, ny).sum() / gx.h);
    }
    return out;
  }
  const Range range = StationaryRange(profile, chain, solver, disc);
  GridChain fine(FineGrid(range, chain, solver, disc, 2.0), disc);
  const Eigen::VectorXd& pi = fine.Stationary();
  for (int i = 0; i < fine.grid().n; ++i) {
    out.x.push_back(fine.grid().Centre(i));
    out.density.push_back(pi[i] / fine.grid().h);
  }
  return out;
}

TransientStats SolveTransient(const Profile& profile, const ChainOptions& chain, double x0,
                              long long T, const SolverOptions& solver) {
  return ExactChain(profile, chain, solver).Transient(x0, T);
}

SdeStats SdeStationary(const Profile& profile, const ChainOptions& chain) {
  std::string why;
  if (!chain.IsValid(profile, &why)) throw std::invalid_argument(why);
  const double temp = Temperature(chain);  // eta s^2 / (1 - beta)
  SdeStats out;
  if (chain.StateDependentNoise()) {  // not a Gibbs density: no SDE reference
    out.mean = out.p_flat = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  if (chain.weight_decay == 0.0) {
    if (const auto* q = dynamic_cast<const QuadraticProfile*>(&profile)) {  // S2
      const double rp = std::sqrt(q->hplus()), rm = std::sqrt(q->hminus());
      out.mean = std::sqrt(temp / M_PI) * (1 / rp - 1 / rm);
      const double p_pos = rm / (rp + rm);
      out.p_flat = profile.FlatSide() == Side::kNegative ? 1 - p_pos : p_pos;
      out.closed_form = true;
      return out;
    }
    if (const auto* lin = dynamic_cast<const LinearProfile*>(&profile)) {  // S3
      const double c = lin->c();
      out.mean = temp * (1 - 1 / c) / (2 * lin->p());
      const double p_pos = c / (1 + c);
      out.p_flat = profile.FlatSide() == Side::kNegative ? 1 - p_pos : p_pos;
      out.closed_form = true;
      return out;
    }
  }
  // Gibbs density exp(-2 V / (eta s^2)) by quadrature, split at the kinks.
  const double lo = -PotentialReach(profile, chain, -1, 60.0),
               hi = PotentialReach(profile, chain, +1, 60.0);
  auto weight = [&](double x) { return std::exp(-2 * Potential(profile, chain, x) / temp); };
  std::vector<double> points{lo, 0.0, hi};
  for (double k : profile.Kinks())
    if (k > lo && k < hi) points.push_back(k);
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  double z = 0, m = 0, pos = 0;
  using GK = boost::math::quadrature::gauss_kronrod<double, 61>;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    const double a = points[i], b = points[i + 1];
    const double zi = GK::integrate(weight, a, b, 15, 1e-12);
    z += zi;
    m += GK::integrate([&](double x) { return x * weight(x); }, a, b, 15, 1e-12);
    if (a >= 0) pos += zi;
  }
  out.mean = m / z;
  const double p_pos = pos / z;
  out.p_flat = profile.FlatSide() == Side::kNegative ? 1 - p_pos : p_pos;
  return out;
}

}  // namespace valleys::theory
