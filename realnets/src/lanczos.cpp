// Lanczos, Hutchinson and stochastic Lanczos quadrature on a symmetric operator (lanczos.hpp).
#include "valleys/realnets/lanczos.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include <fmt/format.h>
#include <Eigen/Eigenvalues>
#include <boost/math/distributions/students_t.hpp>

namespace valleys::realnets {

namespace {

constexpr double kPi = 3.14159265358979323846;

// N(0, 1) coordinates from a fixed engine (libstdc++'s normal_distribution: the same draws for a
// seed on every run of this build).
Eigen::VectorXd Gaussian(int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::VectorXd v(n);
  for (int i = 0; i < n; ++i) v[i] = normal(rng);
  return v;
}

// +-1 coordinates from the engine's raw bits.
Eigen::VectorXd Rademacher(int n, std::mt19937_64& rng) {
  Eigen::VectorXd v(n);
  for (int i = 0; i < n; ++i) v[i] = (rng() >> 63) ? 1.0 : -1.0;
  return v;
}

void Apply(const SymmetricOperator& h, const Eigen::VectorXd& x, Eigen::VectorXd* y) {
  y->resize(x.size());
  h(x, y);
  if (y->size() != x.size())
    throw std::runtime_error(
        fmt::format("the operator returned {} coordinates for {}", y->size(), x.size()));
  if (!y->allFinite()) throw std::runtime_error("the operator's product is not finite");
}

}  // namespace

LanczosDecomposition Lanczos(const SymmetricOperator& h, Eigen::VectorXd start, int steps) {
  if (steps < 1)
    throw std::invalid_argument(fmt::format("Lanczos: steps = {} (allowed: >= 1)", steps));
  const double norm = start.norm();
  if (!(norm > 0) || !std::isfinite(norm))
    throw std::invalid_argument("Lanczos: the start vector's norm is zero or not finite");
  const int n = static_cast<int>(start.size());
  steps = std::min(steps, n);
  LanczosDecomposition d;
  d.basis.resize(n, steps);
  d.basis.col(0) = start / norm;
  std::vector<double> alpha, beta;
  double scale = 0;  // the largest |alpha| or beta so far
  Eigen::VectorXd w;
  for (int j = 0; j < steps; ++j) {
    Apply(h, d.basis.col(j), &w);
    alpha.push_back(d.basis.col(j).dot(w));
    scale = std::max(scale, std::abs(alpha.back()));
    // Full reorthogonalization against every earlier vector, twice (Kahan-Parlett: "twice is
    // enough"): w is then orthogonal to the basis to rounding.
    for (int pass = 0; pass < 2; ++pass) {
      const auto q = d.basis.leftCols(j + 1);
      w -= q * (q.transpose() * w);
    }
    if (j + 1 == steps) break;
    const double b = w.norm();
    scale = std::max(scale, b);
    if (!(b > 1e-12 * scale)) {
      d.invariant = true;
      break;
    }
    beta.push_back(b);
    d.basis.col(j + 1) = w / b;
  }
  const int m = static_cast<int>(alpha.size());
  d.basis.conservativeResize(n, m);
  d.alpha = Eigen::Map<const Eigen::VectorXd>(alpha.data(), m);
  d.beta = Eigen::Map<const Eigen::VectorXd>(beta.data(), m - 1);
  return d;
}

RitzSpectrum TridiagonalSpectrum(const LanczosDecomposition& d) {
  const int m = static_cast<int>(d.alpha.size());
  Eigen::MatrixXd t = Eigen::MatrixXd::Zero(m, m);
  for (int i = 0; i < m; ++i) t(i, i) = d.alpha[i];
  for (int i = 0; i + 1 < m; ++i) t(i, i + 1) = t(i + 1, i) = d.beta[i];
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(t);
  RitzSpectrum r;
  r.values = eig.eigenvalues();
  r.vectors = eig.eigenvectors();
  r.first_weights = r.vectors.row(0).transpose().array().square();
  return r;
}

bool TopEigenOptions::IsValid(std::string* why) const {
  const auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (k < 1 || k > 1000) return fail(fmt::format("TopEigenOptions::k = {} (allowed: 1..1000)", k));
  if (bottom < 0 || bottom > 1000)
    return fail(fmt::format("TopEigenOptions::bottom = {} (allowed: 0..1000)", bottom));
  if (steps != 0 && steps < k + bottom)
    return fail(fmt::format("TopEigenOptions::steps = {} (allowed: 0 or >= k + bottom = {})", steps,
                            k + bottom));
  if (!(tolerance > 0 && tolerance < 1))
    return fail(fmt::format("TopEigenOptions::tolerance = {} (allowed: 0 < t < 1)", tolerance));
  return true;
}

std::vector<Eigenpair> TopEigenpairs(const SymmetricOperator& h, int dimension,
                                     const TopEigenOptions& o) {
  TopEigenOptions top_only = o;
  top_only.bottom = 0;
  return ExtremeEigenpairsOf(h, dimension, top_only).top;
}

ExtremeEigenpairs ExtremeEigenpairsOf(const SymmetricOperator& h, int dimension,
                                      const TopEigenOptions& o) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  if (dimension < 1)
    throw std::invalid_argument(fmt::format("TopEigenpairs: dimension = {}", dimension));
  const int steps =
      std::min(dimension, o.steps > 0 ? o.steps : std::max(2 * (o.k + o.bottom) + 20, 40));
  const LanczosDecomposition d = Lanczos(h, Gaussian(dimension, o.seed), steps);
  const RitzSpectrum s = TridiagonalSpectrum(d);
  const int m = static_cast<int>(s.values.size());
  Eigen::VectorXd hv;
  // The Ritz pair of T's j-th eigenvalue (ascending), its residual from one more product.
  const auto pair = [&](int j) {
    Eigenpair p;
    p.value = s.values[j];
    p.vector = d.basis * s.vectors.col(j);
    p.vector.normalize();
    Apply(h, p.vector, &hv);
    p.residual = (hv - p.value * p.vector).norm();
    p.converged = p.residual <= o.tolerance * std::abs(p.value);
    return p;
  };
  ExtremeEigenpairs out;
  for (int i = 0; i < std::min(o.k, m); ++i) out.top.push_back(pair(m - 1 - i));
  for (int i = 0; i < std::min(o.bottom, m); ++i) out.bottom.push_back(pair(i));
  return out;
}

