// The exact chain with momentum (heavy ball and Nesterov), state-dependent noise and an offset
// weight decay, against answers computed without the solver: the stationary covariance and the
// long-run variance of the linear chain on a quadratic (a discrete Lyapunov equation solved here
// with Eigen), the plain chain's solver as momentum goes to 0, and long Monte Carlo runs of the
// update rule written out in this file.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <random>

#include <Eigen/Dense>

#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/sgd_chain.hpp"

using namespace valleys::theory;

namespace {

QuadraticProfile Quadratic(double hplus, double hminus) {
  QuadraticOptions o;
  o.hplus = hplus;
  o.hminus = hminus;
  return QuadraticProfile(o);
}

// The linear chain z' = A z + b u on a quadratic of curvature k (z = (x, eta v), u ~ N(0, (eta
// s)^2)): the stationary covariance S = A S A^T + (eta s)^2 b b^T and the long-run covariance
// (I - A)^{-1} (eta s)^2 b b^T (I - A)^{-T}; returns {Var x, long-run variance of x}.
std::pair<double, double> LinearChainVariances(double k, double eta, double beta, double s,
                                               bool nesterov) {
  Eigen::Matrix2d a;
  Eigen::Vector2d b;
  if (nesterov) {  // x' = x - eta k x - beta y' - u, y' = beta y + eta k x + u
    a << 1 - eta * k - beta * eta * k, -beta * beta, eta * k, beta;
    b << -(1 + beta), 1;
  } else {  // x' = x - y', y' = beta y + eta k x + u
    a << 1 - eta * k, -beta, eta * k, beta;
    b << -1, 1;
  }
  const Eigen::Matrix2d q = (eta * s) * (eta * s) * b * b.transpose();
  // vec(S) = (I - A (x) A)^{-1} vec(Q).
  Eigen::Matrix4d kron;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) kron.block<2, 2>(2 * i, 2 * j) = a(i, j) * a;
  Eigen::Vector4d vq(q(0, 0), q(1, 0), q(0, 1), q(1, 1));
  const Eigen::Vector4d vs = (Eigen::Matrix4d::Identity() - kron).partialPivLu().solve(vq);
  const Eigen::Matrix2d inv = (Eigen::Matrix2d::Identity() - a).inverse();
  const Eigen::Matrix2d long_run = inv * q * inv.transpose();
  return {vs[0], long_run(0, 0)};
}

// Long runs of the chain as ChainOptions defines it, from rest at 0, with batch means.
struct McAnswer {
  double mean = 0, mean_se = 0, p_pos = 0, p_pos_se = 0;
};

McAnswer MonteCarlo(const Profile& profile, const ChainOptions& c, long long steps,
                    std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  double x = 0, v = 0;
  auto step = [&] {
    const double g =
        profile.Slope(x) + c.weight_decay * (x + c.decay_offset) + c.NoiseStd(x) * normal(rng);
    v = c.momentum * v + g;
    x -= c.eta * (c.nesterov ? g + c.momentum * v : v);
  };
  for (int t = 0; t < 20000; ++t) step();  // burn-in
  const int batches = 100;
  const long long per_batch = steps / batches;
  std::vector<double> means, pos;
  for (int bt = 0; bt < batches; ++bt) {
    double sm = 0, sp = 0;
    for (long long t = 0; t < per_batch; ++t) {
      step();
      sm += x;
      sp += x > 0 ? 1.0 : 0.0;
    }
    means.push_back(sm / static_cast<double>(per_batch));
    pos.push_back(sp / static_cast<double>(per_batch));
  }
  auto mean_se = [&](const std::vector<double>& values, double* m, double* se) {
    double s1 = 0, s2 = 0;
    for (double u : values) s1 += u;
    *m = s1 / batches;
    for (double u : values) s2 += (u - *m) * (u - *m);
    *se = std::sqrt(s2 / (batches - 1) / batches);
  };
  McAnswer a;
  mean_se(means, &a.mean, &a.mean_se);
  mean_se(pos, &a.p_pos, &a.p_pos_se);
  return a;
}

}  // namespace

