// C18's analysis on valleys with known answers: the symmetric-window fit, the admission gates, and
// the whole pipeline on iterates of SGD simulated here (independently of sim/) along a symmetric
// valley, where the sign agreement must come out at chance, and an asymmetric one, where the
// measured bias must equal the exact chain's.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "valleys/realnets/asymmetric_quadratic_fit.hpp"
#include "valleys/realnets/swa_bias_analysis.hpp"

using namespace valleys::realnets;

namespace {

struct Valley {
  double (*phi)(double);
  double (*slope)(double);
};
// A symmetric valley that is not a parabola: pseudo-Huber, quadratic within |t| < 1, linear beyond.
double Huber(double t) {
  return std::sqrt(1 + t * t) - 1;
}
double HuberSlope(double t) {
  return t / std::sqrt(1 + t * t);
}
// An asymmetric quadratic: h+ = 1, h- = 4 (the + side is flat).
double Asym(double t) {
  return t > 0 ? 0.5 * t * t : 2 * t * t;
}
double AsymSlope(double t) {
  return t > 0 ? t : 4 * t;
}

// Plain SGD x' = x - eta (phi'(x) + omega), omega ~ N(0, s^2), from the minimum, 2,000 steps of
// burn-in, then `snapshots` iterates every `thin` steps; and 32 draws of omega as the "per-batch
// gradients".
SwaBiasDirectionData Simulate(const Valley& v, double eta, double s, int snapshots, int thin,
                              std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, s);
  SwaBiasDirectionData d;
  double x = 0;
  for (int k = 0; k < 2000; ++k) x -= eta * (v.slope(x) + noise(rng));
  for (int k = 0; k < snapshots * thin; ++k) {
    x -= eta * (v.slope(x) + noise(rng));
    if ((k + 1) % thin == 0) d.offsets.push_back(x);
  }
  for (int b = 0; b < 32; ++b) d.grad_projections.push_back(noise(rng));
  d.lr = eta;
  return d;
}

// The profile as the experiment measures it: 15 points over +-4 sd of the iterates, centred on
// their mean (w_swa), with t measured from that centre; the offsets re-centred likewise.
void Profile(const Valley& v, SwaBiasDirectionData* d) {
  double mean = 0, ss = 0;
  for (double x : d->offsets) mean += x;
  mean /= d->offsets.size();
  for (double x : d->offsets) ss += (x - mean) * (x - mean);
  const double sd = std::sqrt(ss / (d->offsets.size() - 1));
  for (double& x : d->offsets) x -= mean;
  for (int k = -7; k <= 7; ++k) {
    const double t = 4 * sd * k / 7;
    d->curve.t.push_back(t);
    d->curve.train_loss.push_back(v.phi(mean + t));
  }
}

}  // namespace

TEST_CASE("the halves' shift, the slope through the origin", "[realnets][swa_bias]") {
  // {0, 0, 1, 1}: halves' means 0 and 1, sd sqrt(1/3).
  CHECK(HalvesShift({0, 0, 1, 1}) == Approx(std::sqrt(3.0)).epsilon(1e-12));
  // Odd: the middle value 5 is in neither half (means 0 and 1), but in the sd (sqrt(4.3)).
  CHECK(HalvesShift({0, 0, 5, 1, 1}) == Approx(1 / std::sqrt(4.3)).epsilon(1e-12));
  CHECK(std::isnan(HalvesShift({1, 2, 3})));
  CHECK(std::isnan(HalvesShift({2, 2, 2, 2})));
  CHECK(SlopeThroughOrigin({1, 2}, {2, 4}) == Approx(2));
  CHECK(SlopeThroughOrigin({1, -1}, {1, 1}) == Approx(0).margin(1e-15));
  CHECK(SlopeThroughOrigin({1, 3}, {1, 1}) == Approx(0.4));  // (1 + 3) / (1 + 9)
  CHECK(std::isnan(SlopeThroughOrigin({}, {})));
  CHECK(std::isnan(SlopeThroughOrigin({0, 0}, {1, 2})));
}

