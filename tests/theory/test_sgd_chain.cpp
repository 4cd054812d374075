// The exact discrete-time SGD solver: accuracy, the identities S1-S3, the SDE limit, and two
// independent Monte Carlo checks for the non-Gaussian noise laws.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "support/seeded.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/sgd_chain.hpp"

using namespace valleys::theory;
using valleys::testing::Draws;

TEST_CASE("stationary mean is grid-converged to 1e-4 relative", "[sgd][accuracy]") {
  const QuadraticProfile q({1, 9});
  const LinearProfile lin({1, 5});
  const LinexProfile lx({1, 2});
  for (const Profile* p : {static_cast<const Profile*>(&q), static_cast<const Profile*>(&lin),
                           static_cast<const Profile*>(&lx)}) {
    for (LawKind noise : {LawKind::kGaussian, LawKind::kUniform}) {
      ChainOptions chain;
      chain.eta = 0.05;
      chain.noise = noise;
      SolverOptions fine;
      fine.cells_per_step = 32;
      const StationaryStats a = SolveStationary(*p, chain), b = SolveStationary(*p, chain, fine);
      INFO(p->Spec() << " noise " << LawKindName(noise));
      CHECK(std::abs(a.mean - b.mean) <= 1e-4 * std::abs(b.mean));
      CHECK(std::abs(a.p_flat - b.p_flat) <= 1e-5);
      CHECK(std::abs(a.mean - b.mean) <=
            a.mean_error);  // the reported error estimate is conservative
    }
  }
}

TEST_CASE("S3: P(x > 0) = c / (1 + c) exactly for linear valleys", "[sgd]") {
  Draws d(21);
  for (int i = 0; i < 8; ++i) {
    const double c = 1 + d.LogUniform(0.2, 10), eta = d.LogUniform(0.005, 0.2);
    ChainOptions chain;
    chain.eta = eta;
    chain.noise_std = d.LogUniform(0.5, 2);
    const StationaryStats s = SolveStationary(LinearProfile({d.LogUniform(0.5, 2), c}), chain);
    INFO("seed 21 draw " << i << " c " << c << " eta " << eta);
    CHECK(s.p_pos == Approx(c / (1 + c)).margin(2e-6));
  }
}

TEST_CASE("S1/S2: E[phi'(x)] = 0, so h+ E[x+] = h- E[x-]", "[sgd]") {
  Draws d(22);
  for (int i = 0; i < 8; ++i) {
    const double hp = d.LogUniform(0.2, 2), hm = d.LogUniform(2, 20);
    ChainOptions chain;
    chain.eta = d.Uniform(0.05, 0.9) * 2 / hm;
    const LawKind laws[] = {LawKind::kGaussian, LawKind::kUniform, LawKind::kRademacher};
    chain.noise = laws[i % 3];
    const StationaryStats s = SolveStationary(QuadraticProfile({hp, hm}), chain);
    INFO("seed 22 draw " << i << " h+ " << hp << " h- " << hm << " eta " << chain.eta << " noise "
                         << LawKindName(chain.noise));
    // Accuracy of the solver per noise law: smooth Gaussian kernel, discontinuous uniform kernel,
    // singular two-point kernel (docs/theory.md).
    const double tol =
        chain.noise == LawKind::kGaussian ? 1e-6 : (chain.noise == LawKind::kUniform ? 1e-4 : 2e-3);
    CHECK(hp * s.mean_pos == Approx(hm * s.mean_neg).epsilon(tol));
    CHECK(s.mean == Approx(s.mean_neg * (hm - hp) / hp).epsilon(tol));
    CHECK(s.mean > 0);
  }
}

TEST_CASE("S1 with weight decay: E[phi'(x) + lambda x] = 0", "[sgd]") {
  ChainOptions chain;
  chain.eta = 0.05;
  chain.weight_decay = 0.5;
  const StationaryStats s = SolveStationary(LinexProfile({1, 2}), chain);
  const StationaryStats plain =
      SolveStationary(LinexProfile({1, 2}), ChainOptions{0.05, 0.0, LawKind::kGaussian, 1.0});
  CHECK(std::abs(s.mean_slope) < 1e-8);
  CHECK(std::abs(s.mean) < std::abs(plain.mean));  // decay pulls the average toward 0
}

TEST_CASE("SDE limit: agrees at small eta, misses at large eta", "[sgd]") {
  const QuadraticProfile q({1, 9});
  ChainOptions chain;
  chain.eta = 0.001;
  StationaryStats exact = SolveStationary(q, chain);
  SdeStats sde = SdeStationary(q, chain);
  CHECK(sde.closed_form);
  CHECK(exact.mean == Approx(sde.mean).epsilon(0.01));
  CHECK(exact.p_flat == Approx(sde.p_flat).epsilon(0.005));
  chain.eta = 0.1;
  exact = SolveStationary(q, chain);
  sde = SdeStationary(q, chain);
  CHECK(exact.mean > 1.05 * sde.mean);  // the discrete chain is biased further than the SDE says
  CHECK(exact.p_flat > sde.p_flat + 0.01);
}

