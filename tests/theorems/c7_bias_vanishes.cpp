// Claim C7: simulator (Monte Carlo) vs theory (exact) over 20 seeded random draws; the
// criterion, tolerance (|z| <= 4.5, false-failure probability 6.8e-6 per comparison) and draws are
// in claims/src/claims.cpp and docs/testing.md. Seed 20261127.
#include "claim_test.hpp"

TEST_CASE("C7: holds on 20 random draws", "[theorem][C7]") {
  const auto r = valleys::testing::RequireClaimHolds("C7");
  for (const auto& d : r.draws) CHECK(d.simulated < 0.5);  // E[w](eta/16) / E[w](eta): a clear drop
}
