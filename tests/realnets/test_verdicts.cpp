// The C10-C17 rules on made-up records: every branch of every rule (holds, fails, inconclusive,
// not run), checked against the rule as the report states it.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "valleys/realnets/verdicts.hpp"

using namespace valleys;
using realnets::DirectionRecord;

namespace {

// A profile: asymmetric ones have widths 4 and 1 (|log10 ratio| 0.602), symmetric ones 1 and 1.
DirectionRecord Rec(const std::string& variant, const std::string& checkpoint,
                    const std::string& law, bool asymmetric, double agreement = 0.5,
                    double shift_ratio = 0.2) {
  DirectionRecord r{variant, checkpoint, law, {}, agreement, shift_ratio};
  r.train_score.asymmetric = asymmetric;
  r.train_score.width_pos = asymmetric ? 4.0 : 1.0;
  r.train_score.width_neg = 1.0;
  r.train_score.flat_side = asymmetric ? theory::Side::kPositive : theory::Side::kNone;
  return r;
}

// `k` of `n` directions asymmetric for one network, checkpoint and law.
void Add(std::vector<DirectionRecord>& records, const std::string& variant,
         const std::string& checkpoint, const std::string& law, int k, int n,
         double shift_ratio = 0.2) {
  for (int i = 0; i < n; ++i)
    records.push_back(Rec(variant, checkpoint, law, i < k, 0.5, shift_ratio));
}

// Every claim holds here.
struct Scenario {
  std::vector<DirectionRecord> records;
  realnets::LineNumbers line;
  realnets::LogisticNumbers logistic{50, 40, 30, 10};
  Scenario() {
    Add(records, "bn", "sgd", "uniform01", 3, 4);
    Add(records, "bn", "swa", "uniform01", 4, 4);
    Add(records, "bn", "swa", "sign", 4, 4);
    Add(records, "bn", "swa", "gaussian", 1, 4);
    Add(records, "nobn", "swa", "uniform01", 1, 4);
    Add(records, "gamma", "swa", "uniform01", 1, 4);
    Add(records, "softplus", "swa", "uniform01", 3, 4);
    line.train_at_swa = 1.0, line.train_at_sgd = 0.8;  // lower at SGD
    line.test_at_swa = 1.2, line.test_at_sgd = 1.4;    // lower at SWA
    line.test_past_swa = 1.205;                        // within +1%
    line.slope_beyond_sgd = 2.0, line.slope_beyond_swa = 0.5;
  }
  std::string Verdict(const std::string& id) const {
    for (const auto& v : realnets::EvaluateVerdicts(records, line, logistic))
      if (v.id == id) return v.verdict;
    FAIL("no verdict " << id);
    return "";
  }
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

TEST_CASE("signed log ratios and medians", "[realnets][verdicts]") {
  theory::AsymmetryScore s;
  s.width_pos = 10, s.width_neg = 1;
  CHECK(realnets::SignedLogRatio(s) == Approx(1.0));
  s.width_pos = 1, s.width_neg = 1000;
  CHECK(realnets::SignedLogRatio(s) == -1.5);  // clipped
  const double inf = std::numeric_limits<double>::infinity();
  s.width_pos = inf, s.width_neg = 2;
  CHECK(realnets::SignedLogRatio(s) == 1.5);
  s.width_pos = inf, s.width_neg = inf;
  CHECK(realnets::SignedLogRatio(s) == 0.0);
  CHECK(realnets::Median({3, 1, 2}) == 2);
  CHECK(realnets::Median({4, 1, 2, 3}) == 2.5);
  CHECK(std::isnan(realnets::Median({})));
}

TEST_CASE("every claim holds in the all-holds scenario, with its numbers", "[realnets][verdicts]") {
  const Scenario s;
  const auto rows = realnets::EvaluateVerdicts(s.records, s.line, s.logistic);
  REQUIRE(rows.size() == 8);
  for (const auto& r : rows) {
    INFO(r.id << ": " << r.numbers);
    CHECK(r.verdict == "holds");
  }
  CHECK(rows[0].numbers.rfind("3/4 uniform01 directions at the BN network's last SGD", 0) == 0);
  CHECK(rows[1].numbers == "40/50 seeds asymmetric (kappa = 2; flat side + 30, - 10)");
  const realnets::LawStats bn = realnets::Stats(s.records, "bn", "swa", "uniform01");
  CHECK(bn.n == 4);
  CHECK(bn.asymmetric == 4);
  CHECK(bn.flat_pos == 4);
  CHECK(bn.median_abs_log_ratio == Approx(std::log10(4.0)));
}

TEST_CASE("C10 and C11: half or more holds, none fails, between is inconclusive",
          "[realnets][verdicts]") {
  Scenario s;
  s.Set("bn", "sgd", "uniform01", 0, 4);
  CHECK(s.Verdict("C10") == "fails");
  s.Set("bn", "sgd", "uniform01", 1, 4);
  CHECK(s.Verdict("C10") == "inconclusive");
  s.Set("bn", "sgd", "uniform01", 2, 4);
  CHECK(s.Verdict("C10") == "holds");
  s.Set("bn", "sgd", "uniform01", 0, 0);  // no SGD profiles: nothing to judge
  CHECK(s.Verdict("C10") == "inconclusive");
  s.logistic = {50, 0, 0, 0};
  CHECK(s.Verdict("C11") == "fails");
  s.logistic = {50, 24, 20, 4};
  CHECK(s.Verdict("C11") == "inconclusive");
  s.logistic = {50, 25, 20, 5};
  CHECK(s.Verdict("C11") == "holds");
}

TEST_CASE("C12: the median mismatch ratio of the asymmetric BN uniform01 profiles",
          "[realnets][verdicts]") {
  Scenario s;
  s.Set("bn", "swa", "uniform01", 4, 4, 0.5);
  CHECK(s.Verdict("C12") == "holds");
  s.Set("bn", "swa", "uniform01", 4, 4, 0.7);
  CHECK(s.Verdict("C12") == "inconclusive");
  s.Set("bn", "swa", "uniform01", 4, 4, 0.9);
  CHECK(s.Verdict("C12") == "fails");
  // Symmetric profiles do not count: none asymmetric leaves nothing to fit.
  s.Set("bn", "swa", "uniform01", 0, 4, 0.1);
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

TEST_CASE("C15: BN against its BN-free twin, fraction and median ratio together",
          "[realnets][verdicts]") {
  Scenario s;
  s.Set("nobn", "swa", "uniform01", 4, 4);  // equal fractions and ratios
  CHECK(s.Verdict("C15") == "inconclusive");
  s.Set("bn", "swa", "uniform01", 1, 4);  // BN smaller on both
  CHECK(s.Verdict("C15") == "fails");
}

TEST_CASE("C16: softplus against ReLU, or not run", "[realnets][verdicts]") {
  Scenario s;
  s.Set("softplus", "swa", "uniform01", 2, 4);  // 0.5 >= half of 1.0
  CHECK(s.Verdict("C16") == "holds");
  s.Set("softplus", "swa", "uniform01", 1, 4);
  CHECK(s.Verdict("C16") == "inconclusive");
  s.Set("softplus", "swa", "uniform01", 0, 4);
  CHECK(s.Verdict("C16") == "fails");
  s.Set("bn", "swa", "uniform01", 0, 4);  // nothing in the ReLU network to reproduce
  CHECK(s.Verdict("C16") == "inconclusive");
  s.Set("softplus", "swa", "uniform01", 0, 0);
  CHECK(s.Verdict("C16") == "not run");
}

TEST_CASE("C17: direction laws and the gamma init", "[realnets][verdicts]") {
  Scenario s;
  s.Set("gamma", "swa", "uniform01", 4, 4);  // the init does not lower the fraction
  CHECK(s.Verdict("C17") == "inconclusive");
  s = Scenario();
  s.Set("bn", "swa", "gaussian", 4, 4);  // gaussian as asymmetric as uniform01 and sign
  CHECK(s.Verdict("C17") == "inconclusive");
  s.Set("bn", "swa", "uniform01", 1, 4);
  s.Set("bn", "swa", "sign", 1, 4);  // both below gaussian
  CHECK(s.Verdict("C17") == "fails");
}
