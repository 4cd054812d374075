// The C10-C18 rules on made-up records: every branch of every rule (holds, fails, inconclusive,
// not run), with the intervals the rules decide on. An asymmetric record has log10 ratio 0.7
// (ratio 5), a symmetric one 0.08 (ratio 1.2). Clopper-Pearson at n_eff = 20: 20/20 gives
// [0.832, 1] (holds), 0/20 [0, 0.168] (fails), 10/20 [0.272, 0.728] (inconclusive).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "valleys/realnets/verdicts.hpp"

using namespace valleys;
using realnets::DirectionRecord;

namespace {

constexpr double kHigh = 0.7, kLow = 0.08;

// `k` of `n` directions asymmetric for one network, checkpoint and law.
void Add(std::vector<DirectionRecord>& records, const std::string& variant,
         const std::string& checkpoint, const std::string& law, int k, int n,
         double shift_ratio = 0.2) {
  for (int i = 0; i < n; ++i) {
    DirectionRecord r;
    r.variant = variant, r.checkpoint = checkpoint, r.law = law;
    r.asymmetric = i < k;
    r.flat_side = r.asymmetric ? theory::Side::kPositive : theory::Side::kNone;
    r.log_ratio = r.asymmetric ? kHigh : kLow;
    r.log_width_ratio = r.log_ratio / 2;  // widths at a matched height: the square root
    r.sign_agreement = 0.5;
    r.shift_ratio = shift_ratio;
    records.push_back(r);
  }
}

// Every claim holds here.
struct Scenario {
  std::vector<DirectionRecord> records;
  std::vector<realnets::DirectionGroup> groups;
  realnets::LineNumbers line;
  realnets::LogisticNumbers logistic{50, 40, 30, 10, 48, 40, 30, 10};
  realnets::ShiftControls controls;
  realnets::SwaBiasNumbers swa_bias;
  Scenario() {
    SetSwaBias(20, 20, 20);
    Add(records, "bn-sgd", "sgd", "uniform01", 20, 20);
    Add(records, "bn", "sgd", "uniform01", 0, 20);  // reported beside C10, does not decide
    Add(records, "bn", "swa", "uniform01", 20, 20);
    Add(records, "bn", "swa", "sign", 20, 20);
    Add(records, "bn", "swa", "gaussian", 0, 20, 0.95);  // C12's symmetric controls: no shift fits
    Add(records, "bn", "swa", "filter", 20, 20);
    Add(records, "nobn", "swa", "filter", 0, 20);
    Add(records, "gamma", "swa", "uniform01", 0, 20);
    Add(records, "softplus", "swa", "uniform01", 20, 20);
    line.train_at_swa = 1.0, line.train_at_sgd = 0.8;  // lower at SGD
    line.test_at_swa = 1.2, line.test_at_sgd = 1.4;    // lower at SWA
    line.test_past_swa = 1.205;                        // within +1%
    line.slope_beyond_sgd = 2.0, line.slope_beyond_swa = 0.5;
  }
  // C18: n directions with a prediction (n_eff n), `agree` of them with the measured bias of the
  // predicted sign, the flat side + on all, `on_flat` with the measured average on it.
  void SetSwaBias(int n, int agree, int on_flat) {
    swa_bias = {};
    for (int i = 0; i < n; ++i) {
      realnets::SwaBiasRecord r;
      r.predicted = true;
      r.flat_side = theory::Side::kPositive;
      r.measured_bias = i < on_flat ? 0.4 : -0.4;
      r.predicted_bias = (i < agree) == (r.measured_bias > 0) ? 0.3 : -0.3;
      r.measured_p_flat = 0.6, r.predicted_p_flat = 0.55;
      swa_bias.records.push_back(r);
    }
    swa_bias.n_eff = n;
  }
  realnets::VerdictRow Row(const std::string& id) const {
    for (const auto& v :
         realnets::EvaluateVerdicts(records, groups, {line}, logistic, controls, swa_bias))
      if (v.id == id) return v;
    FAIL("no verdict " << id);
    return {};
  }
  std::string Verdict(const std::string& id) const { return Row(id).verdict; }
  void Set(const std::string& variant, const std::string& checkpoint, const std::string& law, int k,
           int n, double shift_ratio = 0.2) {
    std::vector<DirectionRecord> kept;
    for (const auto& r : records)
      if (!(r.variant == variant && r.checkpoint == checkpoint && r.law == law)) kept.push_back(r);
    records = kept;
    Add(records, variant, checkpoint, law, k, n, shift_ratio);
  }
};

}  // namespace

