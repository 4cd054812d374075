// The SGD chain x' = x - eta (phi'(x) + lambda x + omega) discretized on a uniform grid of cells
// (Ulam's method): the transition matrix, its stationary law, the Poisson equation and the
// propagation of a law. Internal to the theory library; sgd_chain.cpp composes it.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include <Eigen/Core>

#include "band_matrix.hpp"
#include "valleys/theory/profile.hpp"
#include "valleys/theory/sgd_chain.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::theory::detail {

struct Grid {
  double lo = 0, h = 0;  // cells [lo + i h, lo + (i + 1) h), i = 0..n-1; 0 is an edge
  int n = 0;
  double Edge(int i) const { return lo + i * h; }
  double Centre(int i) const { return lo + (i + 0.5) * h; }
  int ZeroCell() const { return static_cast<int>(std::lround(-lo / h)); }  // the cell [0, h)
  Eigen::VectorXd Centres() const;
};

// The cells of width h that cover [lo, hi] with an edge at 0.
Grid MakeGrid(double lo, double hi, double h);

// One chain step, discretized: x' = drift(x) - eta omega.
class Discretizer {
 public:
  Discretizer(const Profile& profile, const ChainOptions& chain, const SolverOptions& solver);

  double Drift(double x) const { return x - chain_.eta * Force(x); }
  // The gradient g(x) = phi'(x) + lambda (x + c).
  double Force(double x) const {
    return profile_.Slope(x) + chain_.weight_decay * (x + chain_.decay_offset);
  }
  // The law of the step's noise eta omega at x (the same everywhere unless the noise is
  // state-dependent).
  SymmetricLaw StepLaw(double x) const {
    return chain_.StateDependentNoise()
               ? SymmetricLaw::WithStdDev(chain_.noise, chain_.eta * chain_.NoiseStd(x))
               : step_law_;
  }
  double StepHalfWidth() const { return step_law_.EffectiveHalfWidth(); }  // at x = 0
  // The largest half-width of the step's noise over [lo, hi].
  double StepHalfWidthOver(double lo, double hi) const;
  const ChainOptions& chain() const { return chain_; }
  const std::vector<double>& kinks() const { return kinks_; }

  // Adds the law of x' given x = `from` with probability weight `w` into `row` (length grid.n).
  void Scatter(const Grid& grid, double from, double w, double* row) const;
  // The same with the Gaussian step cdf at the cell edges read from `table` (built for this grid).
  void Scatter(const Grid& grid, const class CdfTable& table, double from, double w,
               double* row) const;

  const SymmetricLaw& step_law() const { return step_law_; }

  // Quadrature nodes (x, weight summing to 1) for a state spread uniformly over cell i.
  template <typename F>
  void ForEachNode(const Grid& grid, int i, F f) const;

  // Cell averages of f(x) (quadrature over each cell).
  template <typename F>
  Eigen::VectorXd CellAverages(const Grid& grid, F f) const {
    Eigen::VectorXd out(grid.n);
    for (int i = 0; i < grid.n; ++i) {
      double acc = 0.0;
      ForEachNode(grid, i, [&](double x, double w) { acc += w * f(x); });
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

inline constexpr double kGaussNodes[4] = {-0.8611363115940526, -0.3399810435848563,
                                          0.3399810435848563, 0.8611363115940526};
inline constexpr double kGaussWeights[4] = {0.3478548451374538, 0.6521451548625461,
                                            0.6521451548625461, 0.3478548451374538};

template <typename F>
void Discretizer::ForEachNode(const Grid& grid, int i, F f) const {
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

// The step law's cdf at the cell edges seen from a point m, F(edge_j - m), tabulated for a Gaussian
// law: with u = (m - lo) / h = J + phi (phi in [0, 1)), edge_j - m = (j - J - phi) h depends only
// on k = j - J and phi. Values and phi-derivatives on a phi grid of kSteps intervals; cubic Hermite
// interpolation between them has error <= (h / (sigma kSteps))^4 / 384 * max|Phi''''| (below 1e-16
// for h <= sigma / 4), so the transition matrix equals the directly evaluated one to rounding.
class CdfTable {
 public:
  static constexpr int kSteps = 128;
  CdfTable(const SymmetricLaw& law, double h);
  // F((k - phi) h) for k = k_first .. k_first + count - 1, written to out[0 .. count).
  void Fill(int k_first, int count, double phi, double* out) const;
  int reach() const { return reach_; }  // |k| <= reach is tabulated

 private:
  int reach_ = 0, width_ = 0;
  std::vector<double> value_, slope_;  // [i * width_ + (k + reach_)], i = 0..kSteps
};

// A banded stochastic matrix stored twice: by rows (source cell i: destinations first..first+len)
// for the linear systems, and by columns (destination j: sources) for propagation.
struct Transition {
  struct Band {
    std::vector<int> first, start;  // per row: first column, offset of its values
    std::vector<int> length;
    std::vector<double> values;
  };
  int n = 0;
  Band rows, cols;
  int lower = 0, upper = 0;  // band widths of the row form around the diagonal
};

// A chain discretized on finitely many states, as the statistics of sgd_chain.cpp read it: the
// position x of each state, the cell average of the gradient g there, the propagation of a law,
// the stationary law and the Poisson equation. The plain chain (GridChain) has one state per cell
// of x; the chains with momentum (MomentumChain) one per cell of (x, eta v).
class ChainModel {
 public:
  virtual ~ChainModel() = default;
  int size() const { return static_cast<int>(centres_.size()); }
  const Eigen::VectorXd& centres() const { return centres_; }  // x of each state
  const Eigen::VectorXd& forces() const { return forces_; }    // cell average of g
  // The law after one step from rest at the point x0 (exact: no cell averaging of the start).
  virtual Eigen::VectorXd FirstStep(double x0) const = 0;
  // out = mass P (the law one step later). `out` must not alias `mass`.
  virtual void Step(const Eigen::VectorXd& mass, Eigen::VectorXd& out) const = 0;
  // Stationary masses (pi P = pi, sum 1). When the system is singular (several closed classes:
  // lattice chains of two-point noise) the long-run law of the chain started at 0 is returned
  // instead and HasPoisson() is false.
  virtual const Eigen::VectorXd& Stationary() = 0;
  virtual bool FromZero() = 0;
  bool HasPoisson() { return !FromZero(); }
  // The solution g of the Poisson equation (I - P) g = f - pi(f) with pi(g) = 0; needs
  // HasPoisson().
  virtual Eigen::VectorXd Poisson(const Eigen::VectorXd& f) = 0;

 protected:
  Eigen::VectorXd centres_, forces_;
};

// The plain chain on one grid: band LU solves pinned at the zero cell.
class GridChain final : public ChainModel {
 public:
  GridChain(const Grid& grid, const Discretizer& disc);

  const Grid& grid() const { return grid_; }
  const Transition& transition() const { return p_; }

  Eigen::VectorXd FirstStep(double x0) const override;
  void Step(const Eigen::VectorXd& mass, Eigen::VectorXd& out) const override;
  const Eigen::VectorXd& Stationary() override;
  bool FromZero() override {
    Stationary();
    return from_zero_;
  }
  Eigen::VectorXd Poisson(const Eigen::VectorXd& f) override;

 private:
  Eigen::VectorXd LongRunFromZero() const;
  Grid grid_;
  Transition p_;
  const Discretizer* disc_;
  bool solved_ = false, from_zero_ = false;
  BandMatrix lu_;  // of I - P with the zero cell's row and column replaced by the identity's
  int pin_ = 0;
  Eigen::VectorXd pi_;
};

}  // namespace valleys::theory::detail
