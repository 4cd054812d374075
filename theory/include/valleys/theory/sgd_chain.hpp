// Exact statistics of the 1-D SGD chain  x' = x - eta (phi'(x) + lambda x + omega),
// omega i.i.d. symmetric with standard deviation s (Theorem 2, S1-S4).
//
// The discrete-time chain is solved numerically, not through its small-step (SDE) limit:
// Ulam's method on a uniform grid of cells (one cell edge at 0, quadrature inside a cell split at
// the profile's kinks, the noise law's exact cdf across cells), stationary law by a sparse LU
// solve (a band LU without pivoting, pinned at the zero cell), transient laws by propagation until
// they are within SolverOptions::mixing_tolerance of the stationary law in total variation, time
// averages from the Poisson equation (I - P) g = f - pi(f) with the same LU. The grid error is
// O(h^2) in the cell width h; two grids (h, h/2) and Richardson extrapolation remove it, and their
// difference is the reported error estimate. docs/theory.md states the accuracy measured against
// grid-converged values and how the truncation bounds are obtained.
//
// Two-point (Rademacher) noise can confine the chain to a lattice x0 + eta*s*Z (e.g. on piecewise-
// linear valleys), where the long-run law depends on the start: when the stationary system is
// singular, the solver returns the long-run (Cesaro-averaged) law of the chain started at 0.
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::theory {

// One step of the chain, in PyTorch's conventions (torch.optim.SGD, dampening 0), with the
// gradient g(x) = phi'(x) + lambda (x + c) and the noise omega of standard deviation sd(x):
//   momentum 0:          x' = x - eta (g(x) + omega)
//   heavy ball (beta):   v' = beta v + g(x) + omega,  x' = x - eta v'
//   Nesterov (beta):     v' = beta v + g(x) + omega,  x' = x - eta (g(x) + omega + beta v')
// Chains with momentum start at rest (v = 0) and live on the 2-D state (x, eta v).
struct ChainOptions {
  double eta = 0.05;          // learning rate, > 0, below the stability limit (IsValid)
  double weight_decay = 0.0;  // lambda >= 0
  LawKind noise = LawKind::kGaussian;
  double noise_std = 1.0;  // s, > 0: the noise's standard deviation at x = 0
  // c: along a direction d (unit length) through the weights w0, the decay term is
  // lambda <d, w0 + x d> = lambda (x + c) with c = <d, w0>. 0 puts the decay's centre at the
  // profile's minimum.
  double decay_offset = 0.0;
  double momentum = 0.0;  // beta, 0 <= beta < 1
  bool nesterov = false;  // Nesterov's variant; needs momentum > 0
  // State-dependent noise: sd(x) = s (1 + noise_growth |x|), noise_growth >= 0; or, when
  // noise_table_x is not empty, the linear interpolant of (noise_table_x, noise_table_sd), held at
  // its end values beyond its ends (noise_std is then the table's value at 0).
  double noise_growth = 0.0;
  std::vector<double> noise_table_x{}, noise_table_sd{};  // x strictly increasing, sd > 0
  bool IsValid(const Profile& profile, std::string* why) const;
  double NoiseStd(double x) const;  // sd(x)
  bool StateDependentNoise() const { return noise_growth > 0 || !noise_table_x.empty(); }
  bool HasMomentum() const { return momentum > 0; }
};

struct SolverOptions {
  int cells_per_step = 8;        // cells per noise step eta*s on the coarse grid (4..256)
  bool richardson = true;        // solve on h and h/2 and extrapolate
  double tail_mass = 1e-12;      // stationary mass allowed in the outer 5% of the grid per side
  int max_cells = 400000;        // refuse grids larger than this (error, not silent truncation)
  int rademacher_subcells = 64;  // midpoint sub-samples per cell for the two-point noise law
  // Total-variation distance to the stationary law at which a propagated law counts as mixed: from
  // then on every expectation E[f(x_t)] is within mixing_tolerance * (max f - min f) of pi(f).
  double mixing_tolerance = 1e-10;
  // Largest memory the two grids of one solve may take (bytes, estimated before anything is
  // allocated); a finer grid is refused with std::invalid_argument naming the cells_per_step that
  // fits. The LU work grows as the cube of cells_per_step: the default 8 takes milliseconds, 64
  // seconds.
  double max_bytes = 4e9;
  // Chains with momentum: cells per noise step on each axis of the coarse 2-D grid (the fine grid
  // has twice as many); the number of states grows as its square and the work as its cube.
  int momentum_cells_per_step = 1;
  bool IsValid(std::string* why) const;
};

struct StationaryStats {
  double mean = 0.0;        // E_pi[x]
  double p_flat = 0.0;      // P_pi(x on the flat side); P(x > 0) when the profile has no flat side
  double p_pos = 0.0;       // P_pi(x > 0)
  double mean_pos = 0.0;    // E_pi[x^+]
  double mean_neg = 0.0;    // E_pi[x^-] = E_pi[max(-x, 0)]
  double mean_slope = 0.0;  // E_pi[phi'(x) + lambda x]; 0 exactly (S1), a check of the solver
  double mean_error = 0.0;  // conservative: the error of the h/2 solution before extrapolation
  double lo = 0.0, hi = 0.0;  // grid range
  int cells = 0;              // cells (with momentum: states) of the finest grid
  std::string method;         // "ulam[+richardson]", "+propagation" when started at 0 (see above)
};

struct TransientStats {
  std::vector<double> mean_t;  // E[x_t], t = 0..T (mean_t[0] = x0)
  double mean_avg_T = 0.0;     // E[w_T] = (1/T) sum_{t=1..T} E[x_t]
  // Steps propagated (the larger of the two grids'); later steps take the stationary mean, each
  // within truncation_bound (= total variation at the stop * grid range; 0 when none was cut).
  long long propagated_steps = 0;
  double truncation_bound = 0.0;
};

// The time averages a simulation of the chain records, for a chain started at x_0 = x0 (steps t
// count from 1): the SWA average over t = avg_first, avg_first + avg_every, ... <= avg_last, and
// time averages of 1{flat side}, x^+ and x^- over every step t in [rec_first, rec_last].
struct WindowSpec {
  double x0 = 0.0;
  long long avg_first = 1, avg_last = 1, avg_every = 1;
  long long rec_first = 1, rec_last = 1;
  bool IsValid(std::string* why) const;
};

struct WindowStats {
  double mean_avg = 0.0;                                // E of the SWA average
  double mean_last = 0.0;                               // E[x_{rec_last}]
  double p_flat = 0.0, mean_pos = 0.0, mean_neg = 0.0;  // E of the time averages
  // Standard deviation over independent chains of one chain's SWA average and flat fraction, from
  // the asymptotic variance (finite-window corrected) of a stationary chain; NaN when avg_every
  // > 1. A start out of equilibrium changes them by O(tau / N) (tau: relaxation steps, N: window).
  double mean_avg_sd = std::numeric_limits<double>::quiet_NaN();
  double p_flat_sd = std::numeric_limits<double>::quiet_NaN();
  long long propagated_steps = 0;  // the larger of the two grids'
  // How steps beyond propagated_steps were treated: "none" (none was needed), "certified" (the law
  // was within mixing_tolerance in total variation), "extrapolated" (the measured geometric
  // contraction, at half its rate, put the needed steps within mixing_tolerance).
  std::string tail = "none";
};

// Asymptotic variances of time averages along a stationary chain: N Var(mean of f over N steps)
// -> avar = Var_pi(f) + 2 sum_{k>=1} Cov_pi(f(x_0), f(x_k)) = 2 pi(f_c g) - pi(f_c^2), where
// (I - P) g = f_c = f - pi(f); tau = avar / Var_pi(f) is the integrated autocorrelation time.
struct VarianceStats {
  double var_x = 0.0, avar_x = 0.0, tau_x = 0.0;           // f = x
  double var_flat = 0.0, avar_flat = 0.0, tau_flat = 0.0;  // f = 1{x on the flat side}
};

// One chain, solved once: the grids, their transition matrices and LU factors are built on first
// use and shared by every statistic asked for, and a window asked for again is answered from
// memory. `profile` must outlive the solver. Not thread-safe.
class ExactChain {
 public:
  // Throws std::invalid_argument for invalid options and std::runtime_error when the stationary
  // law does not fit in max_cells / max_bytes.
  ExactChain(const Profile& profile, const ChainOptions& chain, const SolverOptions& solver = {});
  ~ExactChain();
  ExactChain(const ExactChain&) = delete;
  ExactChain& operator=(const ExactChain&) = delete;

  StationaryStats Stationary();
  TransientStats Transient(double x0, long long T);
  WindowStats Window(const WindowSpec& spec);
  VarianceStats Variance();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Throws std::invalid_argument for invalid options or a grid beyond max_bytes, and
// std::runtime_error when the stationary law does not fit in max_cells (an unstable or extremely
// spread chain).
StationaryStats SolveStationary(const Profile& profile, const ChainOptions& chain,
                                const SolverOptions& solver = {});

// The stationary density itself on the solver's finer grid (cell centres and density per unit
// length, integrating to 1), without extrapolation; for figures.
struct StationaryDensity {
  std::vector<double> x, density;
};
StationaryDensity SolveStationaryDensity(const Profile& profile, const ChainOptions& chain,
                                         const SolverOptions& solver = {});

TransientStats SolveTransient(const Profile& profile, const ChainOptions& chain, double x0,
                              long long T, const SolverOptions& solver = {});

// Small-step limit (SDE, Gaussian noise): density proportional to exp(-2 (phi(x) + lambda x^2/2) /
// (eta s^2)). Closed forms for quadratic (S2) and linear (S3, mean only) profiles, quadrature
// otherwise.
struct SdeStats {
  double mean = 0.0;
  double p_flat = 0.0;
  bool closed_form = false;
};
SdeStats SdeStationary(const Profile& profile, const ChainOptions& chain);

}  // namespace valleys::theory