TEST_CASE("SDE by quadrature equals the closed forms", "[sgd]") {
  // wd = 1e-12 forces the quadrature path; the closed form has wd = 0.
  ChainOptions chain;
  chain.eta = 0.02;
  const SdeStats closed = SdeStationary(QuadraticProfile({1, 9}), chain);
  chain.weight_decay = 1e-12;
  const SdeStats quad = SdeStationary(QuadraticProfile({1, 9}), chain);
  CHECK_FALSE(quad.closed_form);
  CHECK(quad.mean == Approx(closed.mean).epsilon(1e-7));
  CHECK(quad.p_flat == Approx(closed.p_flat).epsilon(1e-7));
}

namespace {
// An independent long-run simulation of the 1-D chain (std::mt19937_64), batch means for the error.
struct McResult {
  double mean, se;
};
McResult SimulateMean(const Profile& p, double eta, LawKind noise, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> unif(-std::sqrt(3.0), std::sqrt(3.0));
  std::bernoulli_distribution coin;
  auto draw = [&] {
    switch (noise) {
      case LawKind::kGaussian:
        return normal(rng);
      case LawKind::kUniform:
        return unif(rng);
      case LawKind::kRademacher:
        return coin(rng) ? 1.0 : -1.0;
    }
    return 0.0;
  };
  double x = 0;
  for (int t = 0; t < 20000; ++t) x -= eta * (p.Slope(x) + draw());
  const int batches = 100, per = 100000;
  double sum = 0, sum2 = 0;
  for (int b = 0; b < batches; ++b) {
    double acc = 0;
    for (int t = 0; t < per; ++t) {
      x -= eta * (p.Slope(x) + draw());
      acc += x;
    }
    const double m = acc / per;
    sum += m;
    sum2 += m * m;
  }
  const double mean = sum / batches;
  return {mean, std::sqrt((sum2 / batches - mean * mean) / (batches - 1))};
}
}  // namespace

TEST_CASE("exact solver vs independent Monte Carlo for uniform and Rademacher noise",
          "[sgd][statistical]") {
  // Tolerance |z| <= 4.5 (two-sided false-failure probability ~7e-6 per check under normality of
  // the batch means; 100 batches of 1e5 steps are >> the chain's mixing time of ~10 steps).
  const QuadraticProfile q({1, 9});
  for (LawKind noise : {LawKind::kUniform, LawKind::kRademacher}) {
    ChainOptions chain;
    chain.eta = 0.1;
    chain.noise = noise;
    const StationaryStats s = SolveStationary(q, chain);
    const McResult mc = SimulateMean(q, 0.1, noise, 20261127);
    INFO("noise " << LawKindName(noise) << " exact " << s.mean << " mc " << mc.mean << " +- "
                  << mc.se << " (seed 20261127)");
    CHECK(std::abs(s.mean - mc.mean) <= 4.5 * mc.se + s.mean_error);
  }
  // The lattice case (linear valley, two-point noise, started at 0) against the same simulator.
  ChainOptions chain;
  chain.eta = 0.05;
  chain.noise = LawKind::kRademacher;
  const LinearProfile lin({1, 5});
  const StationaryStats s = SolveStationary(lin, chain);
  const McResult mc = SimulateMean(lin, 0.05, LawKind::kRademacher, 7);
  INFO("lattice: exact " << s.mean << " mc " << mc.mean << " +- " << mc.se << " (seed 7)");
  CHECK(std::abs(s.mean - mc.mean) <= 4.5 * mc.se);
}

TEST_CASE("two-point noise on a lattice: long-run law from 0", "[sgd][edge]") {
  // Linear valley, Rademacher noise, eta p = eta s: from 0 the chain lives on the lattice 0.05 Z:
  // x >= 0 moves by -0.1 or 0, x < 0 by +0.2 or +0.3. Its long-run law, computed independently by
  // power iteration on the integer lattice (docs/theory.md), has mean 0.05; S1 gives P(x >= 0) =
  // 5/6.
  ChainOptions chain;
  chain.eta = 0.05;
  chain.noise = LawKind::kRademacher;
  const StationaryStats s = SolveStationary(LinearProfile({1, 5}), chain);
  CHECK_THAT(s.method, Catch::Contains("propagation"));
  CHECK(s.mean == Approx(0.05).margin(1e-6));
  CHECK(s.p_pos == Approx(5.0 / 6).margin(1e-3));  // cells split the atom at 0 (see docs)
}

TEST_CASE("invalid chains are refused with the range in the message", "[sgd][edge]") {
  ChainOptions chain;
  chain.eta = 0.25;  // 0.25 * 9 > 2
  std::string why;
  CHECK_FALSE(chain.IsValid(QuadraticProfile({1, 9}), &why));
  CHECK_THAT(why, Catch::Contains("stability limit") && Catch::Contains("0.2222"));
  CHECK_THROWS_AS(SolveStationary(QuadraticProfile({1, 9}), chain), std::invalid_argument);
  chain.eta = 0.05;
  chain.noise_std = 0;
  CHECK_FALSE(chain.IsValid(QuadraticProfile({1, 9}), &why));
  CHECK_THAT(why, Catch::Contains("s = 0"));
}
