#include "grid_chain.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

namespace valleys::theory::detail {

namespace {}  // namespace

Eigen::VectorXd Grid::Centres() const {
  Eigen::VectorXd c(n);
  for (int i = 0; i < n; ++i) c[i] = Centre(i);
  return c;
}

Grid MakeGrid(double lo, double hi, double h) {
  Grid g;
  const double n_neg = std::ceil(-lo / h - 1e-9), n_pos = std::ceil(hi / h - 1e-9);
  g.h = h;
  g.lo = -n_neg * h;
  g.n = static_cast<int>(n_neg + n_pos);
  return g;
}

Discretizer::Discretizer(const Profile& profile, const ChainOptions& chain,
                         const SolverOptions& solver)
    : profile_(profile),
      chain_(chain),
      solver_(solver),
      step_law_(SymmetricLaw::WithStdDev(chain.noise, chain.eta * chain.NoiseStd(0.0))),
      kinks_(profile.Kinks()) {
  std::sort(kinks_.begin(), kinks_.end());
}

double Discretizer::StepHalfWidthOver(double lo, double hi) const {
  double sd = std::max({chain_.NoiseStd(lo), chain_.NoiseStd(hi), chain_.NoiseStd(0.0)});
  for (std::size_t i = 0; i < chain_.noise_table_x.size(); ++i)
    if (chain_.noise_table_x[i] > lo && chain_.noise_table_x[i] < hi)
      sd = std::max(sd, chain_.noise_table_sd[i]);
  return SymmetricLaw::WithStdDev(chain_.noise, chain_.eta * sd).EffectiveHalfWidth();
}

void Discretizer::Scatter(const Grid& grid, double from, double w, double* row) const {
  const double m = Drift(from);
  const SymmetricLaw law = StepLaw(from);
  if (law.IsDiscrete()) {
    for (double jump : {-law.scale(), law.scale()}) {
      const int j = static_cast<int>(std::floor((m + jump - grid.lo) / grid.h));
      if (j >= 0 && j < grid.n) row[j] += 0.5 * w;
    }
    return;
  }
  const double reach = law.EffectiveHalfWidth();
  const int j0 = std::max(0, static_cast<int>(std::floor((m - reach - grid.lo) / grid.h)));
  const int j1 = std::min(grid.n - 1, static_cast<int>(std::floor((m + reach - grid.lo) / grid.h)));
  if (j0 > j1) return;
  double below = law.Cdf(grid.Edge(j0) - m);
  for (int j = j0; j <= j1; ++j) {
    const double above = law.Cdf(grid.Edge(j + 1) - m);
    row[j] += w * (above - below);
    below = above;
  }
}

CdfTable::CdfTable(const SymmetricLaw& law, double h) {
  reach_ = static_cast<int>(std::ceil(law.EffectiveHalfWidth() / h)) + 3;
  width_ = 2 * reach_ + 1;
  value_.resize(static_cast<std::size_t>((kSteps + 1) * width_));
  slope_.resize(value_.size());
  for (int i = 0; i <= kSteps; ++i) {
    const double phi = static_cast<double>(i) / kSteps;
    for (int k = -reach_; k <= reach_; ++k) {
      const double x = (k - phi) * h;
      const std::size_t at = static_cast<std::size_t>(i * width_ + k + reach_);
      value_[at] = law.Cdf(x);
      slope_[at] = -h * law.Pdf(x) / kSteps;  // dF/dphi times the phi step
    }
  }
}

void CdfTable::Fill(int k_first, int count, double phi, double* out) const {
  const double scaled = phi * kSteps;
  const int i = std::min(kSteps - 1, static_cast<int>(scaled));
  const double t = scaled - i, t2 = t * t, t3 = t2 * t;
  const double h00 = 2 * t3 - 3 * t2 + 1, h10 = t3 - 2 * t2 + t, h01 = -2 * t3 + 3 * t2,
               h11 = t3 - t2;
  const std::size_t base = static_cast<std::size_t>(k_first + reach_);
  const double* v0 = &value_[static_cast<std::size_t>(i * width_) + base];
  const double* v1 = v0 + width_;
  const double* s0 = &slope_[static_cast<std::size_t>(i * width_) + base];
  const double* s1 = s0 + width_;
  for (int k = 0; k < count; ++k) out[k] = h00 * v0[k] + h10 * s0[k] + h01 * v1[k] + h11 * s1[k];
}

void Discretizer::Scatter(const Grid& grid, const CdfTable& table, double from, double w,
                          double* row) const {
  const double m = Drift(from);
  const double reach = StepHalfWidth();
  const int j0 = std::max(0, static_cast<int>(std::floor((m - reach - grid.lo) / grid.h)));
  const int j1 = std::min(grid.n - 1, static_cast<int>(std::floor((m + reach - grid.lo) / grid.h)));
  if (j0 > j1) return;
  const double u = (m - grid.lo) / grid.h;
  const double whole = std::floor(u);
  const int big_j = static_cast<int>(whole);
  const int k_first = j0 - big_j, count = j1 - j0 + 2;
  if (k_first < -table.reach() || k_first + count - 1 > table.reach()) {
    Scatter(grid, from, w, row);  // outside the table (cannot happen for a table of this grid)
    return;
  }
  thread_local std::vector<double> cdf;
  cdf.resize(static_cast<std::size_t>(count));
  table.Fill(k_first, count, u - whole, cdf.data());
  for (int j = j0; j <= j1; ++j)
    row[j] +=
        w * (cdf[static_cast<std::size_t>(j - j0 + 1)] - cdf[static_cast<std::size_t>(j - j0)]);
}

namespace {

// The columns row i of the Ulam matrix (x uniform on cell i) can reach: [lo, hi].
std::pair<int, int> RowReach(const Grid& grid, const Discretizer& disc, int i) {
  int lo = grid.n, hi = -1;
  disc.ForEachNode(grid, i, [&](double x, double) {
    const double m = disc.Drift(x), reach = disc.StepLaw(x).EffectiveHalfWidth() + grid.h;
    lo = std::min(lo, std::max(0, static_cast<int>((m - reach - grid.lo) / grid.h) - 1));
    hi = std::min(grid.n - 1, std::max(hi, static_cast<int>((m + reach - grid.lo) / grid.h) + 1));
  });
  return {lo, hi};
}

Transition BuildTransition(const Grid& grid, const Discretizer& disc) {
  const int n = grid.n;
  std::unique_ptr<CdfTable> table;
  if (disc.step_law().kind() == LawKind::kGaussian && !disc.chain().StateDependentNoise())
    table = std::make_unique<CdfTable>(disc.step_law(), grid.h);
  // Pass 1: each row's reach, and room for it; pass 2: scatter every row into its room, then trim
  // the zero ends of the run.
  Transition t;
  t.n = n;
  auto& r = t.rows;
  r.first.resize(static_cast<std::size_t>(n));
  r.start.resize(static_cast<std::size_t>(n));
  r.length.resize(static_cast<std::size_t>(n));
  // A thread team only for grids worth it (a few milliseconds of work): a library called in loops
  // must not leave a spinning worker behind each small call.
  const bool parallel = n >= 4096;
#pragma omp parallel for schedule(static) if (parallel)
  for (int i = 0; i < n; ++i) {
    const auto [lo, hi] = RowReach(grid, disc, i);
    r.first[static_cast<std::size_t>(i)] = lo;
    r.length[static_cast<std::size_t>(i)] = std::max(0, hi - lo + 1);
  }
  std::size_t total = 0;
  for (int i = 0; i < n; ++i) {
    r.start[static_cast<std::size_t>(i)] = static_cast<int>(total);
    total += static_cast<std::size_t>(r.length[static_cast<std::size_t>(i)]);
  }
  r.values.assign(total, 0.0);
#pragma omp parallel for schedule(static) if (parallel)
  for (int i = 0; i < n; ++i) {
    const std::size_t at = static_cast<std::size_t>(i);
    double* run = r.values.data() + r.start[at];
    double* row = run - r.first[at];  // row[j] for j in [first, first + length)
    disc.ForEachNode(grid, i, [&](double x, double w) {
      if (table != nullptr)
        disc.Scatter(grid, *table, x, w, row);
      else
        disc.Scatter(grid, x, w, row);
    });
    int lo = 0, hi = r.length[at] - 1;
    while (lo <= hi && run[lo] == 0.0) ++lo;
    while (hi >= lo && run[hi] == 0.0) --hi;
    if (lo > hi) {
      r.first[at] = std::min(i, n - 1);
      r.length[at] = 0;
    } else {
      r.first[at] += lo;
      r.start[at] += lo;
      r.length[at] = hi - lo + 1;
    }
  }
  std::vector<int> col_lo(static_cast<std::size_t>(n), n), col_hi(static_cast<std::size_t>(n), -1);
  for (int i = 0; i < n; ++i) {
    const int first = r.first[static_cast<std::size_t>(i)],
              len = r.length[static_cast<std::size_t>(i)];
    if (len > 0) {
      t.lower = std::max(t.lower, i - first);
      t.upper = std::max(t.upper, first + len - 1 - i);
    }
    for (int j = first; j < first + len; ++j) {
      col_lo[static_cast<std::size_t>(j)] = std::min(col_lo[static_cast<std::size_t>(j)], i);
      col_hi[static_cast<std::size_t>(j)] = std::max(col_hi[static_cast<std::size_t>(j)], i);
    }
  }
  std::size_t col_total = 0;
  for (int j = 0; j < n; ++j) {
    const int lo = col_lo[static_cast<std::size_t>(j)], hi = col_hi[static_cast<std::size_t>(j)];
    const int len = hi >= lo ? hi - lo + 1 : 0;
    t.cols.first.push_back(hi >= lo ? lo : 0);
    t.cols.length.push_back(len);
    t.cols.start.push_back(static_cast<int>(col_total));
    col_total += static_cast<std::size_t>(len);
  }
  t.cols.values.assign(col_total, 0.0);
  for (int i = 0; i < n; ++i) {
    const int first = t.rows.first[static_cast<std::size_t>(i)];
    const double* v =
        &t.rows.values[static_cast<std::size_t>(t.rows.start[static_cast<std::size_t>(i)])];
    for (int k = 0; k < t.rows.length[static_cast<std::size_t>(i)]; ++k) {
      const int j = first + k;
      t.cols.values[static_cast<std::size_t>(t.cols.start[static_cast<std::size_t>(j)] + i -
                                             t.cols.first[static_cast<std::size_t>(j)])] = v[k];
    }
  }
  return t;
}

}  // namespace

GridChain::GridChain(const Grid& grid, const Discretizer& disc)
    : grid_(grid), p_(BuildTransition(grid, disc)), disc_(&disc) {
  centres_ = grid.Centres();
  forces_ = disc.CellAverages(grid, [&](double x) { return disc.Force(x); });
}

Eigen::VectorXd GridChain::FirstStep(double x0) const {
  Eigen::VectorXd mass = Eigen::VectorXd::Zero(grid_.n);
  disc_->Scatter(grid_, x0, 1.0, mass.data());
  return mass;
}

void GridChain::Step(const Eigen::VectorXd& mass, Eigen::VectorXd& out) const {
  out.resize(p_.n);
  const auto& c = p_.cols;
  RunProduct(p_.n, c.first.data(), c.start.data(), c.length.data(), c.values.data(), mass.data(),
             out.data());
}

Eigen::VectorXd GridChain::LongRunFromZero() const {
  // Averages of the laws p_t over t in (T/2, T], T doubled until the mean moves by less than
  // 1e-12 of the grid range.
  const int n = grid_.n;
  const double range = centres_[n - 1] - centres_[0];
  double previous_mean = std::numeric_limits<double>::quiet_NaN();
  Eigen::VectorXd next(n);
  for (long long horizon = 1024; horizon <= (1LL << 22); horizon *= 2) {
    Eigen::VectorXd mass = Eigen::VectorXd::Zero(n), acc = Eigen::VectorXd::Zero(n);
    mass[grid_.ZeroCell()] = 1.0;
    for (long long t = 1; t <= horizon; ++t) {
      Step(mass, next);
      mass.swap(next);
      if (t > horizon / 2) acc += mass;
    }
    acc /= acc.sum();
    const double mean = acc.dot(centres_);
    if (std::abs(mean - previous_mean) < 1e-12 * range) return acc;
    previous_mean = mean;
  }
  throw std::runtime_error(
      "sgd: the long-run law of the two-point-noise chain did not settle within 4e6 steps");
}

const Eigen::VectorXd& GridChain::Stationary() {
  if (solved_) return pi_;
  solved_ = true;
  const int n = grid_.n;
  pin_ = std::min(std::max(grid_.ZeroCell(), 0), n - 1);
  lu_ = BandMatrix(n, p_.lower, p_.upper);
  for (int i = 0; i < n; ++i) lu_.At(i, i) = 1.0;
  const auto& r = p_.rows;
  for (int i = 0; i < n; ++i) {
    if (i == pin_) continue;
    const double* v = &r.values[static_cast<std::size_t>(r.start[static_cast<std::size_t>(i)])];
    for (int k = 0; k < r.length[static_cast<std::size_t>(i)]; ++k) {
      const int j = r.first[static_cast<std::size_t>(i)] + k;
      if (j != pin_) lu_.At(i, j) -= v[k];
    }
  }
  // pi (I - P) = 0 in every column but the pinned one, pi_pin = 1: M^T y = (row pin of P, 1).
  Eigen::VectorXd y = Eigen::VectorXd::Zero(n);
  {
    const double* v = &r.values[static_cast<std::size_t>(r.start[static_cast<std::size_t>(pin_)])];
    for (int k = 0; k < r.length[static_cast<std::size_t>(pin_)]; ++k)
      y[r.first[static_cast<std::size_t>(pin_)] + k] = v[k];
  }
  y[pin_] = 1.0;
  bool ok = lu_.Factorize();
  if (ok) {
    lu_.SolveTransposed(y.data());
    ok = y.allFinite() && y.sum() > 0 && y.minCoeff() >= -1e-9 * y.maxCoeff();
  }
  if (ok) {
    pi_ = y.cwiseMax(0.0);  // clip rounding-level negatives
    pi_ /= pi_.sum();
    // A singular system can still factor with a tiny pivot; the stationarity residual catches it.
    Eigen::VectorXd next;
    Step(pi_, next);
    ok = (next - pi_).lpNorm<1>() <= 1e-8;
  }
  if (!ok) {
    from_zero_ = true;
    pi_ = LongRunFromZero();
  }
  return pi_;
}

Eigen::VectorXd GridChain::Poisson(const Eigen::VectorXd& f) {
  if (!HasPoisson())
    throw std::logic_error("GridChain::Poisson: the chain has no unique stationary law");
  Eigen::VectorXd g = f.array() - pi_.dot(f);
  g[pin_] = 0.0;
  lu_.Solve(g.data());
  g.array() -= pi_.dot(g);
  return g;
}

}  // namespace valleys::theory::detail
