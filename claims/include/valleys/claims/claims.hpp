// The paper's theoretical claims C1-C9 and C19 as checks: the simulator (Monte Carlo) against the
// theory engine (exact), over seeded random draws of valleys and parameters. Each draw carries its
// known answer (the exact value) beside the simulated one; a ClaimResult reports itself as JSON or
// Markdown. No printing, no flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace valleys::claims {

using Json = nlohmann::ordered_json;

enum class Verdict { kHolds, kFails, kInconclusive };
const char* VerdictName(Verdict v);  // "holds" | "fails" | "inconclusive"

// Tolerance everywhere: |z| <= kZ (two-sided false-failure probability 6.8e-6 per comparison under
// the CLT; about 60 comparisons per claim give a family-wise rate below 5e-4).
constexpr double kZ = 4.5;

struct ClaimScale {
  std::string name = "test";
  int draws = 20;
  long long chains = 2000;
  long long steps = 5000;
  long long burnin = 2000;
  long long mc_samples = 200000;
  // The real-network experiment's preset that `valleys reproduce` runs at this scale.
  std::string realnets_preset = "tiny";
};

// The named scales: quick (the main job's), full, smoke (every stage at its smallest size, for
// tests of the pipeline: its numbers mean nothing) and test (the unit tests'). Returns false for
// any other name, leaving *scale unchanged.
bool StringToClaimScale(const std::string& name, ClaimScale* scale);
// The scales a user may name, in the order above but test: "quick, full, smoke".
const std::vector<std::string>& ClaimScaleNames();
std::string ClaimScaleNamesText();  // the names joined by ", ", for messages

struct ClaimDraw {
  std::string description;  // the valley, law and parameters of this draw
  std::string quantity;     // what is compared
  double simulated = 0, se = 0, exact = 0;
  bool pass = true;      // consistent with the claim and with the theory
  bool resolved = true;  // the claimed effect is statistically significant
  std::string note;
  // When not empty, what a report shows in place of "simulated +- se" and "exact": for draws
  // whose numbers are not a simulated value beside its exact one (C8's window edges, C9's
  // coupled valleys, which have no exact value).
  std::string simulated_text, exact_text;
  // The two cells a report shows: "1.2345 +- 0.012" and "1.2346", or the texts above.
  std::string SimulatedCell() const;
  std::string ExactCell() const;
  // The description with every number of more than 4 significant digits shown with 4 ("a=0.6936"
  // for "a=0.6936406470003501"); the full values stay in `description` and the JSON.
  std::string ShortDescription() const;
};

struct ClaimResult {
  // The result and its draws as one object (keys: claim, title, statement, criterion, verdict,
  // seed, scale, seconds, draws_total, draws_pass, draws_resolved, the extra tally, draws).
  Json ToJson() const;
  // A report section: statement, criterion, tallies, seed and the command that regenerates it;
  // with_draws adds the table of draws.
  std::string Markdown(bool with_draws) const;

  std::string id, title, statement, criterion;
  Verdict verdict = Verdict::kInconclusive;
  std::vector<ClaimDraw> draws;
  int extra_count = 0;  // claim-specific tally (C6-C8: draws where the SDE limit is rejected)
  std::string extra_label;
  std::uint64_t seed = 0;
  std::string scale;
  double seconds = 0;
};

std::vector<std::string> ClaimIds();  // C1..C9 and C19
bool IsClaimId(const std::string& id);
// "bias helps", ...; throws std::invalid_argument naming the field for an id that is not a claim.
std::string ClaimTitle(const std::string& id);
// Throws std::invalid_argument naming the field for an id that is not a claim.
ClaimResult CheckClaim(const std::string& id, const ClaimScale& scale, std::uint64_t seed);

}  // namespace valleys::claims