TEST_CASE("the sign agreement's permutation baseline", "[realnets][swa_bias]") {
  // Six pairs, three of each sign, all agreeing. Exactly 1 of the C(6,3) = 20 ways to place the
  // predicted signs agrees everywhere, so P(permuted rate >= 1) = 0.05; each pair agrees with
  // probability 1/2 under permutation, so the baseline is 0.5. Tolerances: 5 binomial standard
  // errors of 10,000 draws (0.011 for p, 0.01 for the mean rate); false failure < 1e-6.
  const std::vector<double> m = {1, 2, 3, -1, -2, -3}, p = {0.5, 0.1, 2, -4, -0.2, -1};
  const SignPermutationTest t = SignAgreementPermutation(m, p, 10000, 7);
  CHECK(t.n == 6);
  CHECK(t.rate == 1);
  CHECK(t.p_value == Approx(0.05).margin(0.011));
  CHECK(t.baseline == Approx(0.5).margin(0.01));
  // All predictions of one sign: every permutation gives the same rate, p = 1.
  const SignPermutationTest same = SignAgreementPermutation(m, {1, 1, 1, 1, 1, 1}, 100, 7);
  CHECK(same.rate == Approx(0.5));
  CHECK(same.baseline == Approx(0.5));
  CHECK(same.p_value == 1);
  // Zero or non-finite values are left out; the draws repeat with the seed.
  CHECK(SignAgreementPermutation({1, 0, NAN, -1}, {1, 1, 1, 1}, 10, 1).n == 2);
  CHECK(SignAgreementPermutation(m, p, 500, 3).p_value ==
        SignAgreementPermutation(m, p, 500, 3).p_value);
  CHECK_THROWS_WITH(SignAgreementPermutation({1}, {1, 2}, 10, 1),
                    Catch::Contains("1 measured and 2 predicted"));
}

TEST_CASE("the fit on the window symmetric about the minimum", "[realnets][swa_bias]") {
  std::vector<double> t, huber, asym, edge;
  for (int k = -7; k <= 7; ++k) {
    t.push_back(6.0 * k / 7);
    huber.push_back(Huber(t.back() - 3));  // symmetric, its minimum 3 units off the centre
    asym.push_back(Asym(t.back() - 2));    // h+ = 1, h- = 4, the minimum at 2
    edge.push_back(Huber(t.back() - 5.5));
  }
  // The whole window (centred on 0) reads the symmetric valley as asymmetric: the - side's wall
  // is seen far up its linear part, which a quadratic calls flat.
  const AsymmetricQuadraticFit whole = FitAsymmetricQuadratic(t, huber);
  REQUIRE(whole.interior);
  CHECK(whole.h_minus / whole.h_plus < 0.5);
  // The symmetric window about t_min: the valley is symmetric (ratio 1 by construction); 25%:
  // the grid's points lie up to half a step off symmetric positions.
  const SymmetricWindowFit sym = FitAsymmetricQuadraticSymmetric(t, huber, 3);
  INFO(sym.why_not << " m " << sym.fit.m);
  REQUIRE(sym.ok);
  CHECK(sym.fit.m == Approx(3).margin(0.1));
  CHECK(sym.half_width == Approx(3).margin(0.1));
  CHECK(sym.below >= 3);
  CHECK(sym.above >= 3);
  CHECK(sym.fit.h_minus / sym.fit.h_plus == Approx(1).margin(0.25));
  // An asymmetric quadratic is recovered exactly (to the candidates' spacing in m).
  const SymmetricWindowFit a = FitAsymmetricQuadraticSymmetric(t, asym, 3);
  REQUIRE(a.ok);
  CHECK(a.fit.m == Approx(2).margin(0.03));
  CHECK(a.fit.h_minus / a.fit.h_plus == Approx(4).epsilon(0.05));
  // A minimum near the end leaves too few points on one side.
  const SymmetricWindowFit e = FitAsymmetricQuadraticSymmetric(t, edge, 3);
  CHECK_FALSE(e.ok);
  CHECK_THAT(e.why_not, Catch::Contains("above it") || Catch::Contains("falls toward"));
  CHECK_THROWS_WITH(FitAsymmetricQuadraticSymmetric(t, huber, 1),
                    Catch::Contains("min_side_points = 1"));
}

