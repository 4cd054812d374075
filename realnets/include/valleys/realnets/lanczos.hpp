// The spectrum of a symmetric operator known only through its products H x (a network's Hessian:
// Hessian-vector products), as PyHessian computes it: the top eigenpairs by Lanczos, the trace by
// Hutchinson's estimator, the eigenvalue density by stochastic Lanczos quadrature (Ghorbani,
// Krishnan & Xiao 2019; Lin, Saad & Yang 2016). No LibTorch types: the tests run it on matrices
// whose spectra are known.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <Eigen/Dense>

namespace valleys::realnets {

// y = H x for a symmetric H of the vectors' dimension. It may throw; nothing here catches it.
using SymmetricOperator = std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd* y)>;

// Lanczos with full reorthogonalization (classical Gram-Schmidt, twice) from `start` (any
// non-zero vector; normalized here): H Q = Q T + r e_m^T, T tridiagonal with diagonal alpha and
// off-diagonal beta. Stops early when the next residual vanishes (an invariant subspace: beta below
// 1e-12 of the largest |alpha|, beta seen so far).
struct LanczosDecomposition {
  Eigen::VectorXd alpha;   // m
  Eigen::VectorXd beta;    // m - 1
  Eigen::MatrixXd basis;   // n x m, orthonormal columns
  bool invariant = false;  // stopped early on an invariant subspace
};
// Throws std::invalid_argument for steps < 1, a start vector of zero or non-finite norm, and
// std::runtime_error when a product is not finite.
LanczosDecomposition Lanczos(const SymmetricOperator& h, Eigen::VectorXd start, int steps);

// T's eigenvalues (ascending) and the squares of their eigenvectors' first components: the nodes
// and weights of the Gauss quadrature that T defines for the start vector.
struct RitzSpectrum {
  Eigen::VectorXd values;
  Eigen::VectorXd first_weights;
  Eigen::MatrixXd vectors;  // m x m, columns: T's eigenvectors
};
RitzSpectrum TridiagonalSpectrum(const LanczosDecomposition& d);

struct Eigenpair {
  double value = 0;     // the Ritz value
  double residual = 0;  // ||H v - value v||, v the unit Ritz vector: an eigenvalue of H lies within
  bool converged = false;  // residual <= tolerance x |value|
  Eigen::VectorXd vector;  // v
};
struct TopEigenOptions {
  int k = 1;       // eigenpairs wanted, the largest (algebraically) first (>= 1)
  int bottom = 0;  // also the `bottom` smallest Ritz pairs of the same run (>= 0)
  int steps = 0;   // Lanczos steps (0: max(2 (k + bottom) + 20, 40), at most the dimension)
  double tolerance = 1e-3;  // relative residual for `converged` (> 0)
  std::uint64_t seed = 1;   // of the N(0, 1) start vector
  bool IsValid(std::string* why) const;
};
// The k largest Ritz pairs, descending, each with its residual from one more product H v.
// Throws std::invalid_argument for invalid options or dimension < 1.
std::vector<Eigenpair> TopEigenpairs(const SymmetricOperator& h, int dimension,
                                     const TopEigenOptions& options);
// Both ends of one Lanczos run: the k largest Ritz pairs (descending) and the `bottom` smallest
// (ascending, the most negative first), each with its residual. A Ritz pair that is among both
// (k + bottom above the steps taken) appears in both lists. Throws as TopEigenpairs.
struct ExtremeEigenpairs {
  std::vector<Eigenpair> top, bottom;
};
ExtremeEigenpairs ExtremeEigenpairsOf(const SymmetricOperator& h, int dimension,
                                      const TopEigenOptions& options);

struct TraceEstimate {
  double estimate = 0;          // the mean of z^T H z over the probes
  double se = 0;                // their sample standard deviation / sqrt(probes)
  double ci_lo = 0, ci_hi = 0;  // estimate -+ t_{0.975, probes - 1} se
  int probes = 0;
  std::vector<double> samples;  // z^T H z per probe
};
// Hutchinson's estimator with Rademacher probes z (E[z^T H z] = tr H), from their own generator.
// Throws std::invalid_argument for probes < 2 or dimension < 1.
TraceEstimate HutchinsonTrace(const SymmetricOperator& h, int dimension, int probes,
                              std::uint64_t seed);

struct DensityOptions {
  int probes = 1;   // Rademacher start vectors (PyHessian: 1)
  int steps = 100;  // Lanczos steps per probe (PyHessian: 100), at most the dimension
  int bins = 1000;  // grid points of the density
  // The Gaussian kernel's variance: variance_scale x max(1, lambda_max - lambda_min) (PyHessian's
  // sigma_squared = 1e-5); the grid extends 1% of the range beyond the extreme nodes.
  double variance_scale = 1e-5;
  std::uint64_t seed = 1;
  bool IsValid(std::string* why) const;
};
struct SpectralDensity {
  std::vector<double> lambda, density;  // the grid and the density there (integrates to ~1)
  std::vector<std::vector<double>> nodes, weights;  // per probe: Ritz values, their weights
  double variance = 0;                              // the kernel's
};
// Stochastic Lanczos quadrature: the average over probes of sum_j w_j N(lambda; theta_j, variance).
SpectralDensity SlqDensity(const SymmetricOperator& h, int dimension, const DensityOptions& o);

}  // namespace valleys::realnets
