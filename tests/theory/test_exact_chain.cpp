// The exact chain solver's building blocks and its answers: the band LU against a dense LU, the
// transient cut at mixing against full propagation, window averages from the Poisson equation
// against propagated means, asymptotic variances against the AR(1) chain's closed forms, and the
// memory bound.
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <vector>

#include <Eigen/Dense>

#include "band_matrix.hpp"
#include "support/seeded.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/sgd_chain.hpp"

using namespace valleys::theory;

TEST_CASE("band LU without pivoting solves diagonally dominant band systems like a dense LU",
          "[sgd][band]") {
  const std::uint64_t seed = 20261201;
  INFO("seed " << seed);
  valleys::testing::Draws d(seed);
  for (int trial = 0; trial < 20; ++trial) {
    const int n = 5 + static_cast<int>(d.Uniform(0, 120));
    const int lower = static_cast<int>(d.Uniform(0, 9)), upper = static_cast<int>(d.Uniform(0, 9));
    detail::BandMatrix band(n, lower, upper);
    Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(n, n);
    for (int i = 0; i < n; ++i) {
      double off = 0.0;
      for (int j = std::max(0, i - lower); j <= std::min(n - 1, i + upper); ++j) {
        if (j == i || d.Uniform(0, 1) < 0.3) continue;  // sparse inside the band, like the chain's
        const double v = d.Uniform(-1, 1);
        band.At(i, j) = dense(i, j) = v;
        off += std::abs(v);
      }
      band.At(i, i) = dense(i, i) = off * d.Uniform(1.0, 1.5) + 1e-3;  // weakly dominant rows
    }
    INFO("trial " << trial << " n " << n << " lower " << lower << " upper " << upper);
    REQUIRE(band.Factorize());
    Eigen::VectorXd b = Eigen::VectorXd::Random(n), x = b, y = b;
    band.Solve(x.data());
    band.SolveTransposed(y.data());
    const Eigen::VectorXd want = dense.partialPivLu().solve(b);
    const Eigen::MatrixXd dense_t = dense.transpose();
    const Eigen::VectorXd want_t = dense_t.partialPivLu().solve(b);
    CHECK((x - want).norm() <= 1e-12 * (1 + want.norm()));
    CHECK((y - want_t).norm() <= 1e-12 * (1 + want_t.norm()));
  }
  detail::BandMatrix singular(3, 1, 1);
  singular.At(0, 0) = 1, singular.At(0, 1) = 1, singular.At(1, 0) = 1, singular.At(1, 1) = 1;
  singular.At(2, 2) = 1;
  CHECK_FALSE(singular.Factorize());
}

namespace {
SolverOptions NoCut() {
  SolverOptions s;
  s.mixing_tolerance = 1e-300;  // never reached: every step is propagated
  return s;
}
}  // namespace

TEST_CASE("transients stop once mixed and agree with full propagation within their bound",
          "[sgd][transient]") {
  struct Case {
    ProfilePtr profile;
    double eta, x0;
    long long T;
  };
  const std::vector<Case> cases = {
      {std::make_shared<QuadraticProfile>(QuadraticOptions{1, 9}), 0.05, 0.0, 3000},
      {std::make_shared<QuadraticProfile>(QuadraticOptions{1, 9}), 0.01, 0.0, 20000},
      {std::make_shared<QuadraticProfile>(QuadraticOptions{1, 16}), 0.08, 1.5, 4000},
      {std::make_shared<LinearProfile>(LinearOptions{1, 2.5}), 0.3, -1.0, 400},  // C8's kind
      {std::make_shared<LinexProfile>(LinexOptions{1, 2}), 0.05, 0.5, 2000}};
  for (const Case& c : cases) {
    ChainOptions chain;
    chain.eta = c.eta;
    chain.noise_std = c.profile->Kind() == "linear" ? 1.5 : 1.0;
    INFO(c.profile->Spec() << " eta " << c.eta << " x0 " << c.x0 << " T " << c.T);
    const TransientStats cut = SolveTransient(*c.profile, chain, c.x0, c.T);
    const TransientStats full = SolveTransient(*c.profile, chain, c.x0, c.T, NoCut());
    CHECK(full.propagated_steps == c.T);
    CHECK(cut.propagated_steps < c.T);
    // Richardson combines the grids as (4 fine - coarse) / 3: each grid's bound enters 5/3 times.
    const double bound = 5.0 / 3.0 * cut.truncation_bound + 1e-14;
    double worst = 0.0;
    for (std::size_t t = 0; t < full.mean_t.size(); ++t)
      worst = std::max(worst, std::abs(cut.mean_t[t] - full.mean_t[t]));
    INFO("worst |difference| " << worst << " bound " << bound);
    CHECK(worst <= bound);
    CHECK(std::abs(cut.mean_avg_T - full.mean_avg_T) <= bound);
  }
  // C8's solver: 4 cells per step, no Richardson (one grid: the bound applies once).
  SolverOptions fast;
  fast.cells_per_step = 4;
  fast.richardson = false;
  SolverOptions fast_full = fast;
  fast_full.mixing_tolerance = 1e-300;
  const LinearProfile lin({1, 2.0});
  ChainOptions chain;
  chain.eta = 0.5;
  chain.noise_std = 1.5;
  const TransientStats cut = SolveTransient(lin, chain, -1.0, 400, fast);
  const TransientStats full = SolveTransient(lin, chain, -1.0, 400, fast_full);
  INFO("C8-like: propagated " << cut.propagated_steps << " bound " << cut.truncation_bound);
  CHECK(cut.propagated_steps < 400);
  CHECK(std::abs(cut.mean_avg_T - full.mean_avg_T) <= cut.truncation_bound + 1e-14);
}