TEST_CASE("signed log ratios, medians and counts", "[realnets][verdicts]") {
  realnets::AsymmetryReport a;
  a.detrended_rise_plus = 1, a.detrended_rise_minus = 10;
  CHECK(realnets::SignedLogRatio(a) == Approx(1.0));
  a.detrended_rise_minus = 1e-5;
  CHECK(realnets::SignedLogRatio(a) == -3.0);  // clipped
  a.detrended_rise_plus = 0, a.detrended_rise_minus = 2;
  CHECK(realnets::SignedLogRatio(a) == 3.0);
  a.detrended_rise_minus = 0;
  CHECK(realnets::SignedLogRatio(a) == 0.0);
  CHECK(realnets::Median({3, 1, 2}) == 2);
  CHECK(realnets::Median({4, 1, 2, 3}) == 2.5);
  CHECK(std::isnan(realnets::Median({})));
  const Scenario s;
  const realnets::LawStats bn = realnets::Stats(s.records, {}, "bn", "swa", "uniform01");
  CHECK(bn.n == 20);
  CHECK(bn.n_eff == 20);  // no group given: assumed independent
  CHECK(bn.asymmetric == 20);
  CHECK(bn.flat_pos == 20);
  CHECK(bn.fraction_ci.lo == Approx(std::pow(0.025, 1.0 / 20)));
  CHECK(bn.median_abs_log_ratio == Approx(kHigh));
  CHECK(bn.DescribeCount() == "20/20 asymmetric (n_eff 20; 95% CI 0.8316-1)");
  // A group's n_eff replaces n in the interval (and never exceeds n).
  const realnets::LawStats few =
      realnets::Stats(s.records, {{"bn", "swa", "uniform01", 1.4, 0.75}}, "bn", "swa", "uniform01");
  CHECK(few.n_eff == 1.4);
  CHECK(few.mean_cosine == 0.75);
  CHECK(few.fraction_ci.lo == Approx(std::pow(0.025, 1.0 / 1.4)));
  CHECK_THAT(few.DescribeCount(), Catch::Contains("n_eff < 3: too few independent directions"));
  CHECK(realnets::Stats(s.records, {{"bn", "swa", "uniform01", 99, 0}}, "bn", "swa", "uniform01")
            .n_eff == 20);
}

TEST_CASE("every claim holds in the all-holds scenario, with its numbers", "[realnets][verdicts]") {
  const Scenario s;
  const auto rows =
      realnets::EvaluateVerdicts(s.records, s.groups, {s.line}, s.logistic, s.controls, s.swa_bias);
  REQUIRE(rows.size() == 9);
  for (const auto& r : rows) {
    INFO(r.id << ": " << r.numbers);
    CHECK(r.verdict == "holds");
  }
  CHECK_THAT(rows[0].numbers, Catch::StartsWith("uniform01 directions at the decayed-rate "
                                                "plain-SGD solution: 20/20 asymmetric (n_eff 20; "
                                                "95% CI"));
  CHECK_THAT(rows[0].numbers, Catch::Contains("last constant-rate iterate: 0/20 asymmetric"));
  // Clopper-Pearson 40/48 by bisection on the exact binomial sums (Python, math.comb): 0.69778 -
  // 0.92519; 40/50: 0.6628-0.8997.
  CHECK_THAT(rows[1].numbers,
             Catch::Contains("at the minimizer (Newton; 48 of 50 seeds have one): 40/48 "
                             "asymmetric (n_eff 48; 95% CI 0.6978-0.9252)"));
  CHECK_THAT(rows[1].numbers, Catch::Contains("40/50 asymmetric (n_eff 50; 95% CI 0.6628-0.8997)"));
  CHECK_THAT(rows[4].numbers, Catch::Contains("n = 1, no interval"));
}

