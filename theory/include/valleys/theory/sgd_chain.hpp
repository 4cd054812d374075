// Exact statistics of the 1-D SGD chain  x' = x - eta (phi'(x) + lambda x + omega),
// omega i.i.d. symmetric with standard deviation s (Theorem 2, S1-S4).
//
// The discrete-time chain is solved numerically, not through its small-step (SDE) limit:
// Ulam's method on a uniform grid of cells (one cell edge at 0, quadrature inside a cell split at
// the profile's kinks, the noise law's exact cdf across cells), stationary law by a sparse LU
// solve, transient laws by propagation. The grid error is O(h^2) in the cell width h; two grids
// (h, h/2) and Richardson extrapolation remove it, and their difference is the reported error
// estimate. docs/theory.md states the accuracy measured against grid-converged values.
//
// Two-point (Rademacher) noise can confine the chain to a lattice x0 + eta*s*Z (e.g. on piecewise-
// linear valleys), where the long-run law depends on the start: when the stationary system is
// singular, the solver returns the long-run (Cesaro-averaged) law of the chain started at 0.
#pragma once

#include <string>
#include <vector>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::theory {

struct ChainOptions {
  double eta = 0.05;          // learning rate, > 0; eta * MaxCurvature() < 2 (stability)
  double weight_decay = 0.0;  // lambda >= 0
  LawKind noise = LawKind::kGaussian;
  double noise_std = 1.0;  // s, > 0
  bool IsValid(const Profile& profile, std::string* why) const;
};

struct SolverOptions {
  int cells_per_step = 8;        // cells per noise step eta*s on the coarse grid (4..256)
  bool richardson = true;        // solve on h and h/2 and extrapolate
  double tail_mass = 1e-12;      // stationary mass allowed in the outer 5% of the grid per side
  int max_cells = 400000;        // refuse grids larger than this (error, not silent truncation)
  int rademacher_subcells = 64;  // midpoint sub-samples per cell for the two-point noise law
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
  int cells = 0;              // cells of the finest grid
  std::string method;         // "ulam[+richardson]", "+propagation" when started at 0 (see above)
};

struct TransientStats {
  std::vector<double> mean_t;  // E[x_t], t = 0..T (mean_t[0] = x0)
  double mean_avg_T = 0.0;     // E[w_T] = (1/T) sum_{t=1..T} E[x_t]
};

// Throws std::invalid_argument for invalid options and std::runtime_error when the stationary law
// does not fit in max_cells (an unstable or extremely spread chain).
StationaryStats SolveStationary(const Profile& profile, const ChainOptions& chain,
                                const SolverOptions& solver = {});

// The stationary density itself on the solver's finer grid (cell centres and density per unit
// length, integrating to 1), without extrapolation; for figures.
struct StationaryDensity {
  std::vector<double> x, density;
};
StationaryDensity SolveStationaryDensity(const Profile& profile, const ChainOptions& chain,
                                         const SolverOptions& solver = {});

TransientStats SolveTransient(const Profile& profile, const ChainOptions& chain, double x0, int T,
                              const SolverOptions& solver = {});

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
