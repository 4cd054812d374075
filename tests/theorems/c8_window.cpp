// Claim C8: simulator (Monte Carlo) vs theory (exact) over 20 seeded random draws; the
// criterion, tolerance (|z| <= 4.5, false-failure probability 6.8e-6 per comparison) and draws are
// in claims/src/claims.cpp and docs/testing.md. Seed 20261127.
#include "claim_test.hpp"

TEST_CASE("C8: holds on 20 random draws", "[theorem][C8]") {
  const auto r = valleys::testing::RequireClaimHolds("C8");
  for (const auto& d : r.draws) {
    INFO(d.note);
    CHECK(d.simulated > 0);            // lower edge found
    CHECK(d.exact > 2 * d.simulated);  // upper edge above it
  }
}
