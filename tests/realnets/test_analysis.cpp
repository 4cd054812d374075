// The LibTorch-free analysis of realnets: training-state metadata, profile scores, the shift fit,
// and the 2-parameter logistic model (claim C11).
#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "valleys/realnets/analysis_json.hpp"
#include "valleys/realnets/logistic2d.hpp"
#include "valleys/realnets/profile_analysis.hpp"
#include "valleys/realnets/train_state.hpp"

using namespace valleys::realnets;

TEST_CASE("training state: round trip and clear errors", "[realnets][state]") {
  TrainStateRecord s;
  s.fingerprint = "preresnet-8 | seed 1";
  s.epoch = 2;
  s.swa_n = 1;
  s.rows = {{1, 0.05, 2.1, 0.2, 2.0, 0.25, 3.0, false}, {2, 0.05, 1.9, 0.3, 1.8, 0.3, 3.1, true}};
  const TrainStateRecord back =
      ParseTrainState(SerializeTrainState(s, R"({"tool":"valleys"})"), "x");
  CHECK(back.fingerprint == s.fingerprint);
  CHECK(back.epoch == 2);
  CHECK(back.swa_n == 1);
  REQUIRE(back.rows.size() == 2);
  CHECK(back.rows[1].test_loss == 1.8);
  CHECK(back.rows[1].swa_averaged);
  auto error_of = [](const std::string& text) {
    try {
      ParseTrainState(text, "run/state.json");
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("{\"fingerprint\": 1").find("not JSON") != std::string::npos);
  CHECK(error_of("[]").find("not a JSON object") != std::string::npos);
  CHECK(error_of(R"({"fingerprint":"f","epoch":-1,"swa_n":0,"rows":[]})").find("out of range") !=
        std::string::npos);
  CHECK(error_of(R"({"fingerprint":"f","epoch":1,"swa_n":0,"rows":[]})").find("0 rows for 1") !=
        std::string::npos);
  CHECK(error_of(R"({"fingerprint":"f","epoch":1,"swa_n":0,"rows":[[2,0,0,0,0,0,0,false]]})")
            .find("not numbered 1") != std::string::npos);
  CHECK(error_of(R"({"fingerprint":"f","epoch":1,"swa_n":1,"rows":[[1,0,0,0,0,0,0,false]]})")
            .find("swa_n = 1 but 0") != std::string::npos);
  CHECK(error_of(R"({"fingerprint":"f","epoch":1,"swa_n":0,"rows":[[1,"a",0,0,0,0,0,false]]})")
            .find("not a number") != std::string::npos);
  CHECK(error_of("{}").find("run/state.json") != std::string::npos);
}

TEST_CASE("profile scores: height rule, one-sided curvature", "[realnets][profile]") {
  // loss = 0.5 t^2 for t > 0 and 4.5 t^2 for t < 0 on a grid of step 0.5: the widths at height
  // delta are sqrt(2 delta) and sqrt(2 delta / 9), a ratio of exactly 3 between grid points
  // (linear interpolation makes it approximate: within 10%).
  std::vector<double> t, loss;
  for (int k = -8; k <= 8; ++k) {
    t.push_back(0.5 * k);
    loss.push_back(t.back() > 0 ? 0.5 * t.back() * t.back() : 4.5 * t.back() * t.back());
  }
  const ProfileScore s = ScoreProfile(t, loss);
  CHECK(s.delta == Approx(4.0));  // half the smaller end rise (0.5 * 4^2 = 8 at t = +4)
  CHECK(s.score.flat_side == valleys::theory::Side::kPositive);
  CHECK(s.score.width_ratio == Approx(3.0).epsilon(0.1));
  CHECK(s.score.asymmetric);
  CHECK(s.curvature_pos == Approx(1.0));  // second difference of 0.5 t^2: exactly 1
  CHECK(s.curvature_neg == Approx(9.0));
  // One side never rises: a quarter of the larger rise.
  std::vector<double> mono;
  for (double x : t) mono.push_back(x > 0 ? x * x : 0.0);
  CHECK(ProfileDelta(t, mono) == Approx(0.25 * 16.0));
  CHECK(ScoreProfile(t, mono).score.asymmetric);
  std::vector<double> uneven = t;
  uneven[1] += 0.1;
  CHECK_THROWS_AS(ScoreProfile(uneven, loss), std::invalid_argument);
}

TEST_CASE("shift fit recovers a known translation", "[realnets][shift]") {
  std::vector<double> t, train, test;
  for (int k = -40; k <= 40; ++k) t.push_back(0.1 * k);
  auto valley = [](double x) { return x > 0 ? 0.2 * x * x : 2.0 * x * x; };
  for (double x : t) {
    train.push_back(valley(x));
    test.push_back(valley(x - 0.6) + 0.3);  // shifted by 0.6 and lifted by 0.3
  }
  const ShiftFit fit = FitShift(t, train, test, 2.0);
  CHECK(fit.delta == Approx(0.6).margin(0.011));  // the search grid step is 0.005
  CHECK(fit.offset == Approx(0.3).margin(0.01));
  CHECK(fit.ratio < 0.01);
  CHECK(fit.mismatch0 > 0.01);
  // Identical profiles: no shift, ratio 1.
  CHECK(FitShift(t, train, train, 1.0).delta == 0.0);
  CHECK_THROWS_AS(FitShift(t, train, test, 0.0), std::invalid_argument);
}

TEST_CASE("the logistic minimizer in closed form, and none for separable classes",
          "[realnets][logistic2d]") {
  // At x = +1, 9 points of label 0 and 1 of label 1; at x = -1 the mirror image. By symmetry
  // b* = 0, and sigmoid(w*) = P(y = 1 | x = 1) = 0.1: w* = -ln 9.
  std::vector<double> x;
  std::vector<int> y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(1), y.push_back(i == 0 ? 1 : 0);
    x.push_back(-1), y.push_back(i == 0 ? 0 : 1);
  }
  for (const auto& start : {std::pair{0.0, 0.0}, std::pair{3.0, -2.0}, std::pair{-8.0, 5.0}}) {
    const LogisticMinimum m = MinimizeLogistic(x, y, start.first, start.second);
    CHECK(m.converged);
    CHECK(m.w == Approx(-std::log(9.0)).epsilon(1e-9));
    CHECK(m.b == Approx(0.0).margin(1e-9));
    // Central differences of the loss itself at the minimizer.
    const double h = 1e-5;
    CHECK(std::abs(LogisticLoss(x, y, m.w + h, m.b) - LogisticLoss(x, y, m.w - h, m.b)) / (2 * h) <
          1e-7);
  }
  // Separable classes (completely, and quasi-completely: touching at one x), and one class only:
  // the loss has no minimizer (its gradient still falls below any bound far out).
  const std::vector<int> ys = {0, 0, 1, 1};
  CHECK_FALSE(MinimizeLogistic({1, 2, -1, -2}, ys, 0, 0).converged);
  CHECK(MinimizeLogistic({1, 2, -1, -2}, ys, 0, 0).separable);
  CHECK(MinimizeLogistic({0, 2, -1, 0}, ys, 0, 0).separable);
  CHECK(MinimizeLogistic({-1, -2, 1, 2}, ys, 0, 0).separable);
  CHECK(MinimizeLogistic({1, 2, 3, 4}, {1, 1, 1, 1}, 0, 0).separable);
  CHECK_FALSE(MinimizeLogistic({1, -2, -1, 2}, ys, 0, 0).separable);
  CHECK(MinimizeLogistic({1, -2, -1, 2}, ys, 0, 0).converged);
}

