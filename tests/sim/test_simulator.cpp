// The simulator against the theory's exact values, reproducibility, the minibatch model and
// divergence handling. Statistical checks use |z| <= 4.5 (two-sided false-failure probability
// 6.8e-6 per check under the CLT) with fixed seeds.
#include <catch2/catch.hpp>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <vector>

#include "chain_step.hpp"
#include "cpu_kernel.hpp"
#include "valleys/sim/simulator.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/sgd_chain.hpp"

using namespace valleys;
using namespace valleys::sim;

namespace {
SimOptions Base(theory::ProfilePtr profile, double eta) {
  SimOptions o;
  o.profile = std::move(profile);
  o.lr.eta = eta;
  o.chains = 4096;
  o.steps = 20000;
  o.burnin = 2000;
  o.seed = 20261127;
  return o;
}

void CheckAgainstTheory(const SimOptions& o) {
  const SimSummary s = Simulate(o);
  theory::ChainOptions chain;
  chain.eta = o.lr.eta;
  chain.noise = o.noise;
  chain.noise_std = o.noise_std;
  const theory::StationaryStats t = theory::SolveStationary(*o.profile, chain);
  INFO(o.profile->Spec() << " eta " << o.lr.eta << " noise " << theory::LawKindName(o.noise)
                         << " seed " << o.seed);
  INFO("mean_avg " << s.mean_avg.value << " +- " << s.mean_avg.se << " exact " << t.mean);
  CHECK(s.diverged == 0);
  CHECK(std::abs(s.mean_avg.value - t.mean) <= 4.5 * s.mean_avg.se + t.mean_error);
  CHECK(std::abs(s.p_flat.value - t.p_flat) <= 4.5 * s.p_flat.se + 1e-5);
  CHECK(std::abs(s.mean_pos.value - t.mean_pos) <= 4.5 * s.mean_pos.se + 1e-5);
  CHECK(std::abs(s.mean_neg.value - t.mean_neg) <= 4.5 * s.mean_neg.se + 1e-5);
}
}  // namespace

TEST_CASE("stationary statistics agree with the exact discrete chain", "[sim][statistical]") {
  CheckAgainstTheory(
      Base(std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}), 0.05));
  CheckAgainstTheory(
      Base(std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}), 0.15));
  CheckAgainstTheory(
      Base(std::make_shared<theory::LinearProfile>(theory::LinearOptions{1, 5}), 0.05));
  CheckAgainstTheory(
      Base(std::make_shared<theory::LinexProfile>(theory::LinexOptions{1, 2}), 0.05));
  SimOptions u =
      Base(std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}), 0.1);
  u.noise = theory::LawKind::kUniform;
  CheckAgainstTheory(u);
}

TEST_CASE("results are bit-identical for 1 and 2 threads", "[sim][reproducibility]") {
  SimOptions o = Base(std::make_shared<theory::LinexProfile>(theory::LinexOptions{1, 2}), 0.05);
  o.chains = 1000;  // not a multiple of the block size
  o.steps = 2000;
  o.momentum = 0.5;
  o.eval_shift = theory::SymmetricLaw(theory::LawKind::kGaussian, 0.5);
  const int saved = omp_get_max_threads();
  omp_set_num_threads(1);
  const SimSummary a = Simulate(o);
  omp_set_num_threads(2);
  const SimSummary b = Simulate(o);
  omp_set_num_threads(saved);
  CHECK(a.mean_avg.value == b.mean_avg.value);
  CHECK(a.mean_avg.se == b.mean_avg.se);
  CHECK(a.mean_last.value == b.mean_last.value);
  CHECK(a.p_flat.value == b.p_flat.value);
  CHECK(a.risk_avg.value == b.risk_avg.value);
}

