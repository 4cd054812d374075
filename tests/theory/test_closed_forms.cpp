// Closed forms (D2-D5, LINEX, rpcl) against adaptive quadrature of E phi(zeta + delta), on seeded
// random draws (100 per family and law). Deterministic: tolerance 1e-8 relative, no false failures.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>

#include "support/seeded.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/risk.hpp"

using namespace valleys::theory;
using valleys::testing::Draws;

namespace {

using ProfileFactory = std::function<std::shared_ptr<Profile>(Draws&)>;

void CompareOverDraws(const ProfileFactory& make, LawKind law, std::uint64_t seed) {
  Draws draws(seed);
  INFO("seed " << seed << ", law " << LawKindName(law));
  for (int i = 0; i < 100; ++i) {
    auto profile = make(draws);
    const SymmetricLaw shift(law, draws.LogUniform(0.05, 3.0));
    // zeta over both sides, inside and outside the shift's support.
    const double zeta = draws.Uniform(-2.0, 2.0) * shift.scale();
    auto closed = RiskClosedForm(*profile, shift, zeta);
    REQUIRE(closed.has_value());
    const RiskValue quad = RiskByQuadrature(*profile, shift, zeta);
    INFO("draw " << i << ": " << profile->Spec() << " " << shift.Spec() << " zeta " << zeta);
    CHECK(quad.converged);
    CHECK(*closed == Approx(quad.value).epsilon(1e-8).margin(1e-12));
  }
}

}  // namespace

TEST_CASE("linear closed forms (D2, D5) match quadrature", "[risk][closed]") {
  ProfileFactory make = [](Draws& d) {
    return std::make_shared<LinearProfile>(
        LinearOptions{d.LogUniform(0.1, 10), d.LogUniform(0.2, 20)});
  };
  CompareOverDraws(make, LawKind::kUniform, 101);
  CompareOverDraws(make, LawKind::kGaussian, 102);
}

TEST_CASE("quadratic closed forms (D3, D4) match quadrature", "[risk][closed]") {
  ProfileFactory make = [](Draws& d) {
    return std::make_shared<QuadraticProfile>(
        QuadraticOptions{d.LogUniform(0.1, 10), d.LogUniform(0.1, 100)});
  };
  CompareOverDraws(make, LawKind::kUniform, 201);
  CompareOverDraws(make, LawKind::kGaussian, 202);
}

TEST_CASE("LINEX closed forms match quadrature", "[risk][closed]") {
  ProfileFactory make = [](Draws& d) {
    const double alpha = d.Uniform(0.2, 3.0) * (d.Uniform(0, 1) < 0.5 ? -1 : 1);
    return std::make_shared<LinexProfile>(LinexOptions{d.LogUniform(0.1, 10), alpha});
  };
  CompareOverDraws(make, LawKind::kUniform, 301);
  CompareOverDraws(make, LawKind::kGaussian, 302);
}

TEST_CASE("rpcl closed forms match quadrature", "[risk][closed]") {
  ProfileFactory make = [](Draws& d) {
    RpclOptions o;
    o.l = d.LogUniform(0.01, 0.5);
    o.r = o.l + d.LogUniform(0.1, 5);
    o.p = d.LogUniform(0.1, 10);
    o.c = 1 + d.LogUniform(0.05, 20);
    return std::make_shared<RpclProfile>(o);
  };
  CompareOverDraws(make, LawKind::kUniform, 401);
  CompareOverDraws(make, LawKind::kGaussian, 402);
}

TEST_CASE("Rademacher risk is the two-point average", "[risk][closed]") {
  QuadraticProfile q({1, 9});
  const SymmetricLaw shift(LawKind::kRademacher, 1.0);
  CHECK(Risk(q, shift, 0.25).value == Approx(0.5 * (0.5 * 1.25 * 1.25 + 0.5 * 9 * 0.75 * 0.75)));
  CHECK(Risk(q, shift, 0.25).method == RiskMethod::kExactSum);
}