TEST_CASE("window averages from the Poisson equation equal averages of propagated means",
          "[sgd][window]") {
  const QuadraticProfile q({1, 9});
  ChainOptions chain;
  chain.eta = 0.05;
  ExactChain exact(q, chain);
  ExactChain reference(q, chain, NoCut());
  for (double x0 : {0.0, 0.7}) {
    const TransientStats t = reference.Transient(x0, 6001);
    auto mean_over = [&](long long first, long long last, long long every) {
      double sum = 0.0;
      long long n = 0;
      for (long long s = first; s <= last; s += every) sum += t.mean_t[s], ++n;
      return sum / static_cast<double>(n);
    };
    struct W {
      long long first, last, every, rec_first, rec_last;
    };
    for (const W& w : {W{1, 5000, 1, 1, 5000}, W{101, 3000, 1, 101, 3000}, W{5, 6000, 1, 2, 6000},
                       W{1, 3001, 3, 1, 3001}, W{2, 40, 1, 2, 40}}) {
      WindowSpec spec;
      spec.x0 = x0;
      spec.avg_first = w.first, spec.avg_last = w.last, spec.avg_every = w.every;
      spec.rec_first = w.rec_first, spec.rec_last = w.rec_last;
      INFO("x0 " << x0 << " window " << w.first << ".." << w.last << " every " << w.every);
      const WindowStats s = exact.Window(spec);
      CHECK(s.mean_avg == Approx(mean_over(w.first, w.last, w.every)).margin(1e-11));
      CHECK(s.mean_last == Approx(t.mean_t[w.rec_last]).margin(1e-11));
    }
  }
}

TEST_CASE("asymptotic variances equal the AR(1) chain's closed forms", "[sgd][variance]") {
  // Symmetric quadratic, Gaussian noise: x' = a x - eta omega with a = 1 - eta h, an exact AR(1)
  // chain. Stationary N(0, V), V = eta^2 s^2 / (1 - a^2); Cov(x_0, x_k) = V a^k;
  // Cov(1{x_0 > 0}, 1{x_k > 0}) = asin(a^k) / (2 pi).
  const double h = 2, eta = 0.1, s = 1, a = 1 - eta * h;
  const QuadraticProfile q({h, h});
  ChainOptions chain;
  chain.eta = eta;
  chain.noise_std = s;
  ExactChain exact(q, chain);
  const VarianceStats v = exact.Variance();
  const double var = eta * eta * s * s / (1 - a * a);
  CHECK(v.var_x == Approx(var).epsilon(1e-6));
  CHECK(v.avar_x == Approx(var * (1 + a) / (1 - a)).epsilon(1e-6));
  double flat_sum = 0.0;
  for (int k = 1; k < 400; ++k) flat_sum += std::asin(std::pow(a, k)) / (2 * M_PI);
  CHECK(v.var_flat == Approx(0.25).epsilon(1e-6));
  CHECK(v.avar_flat == Approx(0.25 + 2 * flat_sum).epsilon(1e-5));
  // The window's sd: Var(mean of N) = (N V + 2 sum_{k<N} (N - k) V a^k) / N^2, which the solver's
  // form matches up to terms of order a^N.
  for (long long n : {200LL, 5000LL}) {
    double sum = n * var;
    for (long long k = 1; k < n; ++k)
      sum += 2.0 * static_cast<double>(n - k) * var * std::pow(a, k);
    WindowSpec w;
    w.avg_last = w.rec_last = n;
    INFO("N " << n);
    CHECK(exact.Window(w).mean_avg_sd ==
          Approx(std::sqrt(sum) / static_cast<double>(n)).epsilon(1e-6));
  }
}

TEST_CASE("a grid beyond max_bytes is refused with the cells_per_step that fits", "[sgd][edge]") {
  ChainOptions chain;
  chain.eta = 0.05;
  SolverOptions solver;
  solver.cells_per_step = 256;
  CHECK_THROWS_WITH(SolveStationary(QuadraticProfile({1, 9}), chain, solver),
                    Catch::Contains("cells_per_step = 256") &&
                        Catch::Contains("allowed here: 4 <= cells_per_step <="));
  solver.cells_per_step = 8;
  solver.max_bytes = 1e6;
  CHECK_THROWS_AS(SolveStationary(QuadraticProfile({1, 9}), chain, solver), std::invalid_argument);
}
