// The verdict rules of the paper-regime presets, fixed before their probes ran (docs/realnets.md,
// "Pre-registered rules"): one primary statistic per claim, a seed-level one-sided t test on each
// side, Holm's correction over the claims.
#pragma once

#include <string>
#include <vector>

#include "valleys/realnets/seed_level.hpp"

namespace valleys::realnets {

enum class RuleVerdict { kHolds, kFails, kUndecided, kNotJudged };
const char* RuleVerdictName(RuleVerdict v);  // "holds", "fails", "undecided", "not judged"

struct ClaimRule {
  std::string claim;      // "C10"
  std::string statement;  // the paper's statement
  std::string statistic;  // what one seed's value is
  // The paper's statement is mu > theta (holds_above) or mu < theta; the verdict against it is
  // the other side of the same theta.
  bool holds_above = true;
  double theta = 0;
  std::string precondition;  // empty: none
};

// C10, C12-C18 as in docs/realnets.md (the order of the report).
const std::vector<ClaimRule>& PreregisteredRules();

// One claim's data: the seed values' inputs (each seed's directions) and whether its
// precondition holds (why_not says why not).
struct ClaimData {
  std::string claim;  // a PreregisteredRules() claim
  BySeed values;
  bool precondition_met = true;
  std::string why_not;
};

struct ClaimVerdict {
  ClaimRule rule;
  RuleVerdict verdict = RuleVerdict::kNotJudged;
  std::string why_not;            // not judged: why
  SeedLevelTest test;             // the seed-level test at theta
  double p_hold = 1, p_fail = 1;  // the one-sided p-values entering Holm (1: not judged)
  double holm_alpha = 0;          // the strictest level of the family, alpha / claims
  // The bounds at holm_alpha on the side each test looks at (NaN for fewer than 2 seeds).
  double hold_bound = 0, fail_bound = 0;
  // The smallest distance from a theta that 80% power detects at holm_alpha, in the statistic's
  // units: (delta / sigma at 80%) x the seeds' sd. NaN for fewer than 2 seeds.
  double detectable_delta = 0;
};

// The verdicts of `data` (one entry per claim of PreregisteredRules(), any order; a claim without
// an entry is not judged) at family-wise level alpha per side. Throws std::invalid_argument for
// an unknown or repeated claim.
std::vector<ClaimVerdict> JudgeClaims(const std::vector<ClaimData>& data, double alpha = 0.05);

}  // namespace valleys::realnets