TEST_CASE("C10 and C11: the interval of the asymmetric fraction against 1/2",
          "[realnets][verdicts]") {
  Scenario s;
  s.Set("bn-sgd", "sgd", "uniform01", 0, 20);
  CHECK(s.Verdict("C10") == "fails");
  s.Set("bn-sgd", "sgd", "uniform01", 10, 20);
  CHECK(s.Verdict("C10") == "inconclusive");
  s.Set("bn-sgd", "sgd", "uniform01", 20, 20);
  CHECK(s.Verdict("C10") == "holds");
  // The same count over nearly one direction decides nothing, and says so.
  s.groups = {{"bn-sgd", "sgd", "uniform01", 1.41, 0.75}};
  CHECK(s.Verdict("C10") == "inconclusive");
  CHECK_THAT(s.Row("C10").numbers, Catch::Contains("n_eff < 3"));
  s.groups.clear();
  s.Set("bn-sgd", "sgd", "uniform01", 0, 0);  // no SGD profiles: nothing to judge
  CHECK(s.Verdict("C10") == "inconclusive");
  // C11 is judged at the minimizer, over the seeds that have one; the authors' 30-step average
  // is reported beside it and does not decide.
  s.logistic = {50, 50, 30, 20, 50, 0, 0, 0};
  CHECK(s.Verdict("C11") == "fails");
  CHECK_THAT(s.Row("C11").numbers, Catch::Contains("50 of 50 seeds have one"));
  CHECK_THAT(s.Row("C11").numbers, Catch::Contains("30-step average (not a minimum): 50/50"));
  s.logistic = {50, 0, 0, 0, 50, 25, 20, 5};  // CI 0.355-0.645
  CHECK(s.Verdict("C11") == "inconclusive");
  s.logistic = {50, 0, 0, 0, 40, 40, 30, 10};  // 40/40: CI 0.91-1
  CHECK(s.Verdict("C11") == "holds");
  s.logistic = {50, 50, 40, 10, 0, 0, 0, 0};  // no minimizer: nothing to judge
  CHECK(s.Verdict("C11") == "inconclusive");
}

TEST_CASE("C12: the asymmetric profiles' mismatch ratio against its controls",
          "[realnets][verdicts]") {
  Scenario s;  // asymmetric 0.2 against Gaussian controls at 0.95
  CHECK(s.Verdict("C12") == "holds");
  s.Set("bn", "swa", "uniform01", 20, 20, 0.95);  // no better than the controls
  CHECK(s.Verdict("C12") == "fails");
  CHECK_THAT(s.Row("C12").numbers, Catch::Contains("controls (n = 20"));
  // Controls spread over 0.6 (mismatched pairs) and 0.95 (Gaussian): their median 0.775 and an
  // interval that holds 0.7; the asymmetric profiles at 0.7: neither below the interval nor at
  // or above the median.
  s.controls.mismatched.assign(20, 0.6);
  s.Set("bn", "swa", "uniform01", 20, 20, 0.7);
  CHECK(s.Verdict("C12") == "inconclusive");
  // The mismatched pairs alone are a control too.
  s.Set("bn", "swa", "gaussian", 0, 0);
  s.controls.mismatched.assign(20, 0.9);
  s.Set("bn", "swa", "uniform01", 20, 20, 0.5);
  CHECK(s.Verdict("C12") == "holds");
  // Small ratios are not enough: controls as small (a parabola's shift is a linear term) make
  // the asymmetric profiles' 0.3 no evidence of a shift.
  s.controls.mismatched.assign(20, 0.25);
  s.Set("bn", "swa", "uniform01", 20, 20, 0.3);
  CHECK(s.Verdict("C12") == "fails");
  // No control: nothing to compare with. No asymmetric profile: nothing to fit.
  s.controls.mismatched.clear();
  CHECK(s.Verdict("C12") == "inconclusive");
  CHECK_THAT(s.Row("C12").numbers, Catch::Contains("none"));
  s = Scenario();
  s.Set("bn", "swa", "uniform01", 0, 20, 0.1);
  CHECK(s.Verdict("C12") == "inconclusive");
}

