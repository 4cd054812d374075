// The seed-level verdict statistics: hand-computed ANOVA, t and Holm values, and Monte Carlo
// checks of power and coverage under a random-intercept model (fixed seeds, stated tolerances).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "valleys/realnets/seed_level.hpp"

using namespace valleys::realnets;

namespace {

// y_sj = mu + a_s + e_sj with a_s ~ N(0, sd_seed), e_sj ~ N(0, sd_within).
BySeed RandomIntercepts(std::mt19937_64& rng, int seeds, int per_seed, double mu, double sd_seed,
                        double sd_within) {
  std::normal_distribution<double> z(0, 1);
  BySeed y(static_cast<std::size_t>(seeds));
  for (auto& s : y) {
    const double a = sd_seed * z(rng);
    for (int j = 0; j < per_seed; ++j) s.push_back(mu + a + sd_within * z(rng));
  }
  return y;
}

}  // namespace

TEST_CASE("seed level: the one-way ANOVA intraclass correlation and design effect") {
  // Seeds {1,2,3} and {4,5,6}: means 2 and 5, grand mean 3.5; MSB = 3 (1.5^2 + 1.5^2) / 1 = 13.5,
  // MSW = (2 + 2) / 4 = 1, m0 = 3: ICC = (13.5 - 1) / (13.5 + 2 * 1) = 12.5 / 15.5.
  const SeedLevelTest t = TestSeedLevel({{1, 2, 3}, {4, 5, 6}}, 0);
  CHECK(t.icc == Approx(12.5 / 15.5).epsilon(1e-12));
  CHECK(t.design_effect == Approx(1 + 2 * 12.5 / 15.5).epsilon(1e-12));
  CHECK(t.effective_n == Approx(6 / (1 + 2 * 12.5 / 15.5)).epsilon(1e-12));
  CHECK(t.seed_values == std::vector<double>{2, 5});
  // Identical directions within each seed: one unit per seed.
  const SeedLevelTest same = TestSeedLevel({{1, 1, 1}, {2, 2, 2}, {4, 4, 4}}, 0);
  CHECK(same.icc == 1);
  CHECK(same.effective_n == Approx(3));
  // No seed effect at all (seeds with equal means): ICC 0, every direction counts.
  const SeedLevelTest none = TestSeedLevel({{1, 3}, {1, 3}, {1, 3}}, 0);
  CHECK(none.icc == 0);
  CHECK(none.effective_n == Approx(6));
}

TEST_CASE("seed level: t test on the seeds' medians") {
  // Medians 1, 2, 3 (the directions' outliers do not move them): mean 2, se 1/sqrt(3), t = 2
  // sqrt(3); with 2 degrees of freedom F(t) = 1/2 + t / (2 sqrt(2 + t^2)).
  const SeedLevelTest t = TestSeedLevel({{0, 1, 9}, {2, 2, 2}, {-5, 3, 3}}, 0);
  const double z = 2 * std::sqrt(3.0);
  const double p = 0.5 - z / (2 * std::sqrt(2 + z * z));
  CHECK(t.mean == Approx(2));
  CHECK(t.standard_error == Approx(1 / std::sqrt(3.0)));
  CHECK(t.p_above == Approx(p).epsilon(1e-10));
  CHECK(t.p_below == Approx(1 - p).epsilon(1e-10));
  // t_{0.95, 2} = 2.919986 (tables).
  CHECK(t.LowerBound(0.05) == Approx(2 - 2.919986 / std::sqrt(3.0)).epsilon(1e-6));
  CHECK(t.UpperBound(0.05) == Approx(2 + 2.919986 / std::sqrt(3.0)).epsilon(1e-6));
  // One seed: no interval, no decision.
  const SeedLevelTest one = TestSeedLevel({{1, 2, 3}}, 0);
  CHECK(std::isnan(one.p_above));
  CHECK(std::isnan(one.LowerBound(0.05)));
  CHECK(one.effective_n == Approx(1));
  CHECK_THROWS_WITH(TestSeedLevel({{}, {}}, 0), Catch::Contains("no seed has a value"));
  CHECK_THROWS_WITH(TestSeedLevel({{1, NAN}}, 0), Catch::Contains("allowed: finite"));
}

