// Shared body of the theorem tests: run claim `id` at the test scale (20 draws, seed 20261127),
// require every draw consistent and the verdict "holds"; the caller adds claim-specific checks.
#pragma once

#include <catch2/catch.hpp>

#include "valleys/claims/claims.hpp"

namespace valleys::testing {

inline claims::ClaimResult RequireClaimHolds(const char* id) {
  claims::ClaimScale test;
  REQUIRE(claims::StringToClaimScale("test", &test));
  const claims::ClaimResult r = claims::CheckClaim(id, test, 20261127);
  REQUIRE(r.draws.size() >= 20);
  for (const auto& d : r.draws) {
    INFO("draw: " << d.description << " | " << d.quantity << " simulated " << d.simulated << " +- "
                  << d.se << " exact " << d.exact << " | " << d.note);
    CHECK(d.pass);
  }
  CHECK(r.verdict == claims::Verdict::kHolds);
  return r;
}

}  // namespace valleys::testing
