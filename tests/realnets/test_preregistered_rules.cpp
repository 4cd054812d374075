// The pre-registered rules at the cpu-full preset's own size (3 seeds of 3 directions): every
// claim's rule holds on data on the paper's side, fails on data on the other side, and stays
// undecided when the seeds disagree. The data are constructed, so the expected verdicts follow
// from the t statistic by hand (see each case).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "valleys/realnets/preregistered_rules.hpp"

using namespace valleys::realnets;

namespace {

// 3 seeds x 3 directions around `centre`: seed medians centre - 0.02, centre, centre + 0.02 (sd
// 0.02, se 0.0115), directions +-0.01 around them. t = (centre - theta) / 0.0115.
BySeed ThreeByThree(double centre) {
  BySeed y;
  for (const double seed : {-0.02, 0.0, 0.02})
    y.push_back({centre + seed - 0.01, centre + seed, centre + seed + 0.01});
  return y;
}

ClaimData Data(const std::string& claim, BySeed values, bool met = true, std::string why = "") {
  return {claim, std::move(values), met, std::move(why)};
}

// Every claim at `distance` from its theta on the paper's side (positive) or against it.
std::vector<ClaimData> AllClaims(double distance) {
  std::vector<ClaimData> data;
  for (const auto& r : PreregisteredRules())
    data.push_back(Data(r.claim, ThreeByThree(r.theta + (r.holds_above ? distance : -distance))));
  return data;
}

const double kC13Theta = std::log10(1.6);

const ClaimVerdict& Find(const std::vector<ClaimVerdict>& v, const std::string& claim) {
  for (const auto& x : v)
    if (x.rule.claim == claim) return x;
  throw std::runtime_error("no verdict for " + claim);
}

}  // namespace

TEST_CASE("preregistered rules: the table of docs/realnets.md") {
  const auto& r = PreregisteredRules();
  REQUIRE(r.size() == 8);
  const std::vector<std::string> claims = {"C10", "C12", "C13", "C14", "C15", "C16", "C17", "C18"};
  for (std::size_t i = 0; i < r.size(); ++i) CHECK(r[i].claim == claims[i]);
  CHECK(Find(JudgeClaims({}), "C10").rule.theta == Approx(std::log10(1.6)));
  CHECK(Find(JudgeClaims({}), "C18").rule.theta == 0.5);
  CHECK_FALSE(Find(JudgeClaims({}), "C14").rule.holds_above);
}

TEST_CASE("preregistered rules: each holds and each fails at 3 seeds of 3 directions") {
  // Distance 0.3: t = 26 against t_{1 - 0.05/8, 2} = 8.86, so even Holm's strictest level
  // rejects; every claim is decided.
  for (const double sign : {1.0, -1.0}) {
    std::vector<ClaimData> data = AllClaims(0.3 * sign);
    // C14 is judged where C13 holds: C13 on the paper's side, C14 at `sign`.
    for (auto& d : data)
      if (d.claim == "C13") d.values = ThreeByThree(kC13Theta + 0.3);
    const auto verdicts = JudgeClaims(data);
    for (const auto& v : verdicts) {
      CAPTURE(v.rule.claim, sign);
      const bool held = sign > 0 || v.rule.claim == "C13";
      CHECK(v.verdict == (held ? RuleVerdict::kHolds : RuleVerdict::kFails));
      CHECK(v.test.seeds == 3);
      CHECK(v.test.observations == 9);
      CHECK(v.holm_alpha == Approx(0.05 / 8));
      // The bound on the paper's side excludes theta when it holds.
      if (held)
        CHECK((v.rule.holds_above ? v.hold_bound > v.rule.theta : v.hold_bound < v.rule.theta));
    }
  }
  // Where C13 does not hold, C14 is not judged, whatever its data.
  const auto v = JudgeClaims(AllClaims(-0.3));
  CHECK(Find(v, "C13").verdict == RuleVerdict::kFails);
  CHECK(Find(v, "C14").verdict == RuleVerdict::kNotJudged);
  CHECK(Find(v, "C14").why_not == "precondition not met: C13 holds (it is fails)");
}

TEST_CASE("preregistered rules: Holm's correction and undecided claims") {
  // Distance 0.06: t = 5.2, p = 0.0175. Alone (the other seven without data, p = 1) the
  // smallest p faces 0.05 / 8 and is kept: undecided, although 0.0175 < 0.05.
  std::vector<ClaimData> one = {Data("C17", ThreeByThree(0.06))};
  auto v = JudgeClaims(one);
  CHECK(Find(v, "C17").verdict == RuleVerdict::kUndecided);
  CHECK(Find(v, "C17").p_hold == Approx(0.0175).margin(0.001));
  CHECK(Find(v, "C10").verdict == RuleVerdict::kNotJudged);
  CHECK(Find(v, "C10").why_not == "no data");
  // Its detectable distance: 6.55 between-seed sd (0.02) at 0.05 / 8.
  CHECK(Find(v, "C17").detectable_delta == Approx(6.55 * 0.02).margin(0.002));
  // Seeds that disagree (medians -0.5, 0.1, 0.7 about theta 0): neither side.
  v = JudgeClaims({Data("C17", {{-0.5, -0.5, -0.5}, {0.1, 0.1, 0.1}, {0.7, 0.7, 0.7}})});
  CHECK(Find(v, "C17").verdict == RuleVerdict::kUndecided);
  // A precondition that is not met: not judged, whatever the data.
  v = JudgeClaims({Data("C15", ThreeByThree(0.3), false, "the twin reached 62% on seed 2")});
  CHECK(Find(v, "C15").verdict == RuleVerdict::kNotJudged);
  CHECK(Find(v, "C15").why_not == "the twin reached 62% on seed 2");
  // One seed: no interval.
  v = JudgeClaims({Data("C10", {{1, 1, 1}})});
  CHECK(Find(v, "C10").verdict == RuleVerdict::kUndecided);
  CHECK(Find(v, "C10").why_not == "one seed: no interval");
  CHECK_THROWS_WITH(JudgeClaims({Data("C11", {{1}})}), Catch::Contains("'C11' is not a rule"));
  CHECK_THROWS_WITH(JudgeClaims({Data("C10", {{1}}), Data("C10", {{1}})}),
                    Catch::Contains("repeated"));
}

TEST_CASE("preregistered rules: directions of one seed are not independent") {
  // Three seeds whose 3 directions are identical, medians 0.25, 0.30, 0.35 about C10's theta
  // 0.204: se 0.029, t = 3.3 < 8.86: undecided. Counted as 9 independent directions the same
  // values would give t = 5.4 on 8 degrees of freedom and decide; the seed unit does not.
  const BySeed y = {{0.25, 0.25, 0.25}, {0.30, 0.30, 0.30}, {0.35, 0.35, 0.35}};
  const auto v = JudgeClaims({Data("C10", y)});
  CHECK(Find(v, "C10").verdict == RuleVerdict::kUndecided);
  CHECK(Find(v, "C10").test.icc == 1);
  CHECK(Find(v, "C10").test.effective_n == Approx(3));
}