TEST_CASE("C13 and C14: the SWA-SGD line", "[realnets][verdicts]") {
  Scenario s;
  s.line.slope_beyond_sgd = 0.1;  // one condition of three missing
  CHECK(s.Verdict("C13") == "inconclusive");
  s.line.train_at_sgd = 1.1, s.line.test_at_sgd = 1.1;  // neither loss ordering
  CHECK(s.Verdict("C13") == "fails");
  s = Scenario();
  s.line.test_past_swa = 1.2 * 1.03;
  CHECK(s.Verdict("C14") == "inconclusive");
  s.line.test_past_swa = 1.2 * 1.06;
  CHECK(s.Verdict("C14") == "fails");
}

TEST_CASE("C15: BN against its BN-free twin along filter-normalized directions",
          "[realnets][verdicts]") {
  Scenario s;
  s.Set("nobn", "swa", "filter", 20, 20);  // equal medians: overlapping intervals
  CHECK(s.Verdict("C15") == "inconclusive");
  s.Set("bn", "swa", "filter", 0, 20);  // BN's interval below the twin's
  CHECK(s.Verdict("C15") == "fails");
  s = Scenario();
  s.Set("nobn", "swa", "filter", 0, 0);  // no twin profiles
  CHECK(s.Verdict("C15") == "inconclusive");
  // The twin's uniform01 profiles (all-positive directions) do not enter C15.
  s = Scenario();
  s.Set("nobn", "swa", "uniform01", 20, 20);
  CHECK(s.Verdict("C15") == "holds");
  // C15 reads the widths at matched heights, not the rises: profiles whose sides never reach a
  // common height decide nothing, whatever their rise ratios.
  for (auto& r : s.records)
    if (r.law == "filter") r.log_width_ratio = std::nan("");
  CHECK(s.Verdict("C15") == "inconclusive");
  CHECK_THAT(s.Row("C15").numbers, Catch::Contains("over 0 of 20 profiles"));
}

TEST_CASE("the log width ratio at the largest matched height", "[realnets][verdicts]") {
  realnets::AsymmetryReport r;
  r.width_ratio_at = {{0.1, 2.0, 1.0, 2.0, false},
                      {0.5, 4.0, 1.0, 4.0, false},
                      {1.0, INFINITY, 2.0, INFINITY, true}};
  double height = 0;
  CHECK(realnets::MatchedHeightLogWidthRatio(r, &height) == Approx(std::log10(4.0)));
  CHECK(height == 0.5);
  r.width_ratio_at = {{0.1, INFINITY, 1.0, INFINITY, true}};
  CHECK(std::isnan(realnets::MatchedHeightLogWidthRatio(r, &height)));
  CHECK(std::isnan(height));
}

TEST_CASE("C16: softplus against ReLU, or not run", "[realnets][verdicts]") {
  Scenario s;
  s.Set("softplus", "swa", "uniform01", 10, 20);
  CHECK(s.Verdict("C16") == "inconclusive");
  s.Set("softplus", "swa", "uniform01", 0, 20);
  CHECK(s.Verdict("C16") == "fails");
  s.Set("bn", "swa", "uniform01", 10, 20);  // the ReLU network not asymmetric with confidence
  CHECK(s.Verdict("C16") == "inconclusive");
  s.Set("softplus", "swa", "uniform01", 0, 0);
  CHECK(s.Verdict("C16") == "not run");
}

TEST_CASE("C17: direction laws and the gamma init", "[realnets][verdicts]") {
  Scenario s;
  s.Set("gamma", "swa", "uniform01", 20, 20);  // the init does not lower the ratio
  CHECK(s.Verdict("C17") == "inconclusive");
  s = Scenario();
  s.Set("bn", "swa", "gaussian", 20, 20);  // gaussian as asymmetric as uniform01 and sign
  CHECK(s.Verdict("C17") == "inconclusive");
  s.Set("bn", "swa", "uniform01", 0, 20);
  s.Set("bn", "swa", "sign", 0, 20);  // both below gaussian
  CHECK(s.Verdict("C17") == "fails");
  // Every median names its sample; one of fewer than 3 independent directions says so.
  CHECK_THAT(s.Row("C17").numbers, Catch::Contains("(sign agreement 0.5; n 20, n_eff 20)"));
  CHECK_THAT(s.Row("C17").numbers, !Catch::Contains("n_eff < 3"));
  s = Scenario();
  s.Set("bn", "swa", "uniform01", 2, 2);
  CHECK_THAT(s.Row("C17").numbers,
             Catch::Contains("n 2, n_eff 2; n_eff < 3: too few independent directions to decide"));
  CHECK_THAT(s.Row("C15").numbers, Catch::Contains("(n 20, n_eff 20)"));
}

