// The pre-registered rules' inputs read from job records: which profiles enter which claim, the
// pairing by seed, the twin's accuracy gate, and the section's verdicts on constructed records.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "preregistered_data.hpp"

using namespace valleys::realnets;
using valleys::realnets::detail::JobRecord;

namespace {

DirectionRecord Profile(const std::string& checkpoint, const std::string& law, double y,
                        double shift_ratio = 1) {
  DirectionRecord d;
  d.checkpoint = checkpoint;
  d.law = law;
  d.valley_log10_ratio = y;
  d.shift_ratio = shift_ratio;
  return d;
}

// Seed s's bn, nobn and softplus records with the given |y| per law (3 directions each).
std::vector<JobRecord> Seed(std::uint64_t s, double twin_acc) {
  JobRecord bn, nobn, soft;
  bn.seed = nobn.seed = soft.seed = s;
  bn.variant = "bn", nobn.variant = "nobn", soft.variant = "softplus";
  nobn.trained.swa_test_acc = twin_acc;
  for (int k = 0; k < 3; ++k) {
    const double e = 0.01 * (k - 1) + 0.005 * static_cast<double>(s);
    bn.directions.push_back(Profile("sgd", "uniform01", (k == 1 ? -1 : 1) * (0.5 + e)));
    bn.directions.push_back(Profile("swa", "uniform01", 0.4 + e, 0.1));
    bn.directions.push_back(Profile("swa", "sign", 0.6 + e));
    bn.directions.push_back(Profile("swa", "gaussian", 0.05 + e));
    bn.directions.push_back(Profile("swa", "filter", 0.3 + e));
    nobn.directions.push_back(Profile("swa", "filter", 0.1 + e));
    soft.directions.push_back(Profile("swa", "uniform01", 0.38 + e));
    bn.mismatched.push_back(1.0);
  }
  bn.directions.push_back(Profile("sgd", "uniform01", std::nan("")));  // not bracketed: left out
  bn.has_line = true;
  bn.line.valley_log10_ratio = 0.5 + 0.01 * static_cast<double>(s);
  bn.line.test_past_swa_by_width = s == 3 ? std::nan("") : -0.002;  // seed 3: beyond the grid
  return {bn, nobn, soft};
}

const ClaimData& Claim(const std::vector<ClaimData>& d, const std::string& id) {
  for (const auto& x : d)
    if (x.claim == id) return x;
  throw std::runtime_error(id);
}

}  // namespace

TEST_CASE("preregistered data: the claims' values come from the right profiles") {
  std::vector<JobRecord> records;
  for (std::uint64_t s = 1; s <= 3; ++s)
    for (auto& r : Seed(s, 0.9)) records.push_back(r);
  const auto data = detail::PreregisteredClaimData(records);
  // C10: every bracketed SGD uniform01 profile, magnitudes (the sign of y is not the statistic).
  REQUIRE(Claim(data, "C10").values.size() == 3);
  CHECK(Claim(data, "C10").values[0].size() == 3);
  for (double y : Claim(data, "C10").values[0]) CHECK(y > 0.45);
  // Paired differences of medians, one per seed: sign - gaussian = 0.55, bn - nobn filter = 0.2,
  // softplus - bn uniform01 = -0.02; C12: log10 0.1 - log10 1 = -1.
  REQUIRE(Claim(data, "C17").values[1].size() == 1);
  CHECK(Claim(data, "C17").values[1][0] == Approx(0.55));
  REQUIRE(Claim(data, "C15").values[2].size() == 1);
  CHECK(Claim(data, "C15").values[2][0] == Approx(0.2));
  REQUIRE(Claim(data, "C16").values[0].size() == 1);
  CHECK(Claim(data, "C16").values[0][0] == Approx(-0.02));
  REQUIRE(Claim(data, "C12").values[0].size() == 1);
  CHECK(Claim(data, "C12").values[0][0] == Approx(-1));
  CHECK(Claim(data, "C15").precondition_met);
  // C13, C14: one value per seed from the line; a line without a number leaves its seed out.
  REQUIRE(Claim(data, "C13").values.size() == 3);
  CHECK(Claim(data, "C13").values[2][0] == Approx(0.53));
  REQUIRE(Claim(data, "C14").values.size() == 2);
  CHECK(Claim(data, "C14").values[0][0] == Approx(-0.002));
  CHECK(Claim(data, "C18").values.empty());
  CHECK_FALSE(Claim(data, "C18").why_not.empty());

  const auto verdicts = JudgeClaims(data);
  std::map<std::string, RuleVerdict> by;
  for (const auto& v : verdicts) by[v.rule.claim] = v.verdict;
  CHECK(by["C10"] == RuleVerdict::kHolds);  // 0.5 against 0.204, seeds within 0.005
  CHECK(by["C12"] == RuleVerdict::kHolds);  // identical seeds at -1: below 0 for certain
  CHECK(by["C17"] == RuleVerdict::kHolds);
  CHECK(by["C15"] == RuleVerdict::kHolds);
  CHECK(by["C16"] == RuleVerdict::kHolds);  // -0.02 > -0.1
  CHECK(by["C13"] == RuleVerdict::kHolds);  // 0.51-0.53 against 0.204
  CHECK(by["C14"] == RuleVerdict::kHolds);  // two seeds, both -0.002 < 0.01 (sd 0)
  CHECK(by["C18"] == RuleVerdict::kNotJudged);
  const std::string md = detail::PreregisteredSection(data, verdicts, 1);
  CHECK(md.find("| C10 ") != std::string::npos);
  CHECK(md.find("n = 9 over 3 seeds") != std::string::npos);
  CHECK(md.find("not measured: the airbench recipe") != std::string::npos);
}

TEST_CASE("preregistered data: a twin below 85% is not judged") {
  std::vector<JobRecord> records;
  for (std::uint64_t s = 1; s <= 3; ++s)
    for (auto& r : Seed(s, s == 2 ? 0.62 : 0.9)) records.push_back(r);
  const auto data = detail::PreregisteredClaimData(records);
  CHECK_FALSE(Claim(data, "C15").precondition_met);
  CHECK(Claim(data, "C15").why_not.find("seed 2 reached 62.0%") != std::string::npos);
  for (const auto& v : JudgeClaims(data))
    if (v.rule.claim == "C15") CHECK(v.verdict == RuleVerdict::kNotJudged);
}