TraceEstimate HutchinsonTrace(const SymmetricOperator& h, int dimension, int probes,
                              std::uint64_t seed) {
  if (probes < 2)
    throw std::invalid_argument(
        fmt::format("HutchinsonTrace: probes = {} (allowed: >= 2)", probes));
  if (dimension < 1)
    throw std::invalid_argument(fmt::format("HutchinsonTrace: dimension = {}", dimension));
  std::mt19937_64 rng(seed);
  TraceEstimate t;
  t.probes = probes;
  Eigen::VectorXd hz;
  for (int k = 0; k < probes; ++k) {
    const Eigen::VectorXd z = Rademacher(dimension, rng);
    Apply(h, z, &hz);
    t.samples.push_back(z.dot(hz));
  }
  double mean = 0, ss = 0;
  for (double x : t.samples) mean += x;
  mean /= probes;
  for (double x : t.samples) ss += (x - mean) * (x - mean);
  t.estimate = mean;
  t.se = std::sqrt(ss / (probes - 1) / probes);
  const double q = boost::math::quantile(boost::math::students_t(probes - 1), 0.975);
  t.ci_lo = mean - q * t.se;
  t.ci_hi = mean + q * t.se;
  return t;
}

bool DensityOptions::IsValid(std::string* why) const {
  const auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (probes < 1 || probes > 10000)
    return fail(fmt::format("DensityOptions::probes = {} (allowed: 1..10000)", probes));
  if (steps < 2 || steps > 10000)
    return fail(fmt::format("DensityOptions::steps = {} (allowed: 2..10000)", steps));
  if (bins < 2 || bins > 1000000)
    return fail(fmt::format("DensityOptions::bins = {} (allowed: 2..1000000)", bins));
  if (!(variance_scale > 0 && variance_scale < 1))
    return fail(
        fmt::format("DensityOptions::variance_scale = {} (allowed: 0 < v < 1)", variance_scale));
  return true;
}

SpectralDensity SlqDensity(const SymmetricOperator& h, int dimension, const DensityOptions& o) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  if (dimension < 1)
    throw std::invalid_argument(fmt::format("SlqDensity: dimension = {}", dimension));
  std::mt19937_64 rng(o.seed);
  SpectralDensity r;
  double lo = 0, hi = 0;  // the means over probes of the extreme nodes (PyHessian's range)
  for (int k = 0; k < o.probes; ++k) {
    const RitzSpectrum s = TridiagonalSpectrum(Lanczos(h, Rademacher(dimension, rng), o.steps));
    r.nodes.emplace_back(s.values.data(), s.values.data() + s.values.size());
    r.weights.emplace_back(s.first_weights.data(), s.first_weights.data() + s.first_weights.size());
    lo += s.values.minCoeff() / o.probes;
    hi += s.values.maxCoeff() / o.probes;
  }
  const double range = hi - lo;
  const double pad = 0.01 * std::max(range, 1e-12);
  lo -= pad, hi += pad;
  r.variance = o.variance_scale * std::max(1.0, range);
  for (int b = 0; b < o.bins; ++b) {
    const double x = lo + (hi - lo) * b / (o.bins - 1);
    double f = 0;
    for (std::size_t k = 0; k < r.nodes.size(); ++k)
      for (std::size_t j = 0; j < r.nodes[k].size(); ++j) {
        const double u = x - r.nodes[k][j];
        f += r.weights[k][j] * std::exp(-u * u / (2 * r.variance));
      }
    r.lambda.push_back(x);
    r.density.push_back(f / std::sqrt(2 * kPi * r.variance) / o.probes);
  }
  return r;
}

}  // namespace valleys::realnets