TEST_CASE("the vectorized block kernel equals the scalar chain (the CUDA code path)",
          "[sim][reproducibility]") {
  detail::KernelParams p{};
  p.seed = 9;
  p.burnin = 13;
  p.steps = 301;  // not a multiple of 4
  p.lr_kind = LrKind::kCyclic;
  p.eta = 0.1;
  p.eta_end = 0.01;
  p.period = 37;
  p.momentum = 0.3;
  p.weight_decay = 0.01;
  p.noise_scale = 1.5;
  p.avg_start = 5;
  p.avg_every = 3;
  p.flat_sign = 1;
  p.bound = 1e8;
  for (int kind : {0, 1, 2}) {
    p.noise_kind = kind;
    const detail::QuadraticGrad grad{1, 9};
    std::vector<double> x0(100);
    for (std::size_t i = 0; i < x0.size(); ++i) x0[i] = 0.01 * static_cast<double>(i);
    std::vector<detail::ChainOut> block(x0.size());
    const valleys::sim::RunControl control;
    detail::WorkPoll poll(control, 1.0);
    detail::RunBlock(p, grad, 1000, static_cast<int>(x0.size()), x0.data(), block.data(), poll);
    for (std::size_t c = 0; c < x0.size(); ++c) {
      const detail::ChainOut r =
          detail::RunChain(p, grad, 1000 + static_cast<std::uint32_t>(c), x0[c]);
      CHECK(block[c].last == r.last);
      CHECK(block[c].avg == r.avg);
      CHECK(block[c].flat == r.flat);
    }
  }
}

TEST_CASE("transient: the SWA average from the minimizer is biased to the flat side (S4)",
          "[sim][statistical]") {
  SimOptions o =
      Base(std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}), 0.05);
  o.burnin = 0;
  o.steps = 10;
  o.chains = 200000;
  const SimSummary s = Simulate(o);
  theory::ChainOptions chain;
  chain.eta = 0.05;
  const theory::TransientStats t = theory::SolveTransient(*o.profile, chain, 0.0, 10);
  INFO("mean_avg " << s.mean_avg.value << " +- " << s.mean_avg.se << " exact " << t.mean_avg_T);
  CHECK(std::abs(s.mean_avg.value - t.mean_avg_T) <= 4.5 * s.mean_avg.se);
  CHECK(s.mean_avg.value > 0);
}

TEST_CASE("divergent chains are flagged and excluded, never averaged", "[sim][edge]") {
  // A chain is diverged once |x| exceeds the bound (here a small one, to make some chains cross
  // it).
  SimOptions o = Base(std::make_shared<theory::LinearProfile>(theory::LinearOptions{1, 5}), 0.2);
  o.noise_std = 3;
  o.chains = 500;
  o.steps = 500;
  o.burnin = 0;
  o.divergence_bound = 4;
  const SimSummary s = Simulate(o);
  CHECK(s.diverged > 0);
  CHECK(s.diverged < s.chains);
  CHECK(std::isfinite(s.mean_avg.value));
  CHECK_FALSE(s.diverged_chains.empty());
}

TEST_CASE("zero noise is plain gradient descent and stays at the minimum", "[sim][edge]") {
  SimOptions o =
      Base(std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}), 0.05);
  o.noise_std = 0;
  o.chains = 10;
  o.steps = 100;
  o.start.kind = StartKind::kValue;
  o.start.value = 1.0;
  const SimSummary s = Simulate(o);
  CHECK(s.mean_last.value == Approx(std::pow(0.95, 2100)).margin(1e-12));
  CHECK(s.mean_last.se < 1e-15);  // identical chains: no spread beyond rounding
}

