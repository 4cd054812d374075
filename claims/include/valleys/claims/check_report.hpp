// The result of `valleys check`: the claims checked, with the run's metadata, rendered as the
// terminal table, the CSV, the Markdown report (check.md) and the JSON document (check.json).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/claims/claims.hpp"

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
};

}  // namespace valleys::claims
