#include "valleys/theory/sgd_chain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <Eigen/Sparse>
#include <Eigen/SparseLU>
#include <boost/math/quadrature/gauss_kronrod.hpp>

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
          why, "sgd", "wd", weight_decay, [](double v) { return v >= 0; }, "wd >= 0"))
    return false;
  // Local stability: |1 - eta (phi'' + lambda)| < 1 wherever phi'' is bounded; for profiles with
  // unbounded curvature (LINEX) at the minimum, and the solver's range check guards the rest.
  const double k =
      std::isfinite(profile.MaxCurvature()) ? profile.MaxCurvature() : profile.Curvature(0.0);
  const double limit = 2.0 / (k + weight_decay);
  if (k + weight_decay > 0 && !(eta < limit))
    return detail::Fail(why,
                        fmt::format("sgd: eta = {} is beyond the stability limit of {} (allowed: "
                                    "0 < eta < 2 / (max curvature + wd) = {})",
                                    eta, profile.Spec(), limit));
  return true;
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
             [](double v) { return v >= 1; }, "rademacher_subcells >= 1");
}

namespace {

constexpr double kGaussNodes[4] = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                   0.8611363115940526};
constexpr double kGaussWeights[4] = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                     0.3478548451374538};

struct Grid {
  double lo = 0, h = 0;  // cells [lo + i h, lo + (i + 1) h), i = 0..n-1; 0 is an edge
  int n = 0;
  double Edge(int i) const { return lo + i * h; }
  double Centre(int i) const { return lo + (i + 0.5) * h; }
  int ZeroCell() const { return static_cast<int>(std::lround(-lo / h)); }  // the cell [0, h)
  Eigen::VectorXd Centres() const {
    Eigen::VectorXd c(n);
    for (int i = 0; i < n; ++i) c[i] = Centre(i);
    return c;
  }
};

Grid MakeGrid(double lo, double hi, double h) {
  Grid g;
  const double n_neg = std::ceil(-lo / h - 1e-9), n_pos = std::ceil(hi / h - 1e-9);
  g.h = h;
  g.lo = -n_neg * h;
  g.n = static_cast<int>(n_neg + n_pos);
  return g;
}

// One chain step, discretized: x' = drift(x) - eta omega.
class Discretizer {
 public:
  Discretizer(const Profile& profile, const ChainOptions& chain, const SolverOptions& solver)
      : profile_(profile),
        chain_(chain),
        solver_(solver),
        step_law_(chain.noise,
                  chain.eta * SymmetricLaw::WithStdDev(chain.noise, chain.noise_std).scale()),
        kinks_(profile.Kinks()) {
    std::sort(kinks_.begin(), kinks_.end());
  }

  double Drift(double x) const {
    return x - chain_.eta * (profile_.Slope(x) + chain_.weight_decay * x);
  }
  double Force(double x) const { return profile_.Slope(x) + chain_.weight_decay * x; }
  double StepHalfWidth() const { return step_law_.EffectiveHalfWidth(); }

  // Adds the law of x' given x = `from` with probability weight `w` into `row` (length grid.n).
  void Scatter(const Grid& grid, double from, double w, std::vector<double>& row) const {
    const double m = Drift(from);
    if (step_law_.IsDiscrete()) {
      for (double jump : {-step_law_.scale(), step_law_.scale()}) {
        const int j = static_cast<int>(std::floor((m + jump - grid.lo) / grid.h));
        if (j >= 0 && j < grid.n) row[static_cast<std::size_t>(j)] += 0.5 * w;
      }
      return;
    }
    const double reach = StepHalfWidth();
    const int j0 = std::max(0, static_cast<int>(std::floor((m - reach - grid.lo) / grid.h)));
    const int j1 =
        std::min(grid.n - 1, static_cast<int>(std::floor((m + reach - grid.lo) / grid.h)));
    if (j0 > j1) return;
    double below = step_law_.Cdf(grid.Edge(j0) - m);
    for (int j = j0; j <= j1; ++j) {
      const double above = step_law_.Cdf(grid.Edge(j + 1) - m);
      row[static_cast<std::size_t>(j)] += w * (above - below);
      below = above;
    }
  }

  // Quadrature nodes (x, weight summing to 1) for a state spread uniformly over cell i.
  template <typename F>
  void ForEachNode(const Grid& grid, int i, F f) const {
    const double a = grid.Edge(i), b = grid.Edge(i + 1);
    if (step_law_.IsDiscrete()) {
      const int m = solver_.rademacher_subcells;
      for (int k = 0; k < m; ++k) f(a + (k + 0.5) * grid.h / m, 1.0 / m);
      return;
    }
    auto first = std::upper_bound(kinks_.begin(), kinks_.end(), a);
    double left = a;
    for (auto it = first;; ++it) {
      const double right = (it != kinks_.end() && *it < b) ? *it : b;
      const double half = 0.5 * (right - left), mid = 0.5 * (right + left);
      for (int q = 0; q < 4; ++q) f(mid + half * kGaussNodes[q], kGaussWeights[q] * half / grid.h);
      if (right >= b) break;
      left = right;
    }
  }

