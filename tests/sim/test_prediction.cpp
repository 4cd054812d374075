// The exact predictions of a simulation against the simulation itself: every statistic of a run
// that starts out of equilibrium (the transient included), and the spread of the chains' averages
// against the chain's asymptotic variance (Theorem 2's exact chain predicts the simulator's error
// bars). Each |z| <= 4.5 has a false-failure probability of 6.8e-6 for a normal z.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "valleys/sim/prediction.hpp"
#include "valleys/sim/simulator.hpp"
#include "valleys/theory/analytic_profiles.hpp"

using namespace valleys::sim;

namespace {
SimOptions Run(double eta, long long steps, long long burnin, std::uint64_t seed) {
  SimOptions o;
  o.profile =
      std::make_shared<valleys::theory::QuadraticProfile>(valleys::theory::QuadraticOptions{1, 9});
  o.lr.eta = eta;
  o.chains = 4000;
  o.steps = steps;
  o.burnin = burnin;
  o.seed = seed;
  return o;
}

void CheckZ(const char* name, const std::optional<double>& z) {
  INFO(name);
  REQUIRE(z.has_value());
  CHECK(std::abs(*z) <= 4.5);
}
}  // namespace

TEST_CASE(
    "predictions include the transient: a run from 0 without burn-in matches in every "
    "statistic",
    "[sim][prediction]") {
  SimOptions o = Run(0.05, 300, 0, 20261201);
  o.start.kind = StartKind::kValue;
  o.start.value = 1.5;  // far from equilibrium: the transient dominates 300 steps
  INFO("seed " << o.seed);
  const Prediction p = Predict(o);
  const SimSummary s = Simulate(o);
  const PredictionZ z = Compare(p, s);
  INFO("mean_avg " << s.mean_avg.value << " +- " << s.mean_avg.se << " predicted "
                   << p.window.mean_avg);
  CheckZ("mean_avg", z.mean_avg);
  CheckZ("mean_last", z.mean_last);
  CheckZ("p_flat", z.p_flat);
  CheckZ("mean_pos", z.mean_pos);
  CheckZ("mean_neg", z.mean_neg);
  // The stationary mean alone would be off by many standard errors here.
  CHECK(std::abs(s.mean_avg.value - p.stationary_mean) > 10 * s.mean_avg.se);
}

TEST_CASE("a strided SWA average is predicted", "[sim][prediction]") {
  SimOptions o = Run(0.05, 2001, 0, 20261202);
  o.avg_every = 5;
  o.avg_start = 1;
  const Prediction p = Predict(o);
  const PredictionZ z = Compare(p, Simulate(o));
  INFO("seed " << o.seed);
  CheckZ("mean_avg", z.mean_avg);
  CHECK(std::isnan(p.window.mean_avg_sd));
}

TEST_CASE(
    "theorem check: the spread of the chains' averages is the exact chain's asymptotic "
    "variance",
    "[sim][prediction][theorem]") {
  for (double eta : {0.02, 0.1}) {
    const SimOptions o = Run(eta, 5000, 3000, 20261203 + static_cast<std::uint64_t>(eta * 100));
    INFO("eta " << eta << " seed " << o.seed);
    const Prediction p = Predict(o);
    const SimSummary s = Simulate(o);
    const PredictionZ z = Compare(p, s);
    INFO("mean_avg_se " << s.mean_avg.se << " predicted "
                        << p.window.mean_avg_sd / std::sqrt(4000.0));
    INFO("p_flat_se " << s.p_flat.se << " predicted " << p.window.p_flat_sd / std::sqrt(4000.0));
    CheckZ("mean_avg_se", z.mean_avg_se);
    CheckZ("p_flat_se", z.p_flat_se);
    CheckZ("mean_avg", z.mean_avg);
  }
}

TEST_CASE("runs the chain solver cannot predict are said to be so", "[sim][prediction]") {
  SimOptions o = Run(0.05, 100, 0, 1);
  o.momentum = 0.9;
  o.noise = valleys::theory::LawKind::kRademacher;
  std::string why;
  CHECK_FALSE(IsPredictable(o, &why));
  CHECK(why == "momentum is used with two-point noise");
  CHECK_THROWS_AS(Predict(o), std::invalid_argument);
}