TEST_CASE("momentum chain: the stationary and long-run variances of the linear chain",
          "[sgd][momentum]") {
  // Tolerance: relative 2e-4 on the variance, 1e-3 on the long-run variance (the Richardson
  // extrapolation from 1 and 2 cells per noise step leaves below 1e-8 on the heavy ball's
  // variance and about 1e-4 on Nesterov's, whose noise crosses 1 + beta cells per unit).
  const auto profile = Quadratic(1.0, 1.0);
  for (const bool nesterov : {false, true})
    for (const auto& [eta, beta] :
         {std::pair{0.05, 0.9}, std::pair{0.2, 0.5}, std::pair{0.02, 0.3}}) {
      ChainOptions c;
      c.eta = eta;
      c.momentum = beta;
      c.nesterov = nesterov;
      const auto [var, avar] = LinearChainVariances(1.0, eta, beta, 1.0, nesterov);
      ExactChain chain(profile, c);
      const VarianceStats v = chain.Variance();
      const StationaryStats st = chain.Stationary();
      INFO("nesterov " << nesterov << " eta " << eta << " beta " << beta << " var " << v.var_x
                       << " (exact " << var << ") avar " << v.avar_x << " (exact " << avar
                       << ") mean " << st.mean);
      CHECK(std::abs(v.var_x / var - 1) < 2e-4);
      CHECK(std::abs(v.avar_x / avar - 1) < 1e-3);
      CHECK(std::abs(st.mean) < 1e-6 * std::sqrt(var));
      CHECK(std::abs(st.p_flat - 0.5) < 1e-6);
      CHECK(std::abs(st.mean_slope) < 1e-6);
    }
}

TEST_CASE("momentum chain: momentum 1e-3 moves the plain chain's answer by O(1e-3)",
          "[sgd][momentum]") {
  // The 2-D solver and the 1-D solver on an asymmetric valley; the stationary mean scales with
  // the folded rate's square root, so beta = 1e-3 changes it by about 5e-4 relative: tolerance
  // 3e-3 relative.
  const auto profile = Quadratic(1.0, 9.0);
  ChainOptions plain;
  plain.eta = 0.05;
  ChainOptions with = plain;
  with.momentum = 1e-3;
  const StationaryStats a = SolveStationary(profile, plain), b = SolveStationary(profile, with);
  INFO("plain mean " << a.mean << " p_flat " << a.p_flat << "; momentum 1e-3 mean " << b.mean
                     << " p_flat " << b.p_flat);
  CHECK(std::abs(b.mean / a.mean - 1) < 3e-3);
  CHECK(std::abs(b.p_flat - a.p_flat) < 3e-3);
}

TEST_CASE("momentum chain: stationary mean and P(x > 0) agree with long Monte Carlo runs",
          "[sgd][momentum][stochastic]") {
  // Each case: 4e6 steps in 100 batch means; tolerance 5 standard errors (plus 1e-4 for the
  // solver), a false failure probability below 1e-5 per comparison (16 comparisons).
  const std::uint64_t seed = 20261207;
  INFO("seed " << seed);
  struct Case {
    double hplus, hminus, eta, beta;
    bool nesterov;
    double growth, wd, offset;
  };
  const Case cases[] = {
      {1, 9, 0.05, 0.9, false, 0, 0, 0},       {1, 9, 0.05, 0.9, true, 0, 0, 0},
      {1, 4, 0.1, 0.5, false, 0.5, 0, 0},      {1, 4, 0.05, 0.8, true, 0.3, 0, 0},
      {2, 6, 0.03, 0.9, false, 0, 0.5, 1.0},   {1, 9, 0.02, 0.95, false, 0, 0, 0},
      {9, 1, 0.03, 0.7, true, 0.2, 0.3, -2.0}, {1, 1, 0.1, 0.6, false, 0.5, 0, 0}};
  int k = 0;
  for (const Case& cs : cases) {
    const auto profile = Quadratic(cs.hplus, cs.hminus);
    ChainOptions c;
    c.eta = cs.eta;
    c.momentum = cs.beta;
    c.nesterov = cs.nesterov;
    c.noise_growth = cs.growth;
    c.weight_decay = cs.wd;
    c.decay_offset = cs.offset;
    const StationaryStats st = SolveStationary(profile, c);
    const McAnswer mc = MonteCarlo(profile, c, 4000000, seed + static_cast<std::uint64_t>(k++));
    INFO("case " << profile.Spec() << " eta " << cs.eta << " beta " << cs.beta << " nesterov "
                 << cs.nesterov << " c " << cs.growth << " wd " << cs.wd << " offset " << cs.offset
                 << ": exact mean " << st.mean << " P(x>0) " << st.p_pos << "; Monte Carlo "
                 << mc.mean << " +- " << mc.mean_se << ", " << mc.p_pos << " +- " << mc.p_pos_se);
    CHECK(std::abs(st.mean - mc.mean) < 5 * mc.mean_se + 1e-4);
    CHECK(std::abs(st.p_pos - mc.p_pos) < 5 * mc.p_pos_se + 1e-4);
  }
}