  Eigen::SparseMatrix<double, Eigen::RowMajor> Transition(const Grid& grid) const {
    std::vector<Eigen::Triplet<double>> triplets;
    std::vector<double> row(static_cast<std::size_t>(grid.n), 0.0);
    for (int i = 0; i < grid.n; ++i) {
      int touched_lo = grid.n, touched_hi = -1;
      ForEachNode(grid, i, [&](double x, double w) {
        const double m = Drift(x), reach = StepHalfWidth() + grid.h;
        touched_lo =
            std::min(touched_lo, std::max(0, static_cast<int>((m - reach - grid.lo) / grid.h) - 1));
        touched_hi = std::min(
            grid.n - 1, std::max(touched_hi, static_cast<int>((m + reach - grid.lo) / grid.h) + 1));
        Scatter(grid, x, w, row);
      });
      for (int j = touched_lo; j <= touched_hi; ++j) {
        double& v = row[static_cast<std::size_t>(j)];
        if (v != 0.0) triplets.emplace_back(i, j, v);
        v = 0.0;
      }
    }
    Eigen::SparseMatrix<double, Eigen::RowMajor> p(grid.n, grid.n);
    p.setFromTriplets(triplets.begin(), triplets.end());
    return p;
  }

  // Cell averages of the force phi'(x) + lambda x (for the S1 check).
  Eigen::VectorXd CellForce(const Grid& grid) const {
    Eigen::VectorXd out(grid.n);
    for (int i = 0; i < grid.n; ++i) {
      double acc = 0.0;
      ForEachNode(grid, i, [&](double x, double w) { acc += w * Force(x); });
      out[i] = acc;
    }
    return out;
  }

 private:
  const Profile& profile_;
  ChainOptions chain_;
  SolverOptions solver_;
  SymmetricLaw step_law_;
  std::vector<double> kinks_;
};

// Long-run law of the discretized chain started at 0: averages of the laws p_t over t in (T/2, T],
// T doubled until the mean moves by less than 1e-12 (in units of the grid range).
Eigen::VectorXd LongRunFromZero(const Eigen::SparseMatrix<double, Eigen::RowMajor>& p,
                                int zero_cell, const Eigen::VectorXd& centres) {
  const Eigen::SparseMatrix<double> pt = p.transpose();
  const int n = static_cast<int>(p.rows());
  const double range = centres[n - 1] - centres[0];
  double previous_mean = std::numeric_limits<double>::quiet_NaN();
  for (long long horizon = 1024; horizon <= (1LL << 22); horizon *= 2) {
    Eigen::VectorXd mass = Eigen::VectorXd::Zero(n), acc = Eigen::VectorXd::Zero(n);
    mass[zero_cell] = 1.0;
    for (long long t = 1; t <= horizon; ++t) {
      mass = pt * mass;
      if (t > horizon / 2) acc += mass;
    }
    acc /= acc.sum();
    const double mean = acc.dot(centres);
    if (std::abs(mean - previous_mean) < 1e-12 * range) return acc;
    previous_mean = mean;
  }
  throw std::runtime_error(
      "sgd: the long-run law of the two-point-noise chain did not settle within 4e6 steps");
}

// Stationary cell masses: pi P = pi, sum pi = 1, by a sparse LU solve of (P^T - I) with the last
// equation replaced by the normalization (natural ordering keeps the band structure). Falls back to
// LongRunFromZero when the system is singular (several closed classes, e.g. lattice chains).
Eigen::VectorXd StationaryMasses(const Eigen::SparseMatrix<double, Eigen::RowMajor>& p,
                                 int zero_cell, const Eigen::VectorXd& centres, bool* from_zero) {
  const int n = static_cast<int>(p.rows());
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(static_cast<std::size_t>(p.nonZeros() + 2 * n));
  for (int i = 0; i < n; ++i)
    for (Eigen::SparseMatrix<double, Eigen::RowMajor>::InnerIterator it(p, i); it; ++it)
      if (it.col() != n - 1) triplets.emplace_back(static_cast<int>(it.col()), i, it.value());
  for (int k = 0; k < n - 1; ++k) triplets.emplace_back(k, k, -1.0);
  for (int k = 0; k < n; ++k) triplets.emplace_back(n - 1, k, 1.0);
  Eigen::SparseMatrix<double> a(n, n);
  a.setFromTriplets(triplets.begin(), triplets.end());
  Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::NaturalOrdering<int>> lu;
  lu.compute(a);
  if (lu.info() == Eigen::Success) {
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(n);
    rhs[n - 1] = 1.0;
    const Eigen::VectorXd pi = lu.solve(rhs).cwiseMax(0.0);  // clip rounding-level negatives
    if (lu.info() == Eigen::Success && pi.allFinite() && pi.sum() > 0) return pi / pi.sum();
  }
  if (from_zero != nullptr) *from_zero = true;
  return LongRunFromZero(p, zero_cell, centres);
}