TEST_CASE("seed level: Holm's step-down") {
  // Sorted 0.005 <= 0.05/4, 0.01 <= 0.05/3, then 0.03 > 0.05/2 stops: 0.04 is kept although it is
  // below 0.05.
  CHECK(HolmRejects({0.01, 0.04, 0.03, 0.005}, 0.05) ==
        std::vector<bool>{true, false, false, true});
  CHECK(HolmRejects({0.001, NAN}, 0.05) == std::vector<bool>{true, false});
  CHECK(HolmRejects({0.026, 0.026}, 0.05) == std::vector<bool>{false, false});
}

TEST_CASE("seed level: power equals the simulated rejection rate") {
  // 20,000 simulated experiments of 3 seeds per case; the rate's standard error is at most
  // sqrt(0.25 / 20000) = 0.0035, and the tolerance 0.015 (over 4 sd) fails falsely with
  // probability below 1e-4 per case.
  const std::uint64_t seed = 20261207;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  for (const double delta : {0.0, 1.0, 3.0}) {
    const int reps = 20000;
    const double alpha = 0.05;
    int rejected = 0;
    for (int r = 0; r < reps; ++r) {
      const SeedLevelTest t = TestSeedLevel(RandomIntercepts(rng, 3, 1, delta, 1.0, 0.0), 0);
      rejected += t.p_above <= alpha ? 1 : 0;
    }
    CAPTURE(delta);
    CHECK(static_cast<double>(rejected) / reps ==
          Approx(SeedLevelPower(3, delta, alpha)).margin(0.015));
  }
  CHECK(SeedLevelPower(3, 0, 0.05) == Approx(0.05));
  CHECK_THROWS_WITH(SeedLevelPower(1, 1, 0.05), Catch::Contains("seeds >= 2"));
}

TEST_CASE("seed level: the bound covers the mean when directions within a seed agree") {
  // 3 seeds of 3 directions, ICC 0.9 (sd_seed 3, sd_within 1): the seed-level 95% one-sided
  // lower bound covers mu in 95% of 10,000 experiments (sd 0.0022; tolerance 0.012, over 5 sd),
  // while the bound that treats the 9 directions as independent covers it far less often.
  const std::uint64_t seed = 7;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const int reps = 10000;
  int covered = 0, naive_covered = 0;
  for (int r = 0; r < reps; ++r) {
    const BySeed y = RandomIntercepts(rng, 3, 3, 0.0, 3.0, 1.0);
    const SeedLevelTest t = TestSeedLevel(y, 0);
    covered += t.LowerBound(0.05) <= 0 ? 1 : 0;
    std::vector<std::vector<double>> flat;  // each direction its own "seed"
    for (const auto& s : y)
      for (double v : s) flat.push_back({v});
    naive_covered += TestSeedLevel(flat, 0).LowerBound(0.05) <= 0 ? 1 : 0;
  }
  CHECK(static_cast<double>(covered) / reps == Approx(0.95).margin(0.012));
  CHECK(static_cast<double>(naive_covered) / reps < 0.85);
}

TEST_CASE("seed level: the cluster bootstrap resamples seeds") {
  // Two seeds whose directions agree: the interval spans the two seeds' values, not a point.
  const Interval i = ClusterBootstrapMean({{1, 1, 1}, {3, 3, 3}}, 5);
  CHECK(i.lo == Approx(1));
  CHECK(i.hi == Approx(3));
  const Interval same = ClusterBootstrapMean({{2, 2}, {2, 2}}, 5);
  CHECK(same.lo == 2);
  CHECK(same.hi == 2);
}