TEST_CASE("the 2-parameter logistic model (C11)", "[realnets][logistic2d]") {
  // The loss in closed form against a direct evaluation: two points, w = 1, b = 0.
  const std::vector<double> x = {2.0, -1.0};
  const std::vector<int> y = {0, 1};
  const double direct =
      0.5 * (-std::log(1 - 1 / (1 + std::exp(-2.0))) - std::log(1 / (1 + std::exp(1.0))));
  CHECK(LogisticLoss(x, y, 1.0, 0.0) == Approx(direct).epsilon(1e-12));
  CHECK(std::isfinite(LogisticLoss(x, y, 1000.0, 0.0)));  // no overflow

  Logistic2dOptions o;  // the paper's setting: 50 seeds, 30 GD steps, 31 offsets over +-7.5
  const Logistic2dSummary s = RunLogistic2d(o);
  REQUIRE(s.runs.size() == 50);
  // Along an all-positive direction the margins of one class grow on one side: cross-entropy
  // flattens there and grows linearly on the other, so the widths at one height differ (the width
  // rule, kappa = 2). Deterministic given the seeds. (Under the declared criterion, which removes
  // the tilt of a centre that is not a minimum, the count is C11's and stands in its report.)
  int width_rule = 0;
  for (const auto& r : s.runs) width_rule += r.score.score.asymmetric;
  INFO("width-rule asymmetric seeds: " << width_rule << " of 50 (seeds 0..49)");
  CHECK(width_rule >= 40);
  for (const auto& r : s.runs) {
    CHECK(r.t.size() == 31);
    CHECK(r.t[15] == 0.0);
    CHECK(std::hypot(r.dir_w, r.dir_b) == Approx(1.0));
    CHECK(r.dir_w > 0);
    CHECK(r.dir_b > 0);
  }
  // Every seed's minimizer, where one exists, has a vanishing gradient (central differences of
  // LogisticLoss, independent of the Newton code's own derivatives) and lies at or below the
  // authors' centre; along the same direction no offset is lower (the loss is convex).
  int minimizers = 0;
  for (const auto& r : s.runs) {
    if (!r.minimum.converged) continue;
    ++minimizers;
    CHECK(r.loss_at_minimum[15] <= r.loss[15] + 1e-12);
    for (double loss : r.loss_at_minimum) CHECK(r.loss_at_minimum[15] <= loss + 1e-12);
  }
  CHECK(minimizers == s.minimizers);
  CHECK(minimizers >= 40);  // 20 overlapping points: separable only for a few seeds
  CHECK(s.asymmetric_at_minimum == s.flat_pos_at_minimum + s.flat_neg_at_minimum);

  Logistic2dOptions bad;
  bad.grid_points = 30;
  std::string why;
  CHECK_FALSE(bad.IsValid(&why));
  CHECK(why.find("odd") != std::string::npos);
}