struct RawStats {
  double mean = 0, p_pos = 0, mean_pos = 0, mean_neg = 0, mean_slope = 0;
};

RawStats Moments(const Grid& grid, const Eigen::VectorXd& pi, const Eigen::VectorXd& force) {
  RawStats s;
  for (int i = 0; i < grid.n; ++i) {
    const double c = grid.Centre(i), w = pi[i];
    s.mean += w * c;
    s.mean_slope += w * force[i];
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
RawStats Extrapolate(const RawStats& coarse, const RawStats& fine, int order) {
  const double k = std::pow(2.0, order);
  auto r = [k](double c, double f) { return (k * f - c) / (k - 1); };
  return {r(coarse.mean, fine.mean), r(coarse.p_pos, fine.p_pos), r(coarse.mean_pos, fine.mean_pos),
          r(coarse.mean_neg, fine.mean_neg), r(coarse.mean_slope, fine.mean_slope)};
}

// Distance from 0 on side `sign` where the SDE potential 2 V(x) / (eta s^2) exceeds `level`.
double PotentialReach(const Profile& profile, const ChainOptions& chain, double sign,
                      double level) {
  const double temp = chain.eta * chain.noise_std * chain.noise_std;
  auto potential = [&](double x) {
    return 2 * (profile.Value(x) - profile.Value(0) + 0.5 * chain.weight_decay * x * x) / temp;
  };
  double d = chain.eta * chain.noise_std;
  for (int i = 0; i < 200; ++i, d *= 1.5)
    if (potential(sign * d) >= level) return d;
  throw std::runtime_error(fmt::format(
      "sgd: the profile {} does not confine the chain on the {} side (loss does not rise)",
      profile.Spec(), sign > 0 ? "positive" : "negative"));
}

struct Range {
  double lo, hi;
};

// Grid range holding all but solver.tail_mass of the stationary law on each side, found from the
// SDE potential and widened until a coarse solve confirms it.
Range StationaryRange(const Profile& profile, const ChainOptions& chain,
                      const SolverOptions& solver, const Discretizer& disc) {
  const double margin = 2 * disc.StepHalfWidth() + 10 * chain.eta * std::abs(profile.Slope(0.0));
  Range r{-(PotentialReach(profile, chain, -1, 46.0) + margin),
          PotentialReach(profile, chain, +1, 46.0) + margin};
  for (int attempt = 0; attempt < 30; ++attempt) {
    const double step = chain.eta * chain.noise_std;
    const double h = std::max(step / 4, (r.hi - r.lo) / 4000);
    const Grid grid = MakeGrid(r.lo, r.hi, h);
    const Eigen::VectorXd pi =
        StationaryMasses(disc.Transition(grid), grid.ZeroCell(), grid.Centres(), nullptr);
    const int edge = std::max(1, grid.n / 20);
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

Grid FineGrid(const Range& r, const ChainOptions& chain, const SolverOptions& solver,
              double refine) {
  // The two-point law's singular kernel needs 4x finer cells for the same accuracy (its band is
  // narrow, so this stays cheap).
  const double per_step = solver.cells_per_step * (chain.noise == LawKind::kRademacher ? 4 : 1);
  const double h = chain.eta * chain.noise_std / (per_step * refine);
  const Grid g = MakeGrid(r.lo, r.hi, h);
  if (g.n > solver.max_cells)
    throw std::runtime_error(fmt::format(
        "sgd: the grid needs {} cells (range [{:.4g}, {:.4g}], cell {:.3g}) but max_cells is {}; "
        "lower cells_per_step or raise max_cells",
        g.n, r.lo, r.hi, h, solver.max_cells));
  return g;
}

}  // namespace

StationaryStats SolveStationary(const Profile& profile, const ChainOptions& chain,
                                const SolverOptions& solver) {
  Validate(profile, chain, solver);
  const Discretizer disc(profile, chain, solver);
  const Range range = StationaryRange(profile, chain, solver, disc);

  bool from_zero = false;
  auto solve = [&](double refine, Grid* used) {
    const Grid grid = FineGrid(range, chain, solver, refine);
    *used = grid;
    const Eigen::VectorXd pi =
        StationaryMasses(disc.Transition(grid), grid.ZeroCell(), grid.Centres(), &from_zero);
    return Moments(grid, pi, disc.CellForce(grid));
  };
  Grid coarse_grid, fine_grid;
  const RawStats coarse = solve(1.0, &coarse_grid);
  RawStats best = coarse;
  StationaryStats out;
  out.method = "ulam";
  out.cells = coarse_grid.n;
  if (solver.richardson) {
    const RawStats fine = solve(2.0, &fine_grid);
    // Smooth stationary densities: O(h^2). Lattice chains (propagated from 0, mass on cell edges
    // represented at cell centres): O(h).
    const int order = from_zero ? 1 : 2;
    best = Extrapolate(coarse, fine, order);
    out.mean_error = std::abs(fine.mean - coarse.mean) / (std::pow(2.0, order) - 1);
    out.method = "ulam+richardson";
    out.cells = fine_grid.n;
  }
  if (from_zero) out.method += "+propagation";
  out.mean = best.mean;
  out.p_pos = best.p_pos;
  out.mean_pos = best.mean_pos;
  out.mean_neg = best.mean_neg;
  out.mean_slope = best.mean_slope;
  out.p_flat = profile.FlatSide() == Side::kNegative ? 1.0 - best.p_pos : best.p_pos;
  out.lo = range.lo;
  out.hi = range.hi;
  return out;
}

StationaryDensity SolveStationaryDensity(const Profile& profile, const ChainOptions& chain,
                                         const SolverOptions& solver) {
  Validate(profile, chain, solver);
  const Discretizer disc(profile, chain, solver);
  const Range range = StationaryRange(profile, chain, solver, disc);
  const Grid grid = FineGrid(range, chain, solver, 2.0);
  const Eigen::VectorXd pi =
      StationaryMasses(disc.Transition(grid), grid.ZeroCell(), grid.Centres(), nullptr);
  StationaryDensity out;
  for (int i = 0; i < grid.n; ++i) {
    out.x.push_back(grid.Centre(i));
    out.density.push_back(pi[i] / grid.h);
  }
  return out;
}

TransientStats SolveTransient(const Profile& profile, const ChainOptions& chain, double x0, int T,
                              const SolverOptions& solver) {
  Validate(profile, chain, solver);
  if (!std::isfinite(x0))
    throw std::invalid_argument(fmt::format("sgd: x0 = {} is not finite", x0));
  if (T < 1 || T > 10000000)
    throw std::invalid_argument(
        fmt::format("sgd: T = {} is out of range (allowed: 1 <= T <= 1e7)", T));
  const Discretizer disc(profile, chain, solver);
  Range range = StationaryRange(profile, chain, solver, disc);
  const double pad = 4 * disc.StepHalfWidth() + 10 * chain.eta * std::abs(profile.Slope(x0));
  range.lo = std::min(range.lo, x0 - pad);
  range.hi = std::max(range.hi, x0 + pad);

  auto run = [&](double refine) {
    const Grid grid = FineGrid(range, chain, solver, refine);
    const auto p = disc.Transition(grid);
    const Eigen::SparseMatrix<double> pt = p.transpose();
    const Eigen::VectorXd centres = grid.Centres();
    std::vector<double> row(static_cast<std::size_t>(grid.n), 0.0);
    disc.Scatter(grid, x0, 1.0, row);  // the first step from the point mass is exact
    Eigen::VectorXd mass = Eigen::Map<Eigen::VectorXd>(row.data(), grid.n);
    std::vector<double> means{x0};
    for (int t = 1; t <= T; ++t) {
      if (t > 1) mass = pt * mass;
      means.push_back(mass.dot(centres));
    }
    return means;
  };
  TransientStats out;
  out.mean_t = run(1.0);
  if (solver.richardson) {
    const std::vector<double> fine = run(2.0);
    for (std::size_t t = 1; t < fine.size(); ++t) out.mean_t[t] = (4 * fine[t] - out.mean_t[t]) / 3;
  }
  double sum = 0.0;
  for (int t = 1; t <= T; ++t) sum += out.mean_t[static_cast<std::size_t>(t)];
  out.mean_avg_T = sum / T;
  return out;
}

SdeStats SdeStationary(const Profile& profile, const ChainOptions& chain) {
  std::string why;
  if (!chain.IsValid(profile, &why)) throw std::invalid_argument(why);
  const double temp = chain.eta * chain.noise_std * chain.noise_std;  // eta s^2
  SdeStats out;
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
  auto weight = [&](double x) {
    return std::exp(-2 * (profile.Value(x) - profile.Value(0) + 0.5 * chain.weight_decay * x * x) /
                    temp);
  };
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
