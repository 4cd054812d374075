#include "valleys/realnets/preregistered_rules.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace valleys::realnets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kSymmetricBand = std::log10(1.6);  // MeasureValley's calibrated kappa

// The delta / sigma at which the one-sided test of `seeds` values has 80% power at alpha.
double DeltaForPower(int seeds, double alpha) {
  double lo = 0, hi = 1000;
  for (int i = 0; i < 200 && hi - lo > 1e-9; ++i) {
    const double mid = (lo + hi) / 2;
    (SeedLevelPower(seeds, mid, alpha) < 0.8 ? lo : hi) = mid;
  }
  return hi;
}

double Sd(const std::vector<double>& v) {
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

}  // namespace

const char* RuleVerdictName(RuleVerdict v) {
  switch (v) {
    case RuleVerdict::kHolds:
      return "holds";
    case RuleVerdict::kFails:
      return "fails";
    case RuleVerdict::kUndecided:
      return "undecided";
    case RuleVerdict::kNotJudged:
      return "not judged";
  }
  return "?";
}

const std::vector<ClaimRule>& PreregisteredRules() {
  static const std::vector<ClaimRule> rules = {
      {"C10", "asymmetric valleys at the SGD solution of a BN network",
       "median |log10 w+/w-| along uniform01 at the BN network's SGD checkpoint", true,
       kSymmetricBand, ""},
      {"C12", "the test loss is the training loss shifted along the direction",
       "median log10 xi(delta*)/xi(0) of uniform01 profiles at SWA minus that of the mismatched "
       "pairs",
       false, 0, ""},
      {"C13", "SWA sits on the flat side of the SWA-SGD line",
       "log10 w+/w- of the line's training profile, + toward SWA", true, kSymmetricBand, ""},
      {"C14", "moving past SWA toward the flat side does not hurt",
       "test(w_SWA + d u) / test(w_SWA) - 1, d the line's flat-side width", false, 0.01,
       "C13 holds"},
      {"C15", "BN is a major cause of the asymmetry",
       "median |log10 w+/w-| of the BN network minus the BN-free twin's, filter directions", true,
       0, "the twin reaches 85% test accuracy on every seed"},
      {"C16", "the asymmetry is not an artefact of the activation",
       "median |log10 w+/w-| of the softplus network minus the BN network's, uniform01", true, -0.1,
       ""},
      {"C17", "sign agreement drives the asymmetry",
       "median |log10 w+/w-| along sign minus along gaussian directions, BN network at SWA", true,
       0, ""},
      {"C18", "the SWA average sits where the exact chain predicts",
       "slope through 0 of measured on predicted bias (iterate sd), admitted directions", true, 0.5,
       "at least 2 seeds with an admitted direction"},
  };
  return rules;
}

std::vector<ClaimVerdict> JudgeClaims(const std::vector<ClaimData>& data, double alpha) {
  const auto& rules = PreregisteredRules();
  std::map<std::string, const ClaimData*> by_claim;
  for (const auto& d : data) {
    bool known = false;
    for (const auto& r : rules) known = known || r.claim == d.claim;
    if (!known)
      throw std::invalid_argument(fmt::format("ClaimData::claim = '{}' is not a rule", d.claim));
    if (!by_claim.emplace(d.claim, &d).second)
      throw std::invalid_argument(fmt::format("ClaimData::claim = '{}' is repeated", d.claim));
  }
  const double holm_alpha = alpha / static_cast<double>(rules.size());
  std::vector<ClaimVerdict> out;
  std::vector<double> p_hold, p_fail;
  for (const auto& rule : rules) {
    ClaimVerdict v;
    v.rule = rule;
    v.holm_alpha = holm_alpha;
    v.hold_bound = v.fail_bound = v.detectable_delta = kNaN;
    const auto it = by_claim.find(rule.claim);
    bool has_values = false;
    if (it != by_claim.end())
      for (const auto& s : it->second->values) has_values = has_values || !s.empty();
    if (it == by_claim.end() || !has_values) {
      v.why_not =
          it != by_claim.end() && !it->second->why_not.empty() ? it->second->why_not : "no data";
    } else if (!it->second->precondition_met) {
      v.why_not = it->second->why_not.empty() ? "precondition not met: " + rule.precondition
                                              : it->second->why_not;
    } else {
      v.test = TestSeedLevel(it->second->values, rule.theta);
      v.verdict = RuleVerdict::kUndecided;
      if (v.test.seeds < 2) {
        v.why_not = "one seed: no interval";
      } else {
        const SeedLevelTest& t = v.test;
        v.p_hold = rule.holds_above ? t.p_above : t.p_below;
        v.p_fail = rule.holds_above ? t.p_below : t.p_above;
        v.hold_bound = rule.holds_above ? t.LowerBound(holm_alpha) : t.UpperBound(holm_alpha);
        v.fail_bound = rule.holds_above ? t.UpperBound(holm_alpha) : t.LowerBound(holm_alpha);
        v.detectable_delta = DeltaForPower(v.test.seeds, holm_alpha) * Sd(v.test.seed_values);
      }
    }
    p_hold.push_back(v.p_hold);
    p_fail.push_back(v.p_fail);
    out.push_back(v);
  }
  const std::vector<bool> holds = HolmRejects(p_hold, alpha);
  const std::vector<bool> fails = HolmRejects(p_fail, alpha);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i].verdict != RuleVerdict::kUndecided) continue;
    if (holds[i] && !fails[i]) out[i].verdict = RuleVerdict::kHolds;
    if (fails[i] && !holds[i]) out[i].verdict = RuleVerdict::kFails;
  }
  // A rule whose precondition is another claim's holding ("C13 holds") is judged only where that
  // claim holds (its test stays in Holm's family either way).
  for (auto& v : out) {
    const std::string& pre = v.rule.precondition;
    if (pre.size() < 7 || pre.compare(pre.size() - 6, 6, " holds") != 0) continue;
    const std::string other = pre.substr(0, pre.size() - 6);
    for (const auto& w : out)
      if (w.rule.claim == other && w.verdict != RuleVerdict::kHolds &&
          v.verdict != RuleVerdict::kNotJudged) {
        v.verdict = RuleVerdict::kNotJudged;
        v.why_not =
            fmt::format("precondition not met: {} (it is {})", pre, RuleVerdictName(w.verdict));
      }
  }
  return out;
}

}  // namespace valleys::realnets