TEST_CASE("C18's pipeline on a symmetric valley: sign agreement at chance",
          "[realnets][swa_bias]") {
  // 60 independent runs along the symmetric pseudo-Huber valley (seeds 1..60; eta 0.1, noise sd
  // 4: the iterates reach its linear walls). The measured and predicted biases are both noise
  // about 0, so their signs agree with probability 1/2: the admitted runs' rate lies within
  // 3 binomial standard errors of 0.5 (false failure 0.27% for a correct pipeline). A window
  // centred on the iterates' mean instead of t_min makes the prediction follow the measured
  // bias (it was shown to fail this test).
  const Valley v{Huber, HuberSlope};
  std::vector<double> measured, predicted;
  int admitted = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    INFO("seed " << seed);
    SwaBiasDirectionData d = Simulate(v, 0.1, 4, 200, 20, seed);
    Profile(v, &d);
    SwaBiasRow row;
    AnalyseSwaBiasDirection(d, 1.5, SwaBiasGates{}, &row);
    REQUIRE(row.predicted);
    if (!row.admitted) continue;
    ++admitted;
    measured.push_back(row.measured_bias / row.sd);
    predicted.push_back(row.predicted_bias / row.sd);
  }
  INFO("admitted " << admitted);
  REQUIRE(admitted >= 40);
  const SignPermutationTest t = SignAgreementPermutation(measured, predicted, 2000, 1);
  const double se = std::sqrt(0.25 / t.n);
  CHECK(t.rate > 0.5 - 3 * se);
  CHECK(t.rate < 0.5 + 3 * se);
}

TEST_CASE("C18's pipeline on an asymmetric valley: admitted, the measured bias as predicted",
          "[realnets][swa_bias]") {
  // One long run along h+ = 1, h- = 4 (eta 0.1, noise sd 1), 4,000 iterates 20 steps apart
  // (correlation 0.9^20 = 0.12 at the + side's rate; at most that): the measured bias (mean -
  // t_min) has a standard error near sd / sqrt(4000) = 0.016 sd; the fit's t_min adds the
  // candidates' spacing. Tolerance 0.1 sd, and the iterates' sd within 5% of the chain's.
  const Valley v{Asym, AsymSlope};
  SwaBiasDirectionData d = Simulate(v, 0.1, 1, 4000, 20, 11);
  Profile(v, &d);
  SwaBiasRow row;
  AnalyseSwaBiasDirection(d, 1.5, SwaBiasGates{}, &row);
  REQUIRE(row.predicted);
  CHECK(row.admitted);
  CHECK(row.not_admitted.empty());
  CHECK(row.flat_side == valleys::theory::Side::kPositive);
  CHECK(row.sd_ratio == Approx(1).margin(0.05));
  CHECK(row.predicted_bias / row.sd > 0.1);  // a bias the tolerance can see
  CHECK(row.measured_bias / row.sd == Approx(row.predicted_bias / row.sd).margin(0.1));
  // The same iterates, drifting: a ramp of 1 sd over the run fails the stationarity gate.
  SwaBiasDirectionData drift = d;
  for (std::size_t k = 0; k < drift.offsets.size(); ++k)
    drift.offsets[k] += 2.0 * row.sd * k / drift.offsets.size();
  SwaBiasRow drifting;
  AnalyseSwaBiasDirection(drift, 1.5, SwaBiasGates{}, &drifting);
  CHECK_FALSE(drifting.admitted);
  CHECK_THAT(drifting.not_admitted, Catch::Contains("not stationary") || Catch::Contains("sd is"));
  // Noise four times too large for the spread: the sd gate refuses it.
  SwaBiasDirectionData loud = d;
  for (double& g : loud.grad_projections) g *= 4;
  SwaBiasRow wrong;
  AnalyseSwaBiasDirection(loud, 1.5, SwaBiasGates{}, &wrong);
  CHECK_FALSE(wrong.admitted);
  CHECK_THAT(wrong.not_admitted, Catch::Contains("x the chain's"));
  SwaBiasGates bad;
  bad.max_sd_ratio = 1;
  CHECK_THROWS_WITH(AnalyseSwaBiasDirection(d, 1.5, bad, &wrong),
                    Catch::Contains("SwaBiasGates::max_sd_ratio = 1"));
}