TEST_CASE("C18: sign agreement with the chain and the flat side, each against 1/2",
          "[realnets][verdicts]") {
  Scenario s;
  CHECK(s.Verdict("C18") == "holds");
  CHECK_THAT(s.Row("C18").numbers,
             Catch::StartsWith("20 directions with a prediction (n_eff 20): measured and predicted "
                               "bias of the average from the profile's minimum agree in sign "
                               "along 20 (95% CI 0.8316-1)"));
  s.SetSwaBias(20, 20, 0);  // the chain predicts the steep side's sign, the average sits there
  CHECK(s.Verdict("C18") == "fails");
  s.SetSwaBias(20, 0, 20);  // on the flat side, against the chain's sign
  CHECK(s.Verdict("C18") == "fails");
  s.SetSwaBias(20, 10, 20);
  CHECK(s.Verdict("C18") == "inconclusive");
  s.SetSwaBias(2, 2, 2);  // too few directions for an interval above 1/2
  CHECK(s.Verdict("C18") == "inconclusive");
  CHECK_THAT(s.Row("C18").numbers, Catch::Contains("< 3: too few independent directions"));
  s.swa_bias = {};
  CHECK(s.Verdict("C18") == "not run");
  realnets::SwaBiasRecord unsolved;
  s.swa_bias.records.push_back(unsolved);
  CHECK(s.Verdict("C18") == "inconclusive");
  CHECK_THAT(s.Row("C18").numbers, Catch::Contains("solved along none of the 1 directions"));
}

TEST_CASE("several seeds: n_eff adds over seeds, every line must show C13 and C14",
          "[realnets][verdicts]") {
  Scenario s;
  // Two seeds' groups of the same network and law: 1.4 + 1.6 effectively independent directions.
  const realnets::LawStats two = realnets::Stats(
      s.records,
      {{"bn", "swa", "uniform01", 1.4, 0.75, 1}, {"bn", "swa", "uniform01", 1.6, 0.5, 2}}, "bn",
      "swa", "uniform01");
  CHECK(two.n_eff == Approx(3.0));
  CHECK(two.mean_cosine == Approx(0.625));
  realnets::LineNumbers bad = s.line;
  bad.train_at_sgd = 1.1;  // not lower at SGD
  bad.test_at_sgd = 1.1;   // not lower at SWA
  auto verdict = [&](const std::vector<realnets::LineNumbers>& lines, const char* id) {
    for (const auto& v :
         realnets::EvaluateVerdicts(s.records, s.groups, lines, s.logistic, s.controls, s.swa_bias))
      if (v.id == id) return v;
    FAIL("no verdict " << id);
    return realnets::VerdictRow{};
  };
  CHECK(verdict({s.line, s.line, s.line}, "C13").verdict == "holds");
  CHECK_THAT(verdict({s.line, s.line, s.line}, "C13").numbers,
             Catch::StartsWith("3 of 3 lines, one per seed (95% CI 0.2924-1) show all three"));
  CHECK(verdict({s.line, bad, s.line}, "C13").verdict == "inconclusive");
  CHECK(verdict({bad, bad, bad}, "C13").verdict == "fails");
  realnets::LineNumbers hurt = s.line;
  hurt.test_past_swa = 1.3;  // +8%
  CHECK(verdict({s.line, s.line}, "C14").verdict == "holds");
  CHECK(verdict({s.line, hurt}, "C14").verdict == "inconclusive");
  CHECK(verdict({hurt, hurt}, "C14").verdict == "fails");
  CHECK(verdict({}, "C13").verdict == "not run");
}