TEST_CASE("minibatch model: the empirical minimizer and the batch-gradient variance",
          "[sim][statistical]") {
  SimOptions o;
  o.profile = std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{2, 2});
  o.eval_shift = theory::SymmetricLaw(theory::LawKind::kGaussian, 1.0);
  o.minibatch.data_size = 500;
  o.minibatch.batch = 5;
  o.noise_std = 0;
  const std::vector<double> z = SyntheticData(o);
  const double mean = std::accumulate(z.begin(), z.end(), 0.0) / z.size();
  // Symmetric quadratic: the training minimizer is the sample mean (the shift that emerges).
  CHECK(EmpiricalMinimizer(*o.profile, z) == Approx(mean).margin(1e-8));
  CHECK(mean != 0.0);
  // One step from w_hat: x1 = w_hat - eta * g_B with Var(g_B) = Var_i(2 (w_hat - z_i)) / B.
  double var_g = 0;
  for (double zi : z) var_g += 4 * (mean - zi) * (mean - zi);
  var_g /= z.size();
  o.lr.eta = 0.1;
  o.steps = 1;
  o.chains = 40000;
  o.start.kind = StartKind::kMinimizer;
  const SimSummary s = Simulate(o);
  const double var_x1 = s.mean_last.se * s.mean_last.se * o.chains;
  const double expected = 0.01 * var_g / 5;
  // Relative SE of a variance estimate ~ sqrt((kurtosis - 1) / N) <= sqrt(5 / 40000) = 1.1%;
  // tolerance 4.5 of those.
  INFO("var(x1) " << var_x1 << " expected " << expected);
  CHECK(std::abs(var_x1 / expected - 1) < 4.5 * std::sqrt(5.0 / o.chains));
  CHECK(s.w_hat == Approx(mean).margin(1e-8));
}

TEST_CASE("d-dimensional separable valleys: each rotated direction is its own chain (S7)",
          "[sim][statistical]") {
  SimOptions o;
  theory::ValleyOptions v;
  v.profiles = {std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}),
                std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{4, 4})};
  v.basis = theory::BasisKind::kRandomRotation;
  v.rotation_seed = 5;
  o.valley = v;
  o.lr.eta = 0.05;
  o.noise_std_per_direction = {1.0, 1.0};
  o.chains = 2000;
  o.steps = 4000;
  o.burnin = 1000;
  const SimSummary s = Simulate(o);
  theory::ChainOptions chain;
  chain.eta = 0.05;
  const theory::StationaryStats t =
      theory::SolveStationary(theory::QuadraticProfile({1, 9}), chain);
  REQUIRE(s.mean_avg_per_direction.size() == 2);
  CHECK(std::abs(s.mean_avg_per_direction[0].value - t.mean) <=
        4.5 * s.mean_avg_per_direction[0].se);
  CHECK(std::abs(s.mean_avg_per_direction[1].value) <= 4.5 * s.mean_avg_per_direction[1].se);
}

TEST_CASE("invalid options name the field and range", "[sim][edge]") {
  SimOptions o =
      Base(std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}), 0.3);
  std::string why;
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("stability limit"));
  o.lr.eta = 0.05;
  o.momentum = 1.0;
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("momentum"));
  CHECK_THROWS_AS(Simulate(o), std::invalid_argument);
}

TEST_CASE("step counts beyond the supported counter range are refused", "[sim][edge]") {
  SimOptions o =
      Base(std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9}), 0.05);
  o.steps = (1LL << 50) + 1;
  std::string why;
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("2^50"));
}

TEST_CASE("should_stop ends a run early with Stopped; progress counts chain-steps to 1",
          "[sim][control]") {
  SimOptions o;
  o.profile = std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9});
  o.lr.eta = 0.05;
  o.noise_std = 1;
  o.chains = 3;
  o.steps = 1LL << 40;  // hours of work: only a stop ends it
  int asked = 0;
  RunControl control;
  control.should_stop = [&] { return ++asked >= 3; };
  CHECK_THROWS_AS(Simulate(o, control), Stopped);
  CHECK(asked == 3);
  // Minibatch and valley paths stop too.
  SimOptions mb = o;
  mb.minibatch.data_size = 10;
  mb.minibatch.batch = 2;
  mb.eval_shift = theory::SymmetricLaw(theory::LawKind::kUniform, 1.0);
  asked = 0;
  CHECK_THROWS_AS(Simulate(mb, control), Stopped);
  // One long chain reports its progress while it runs, ending at 1.
  SimOptions short_run = o;
  short_run.chains = 1;
  short_run.steps = 100000;
  std::vector<double> seen;
  RunControl watch;
  watch.progress = [&](double f) { seen.push_back(f); };
  Simulate(short_run, watch);
  REQUIRE(seen.size() >= 6);  // 100000 / 2^14 reports, and the last
  CHECK(seen.back() == Approx(1.0));
  CHECK(std::is_sorted(seen.begin(), seen.end()));
}
