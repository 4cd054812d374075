// Numerical edge cases: each gives a result or an error that says why.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/bias.hpp"
#include "valleys/theory/risk.hpp"
#include "valleys/theory/sgd_chain.hpp"
#include "valleys/theory/table_profile.hpp"

using namespace valleys::theory;

TEST_CASE("D7 with a shift as wide as or wider than the valley radius", "[edge]") {
  const RpclOptions v{2, 1, 5, 0.1};
  const GuaranteedRange at_r =
      RpclGuaranteedRange(v, 2.0);  // a = r: applicable, zeta_max = r - a = 0
  CHECK(at_r.applicable);
  CHECK(at_r.zeta_max == 0.0);
  const GuaranteedRange beyond = RpclGuaranteedRange(v, 3.0);
  CHECK_FALSE(beyond.applicable);
  CHECK_THAT(beyond.reason, Catch::Contains("l < a <= r"));
  // The risk itself is still defined (and exact) for any a.
  CHECK(std::isfinite(Risk(RpclProfile(v), SymmetricLaw(LawKind::kUniform, 3.0), 0.5).value));
}

TEST_CASE("quadrature that misses its tolerance is reported, not silent", "[edge]") {
  // A steep exponential under a Gaussian (mass near z = alpha sigma), one adaptive level allowed.
  const LinexProfile p({1, 12});
  RiskOptions strict;
  strict.max_depth = 1;
  strict.relative_tolerance = 1e-15;
  const RiskValue r = RiskByQuadrature(p, SymmetricLaw(LawKind::kGaussian, 1.0), 0.1, strict);
  CHECK_FALSE(r.converged);
  CHECK(r.error_estimate > 0);
  const RiskValue ok = RiskByQuadrature(p, SymmetricLaw(LawKind::kGaussian, 1.0), 0.1);
  CHECK(ok.converged);
  CHECK(ok.value ==
        Approx(*RiskClosedForm(p, SymmetricLaw(LawKind::kGaussian, 1.0), 0.1)).epsilon(1e-9));
}

TEST_CASE("the stability limit is exact: just below solves, at the limit refuses", "[edge]") {
  const QuadraticProfile q({1, 9});
  ChainOptions chain;
  chain.eta = 2.0 / 9 * 0.98;
  const StationaryStats s = SolveStationary(q, chain);
  CHECK(std::isfinite(s.mean));
  CHECK(s.mean > 0);
  chain.eta = 2.0 / 9;
  std::string why;
  CHECK_FALSE(chain.IsValid(q, &why));
  CHECK_THAT(why, Catch::Contains("stability limit"));
}

TEST_CASE("a profile that does not confine the chain is an error that says so", "[edge]") {
  TableOptions t;  // decreasing to the right: no stationary law
  t.x = {-2, -1, 0, 1, 2};
  t.loss = {4, 1, 0, -0.5, -1};
  const TableProfile p(t);
  ChainOptions chain;
  chain.eta = 0.05;
  CHECK_THROWS_WITH(SolveStationary(p, chain), Catch::Contains("does not confine"));
}
