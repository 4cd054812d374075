// Claim C5: simulator (Monte Carlo) vs theory (exact) over 20 seeded random draws; the
// criterion, tolerance (|z| <= 4.5, false-failure probability 6.8e-6 per comparison) and draws are
// in claims/src/claims.cpp and docs/testing.md. Seed 20261127.
#include "claim_test.hpp"

TEST_CASE("C5: holds on 20 random draws", "[theorem][C5]") {
  valleys::testing::RequireClaimHolds("C5");
}
