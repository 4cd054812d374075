// Claim C7: simulator (Monte Carlo) vs theory (exact) over 20 seeded random draws; the
// criterion, tolerance (|z| <= 4.5, false-failure probability 6.8e-6 per comparison) and draws are
// in cli/claims.cpp and docs/testing.md. Seed 20261127.
#include <catch2/catch.hpp>

#include "claims.hpp"

using namespace valleys::cli;

TEST_CASE("C7: holds on 20 random draws", "[theorem][C7]") {
  const ClaimResult r = CheckClaim("C7", ClaimScale::Named("test"), 20261127);
  REQUIRE(r.draws.size() >= 20);
  for (const auto& d : r.draws) {
    INFO("draw: " << d.description << " | " << d.quantity << " simulated " << d.simulated << " +- " << d.se
                  << " exact " << d.exact << " | " << d.note);
    CHECK(d.pass);
  }
  CHECK(r.verdict == Verdict::kHolds);
  for (const auto& d : r.draws) CHECK(d.simulated < 0.5);  // E[w](eta/16) / E[w](eta): a clear drop
}
