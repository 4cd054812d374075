#include <catch2/catch.hpp>

#include "valleys/theory/analytic_profiles.hpp"

using namespace valleys::theory;

TEST_CASE("quadratic profile value and slope", "[profiles]") {
  QuadraticProfile q({1.0, 9.0});
  CHECK(q.Value(2.0) == Approx(2.0));
  CHECK(q.Value(-1.0) == Approx(4.5));
  CHECK(q.FlatSide() == Side::kPositive);
}