TEST_CASE("logistic2d and shift outputs: nulls where no minimizer, inf as text",
          "[realnets][json]") {
  Logistic2dSummary s;
  Logistic2dRun found, separable;
  found.seed = 3;
  found.t = {-1, 0, 1};
  found.loss = {0.5, 0.25, 0.75};
  found.minimum.converged = true;
  found.minimum.w = 1.5;
  found.loss_at_minimum = {0.4, 0.2, 0.6};
  found.asymmetry.detrended_ratio = 4;
  found.asymmetry.asymmetric = true;
  separable.seed = 4;
  separable.t = {0};
  separable.loss = {0.125};
  separable.asymmetry.detrended_ratio = INFINITY;
  s.runs = {found, separable};
  s.asymmetric = 1;
  s.minimizers = 1;
  Logistic2dOptions o;
  o.seeds = 2;
  CHECK(Logistic2dCsv(s) ==
        "seed,t,loss,loss_through_minimizer\n3,-1,0.5,0.4\n3,0,0.25,0.2\n3,1,0.75,0.6\n"
        "4,0,0.125,\n");
  const auto j = Logistic2dResultJson(s, o);
  CHECK(j["seeds"] == 2);
  CHECK(j["asymmetric"] == 1);
  REQUIRE(j["runs"].size() == 2);
  CHECK(j["runs"][0]["minimizer_w"] == 1.5);
  CHECK(j["runs"][0]["detrended_ratio"] == 4.0);
  CHECK(j["runs"][1]["detrended_ratio"] == "inf");
  CHECK(j["runs"][1]["minimizer_w"].is_null());
  CHECK(j["runs"][1]["asymmetric_at_minimizer"].is_null());
  CHECK(Logistic2dMeta(o)["seeds"] == 2);

  ShiftFit fit;
  fit.delta = -0.5;
  fit.overlap = 12;
  const auto shift = ShiftFitJson(fit);
  CHECK(shift["delta"] == -0.5);
  CHECK(shift["overlap_points"] == 12);
  CHECK(shift.size() == 6);
}
