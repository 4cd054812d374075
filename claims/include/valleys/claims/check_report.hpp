// The result of `valleys check`: the claims checked, with the run's metadata, rendered as the
// terminal table, the CSV, the Markdown report (check.md) and the JSON document (check.json).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/claims/claims.hpp"
#include "valleys/io/result_format.hpp"

namespace valleys::claims {

struct CheckReport {
  nlohmann::ordered_json meta;  // io::Metadata of the run (version, git, scale, seed)
  std::vector<ClaimResult> results;

  // {"claims": [ClaimResult::ToJson()...], "meta": meta}
  nlohmann::ordered_json ToJson() const;
  // id, claim, verdict, draws ok, resolved, seconds: one aligned line per claim.
  std::string Table() const;
  // claim,verdict,draws,draws_pass,draws_resolved,seconds
  std::string Csv() const;
  // A summary table, then every claim's section with its draws.
  std::string Markdown() const;
  // Table(), Csv() or the JSON document (indented), as `format` says.
  std::string Render(io::Format format) const;
};

// `valleys check` as one call.
struct CheckOptions {
  std::vector<std::string> claims;  // the claims to check, in order (empty: C1..C9 and C19)
  std::string scale = "quick";      // StringToClaimScale's names
  std::uint64_t seed = 1;
  std::string out_dir;  // when given: check.json and check.md written there
};

// Checks the options before any work (io::InputError naming CheckOptions::scale or ::claims),
// then each claim, calling on_stage(k, n, "claim Ck") before claim k of n. The report's meta is
// io::Metadata("check") with the scale and seed.
CheckReport RunChecks(
    const CheckOptions& options,
    const std::function<void(int index, int count, const std::string& name)>& on_stage = {});

}  // namespace valleys::claims
