// Optimal bias, improving window and the Theorem-1 facts D1, D2, D6, D7, D8 on seeded draws.
#include <catch2/catch.hpp>

#include "support/seeded.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/bias.hpp"

using namespace valleys::theory;
using valleys::testing::Draws;

TEST_CASE("closed-form zeta* equals Brent on quadrature", "[bias]") {
  Draws d(11);
  INFO("seed 11");
  for (int i = 0; i < 30; ++i) {
    const QuadraticProfile q({d.LogUniform(0.2, 5), d.LogUniform(0.2, 50)});
    const LinearProfile lin({d.LogUniform(0.2, 5), d.LogUniform(0.2, 20)});
    for (LawKind law : {LawKind::kUniform, LawKind::kGaussian}) {
      const SymmetricLaw shift(law, d.LogUniform(0.1, 2));
      for (const Profile* p :
           {static_cast<const Profile*>(&q), static_cast<const Profile*>(&lin)}) {
        RiskOptions numeric;
        numeric.use_closed_forms = false;
        const BiasSummary closed = AnalyzeBias(*p, shift), brent = AnalyzeBias(*p, shift, numeric);
        INFO(p->Spec() << " " << shift.Spec());
        REQUIRE(closed.zeta_star_closed_form);
        REQUIRE_FALSE(brent.zeta_star_closed_form);
        CHECK(closed.zeta_star == Approx(brent.zeta_star).margin(2e-6 * shift.scale()));
        CHECK(closed.r_star == Approx(brent.r_star).epsilon(1e-9));
        CHECK(closed.window_hi == Approx(brent.window_hi).margin(1e-7 * shift.scale()));
        CHECK(closed.window_lo == Approx(brent.window_lo).margin(1e-7 * shift.scale()));
      }
    }
  }
}

TEST_CASE("D2: linear valley, uniform shift: window (0, 2 zeta*)", "[bias]") {
  Draws d(12);
  for (int i = 0; i < 50; ++i) {
    const double p = d.LogUniform(0.1, 10), c = 1 + d.LogUniform(0.01, 30),
                 a = d.LogUniform(0.05, 5);
    const BiasSummary b = AnalyzeBias(LinearProfile({p, c}), SymmetricLaw(LawKind::kUniform, a));
    INFO("seed 12 draw " << i);
    CHECK(b.zeta_star == Approx(a * (c - 1) / (c + 1)).epsilon(1e-12));
    CHECK(b.r0 == Approx((1 + c) * p * a / 4).epsilon(1e-12));
    CHECK(b.r_star == Approx(c * p * a / (c + 1)).epsilon(1e-12));
    CHECK(b.window_lo == 0.0);
    // R(zeta) < R(0) iff 0 < zeta < 2 zeta* while 2 zeta* <= a (c <= 3); beyond a, R = p zeta.
    const double edge = 2 * b.zeta_star <= a ? 2 * b.zeta_star : (1 + c) * a / 4;
    CHECK(b.window_hi == Approx(edge).epsilon(1e-9));
  }
}

TEST_CASE("D1: equal heights at the optimum for any profile under a uniform shift", "[bias]") {
  Draws d(13);
  RiskOptions numeric;
  numeric.use_closed_forms = false;
  for (int i = 0; i < 20; ++i) {
    const LinexProfile lx({d.LogUniform(0.2, 5), d.Uniform(0.3, 2.5)});
    const double a = d.LogUniform(0.1, 1.5);
    const BiasSummary b = AnalyzeBias(lx, SymmetricLaw(LawKind::kUniform, a), numeric);
    INFO("seed 13 draw " << i << " " << lx.Spec() << " a " << a);
    REQUIRE(b.equal_height_residual.has_value());
    CHECK(std::abs(*b.equal_height_residual) < 1e-6 * lx.Value(a));
    CHECK(b.zeta_star < 0);  // alpha > 0: flat side is negative
  }
}

TEST_CASE("symmetric valleys get zero bias exactly", "[bias][edge]") {
  for (LawKind law : {LawKind::kUniform, LawKind::kGaussian, LawKind::kRademacher}) {
    const SymmetricLaw shift(law, 0.7);
    CHECK(AnalyzeBias(QuadraticProfile({3, 3}), shift).zeta_star == 0.0);
    CHECK(AnalyzeBias(LinearProfile({2, 1}), shift).zeta_star == 0.0);
    const BiasSummary b = AnalyzeBias(QuadraticProfile({3, 3}), shift);
    CHECK(b.window_lo == 0.0);
    CHECK(b.window_hi == 0.0);
  }
}

TEST_CASE("extreme curvature ratios stay finite and ordered", "[bias][edge]") {
  const SymmetricLaw shift(LawKind::kGaussian, 1);
  const BiasSummary b = AnalyzeBias(QuadraticProfile({1, 1e4}), shift);
  CHECK(std::isfinite(b.zeta_star));
  CHECK(b.zeta_star > 0);
  CHECK(b.r_star < b.r0);
  const BiasSummary m = AnalyzeBias(QuadraticProfile({1e4, 1}), shift);
  CHECK(m.zeta_star == Approx(-b.zeta_star).epsilon(1e-9));
}

TEST_CASE("D6: slope condition predicts the side for every symmetric law", "[bias]") {
  Draws d(14);
  for (int i = 0; i < 30; ++i) {
    const QuadraticProfile q({d.LogUniform(0.1, 1), d.LogUniform(1.5, 20)});
    for (LawKind law : {LawKind::kUniform, LawKind::kGaussian, LawKind::kRademacher}) {
      const SlopeTest t = SlopeConditionTest(q, SymmetricLaw(law, d.LogUniform(0.1, 3)));
      INFO("seed 14 draw " << i);
      CHECK(t.flat_slope_dominated);
      CHECK(t.r_prime_at_0 < 0);
      CHECK(t.predicted_side == Side::kPositive);
    }
  }
  // LINEX: the flat (linear) side is dominated everywhere.
  CHECK(SlopeConditionTest(LinexProfile({1, 2}), SymmetricLaw(LawKind::kUniform, 1))
            .flat_slope_dominated);
  // rpcl: inside the dead zone the sharp side has slope 0 < p, so the pointwise condition fails,
  // while a wide enough shift still prefers the flat side (R'(0) < 0).
  const SlopeTest t =
      SlopeConditionTest(RpclProfile({2, 1, 5, 0.1}), SymmetricLaw(LawKind::kUniform, 1));
  CHECK_FALSE(t.flat_slope_dominated);
  CHECK(t.r_prime_at_0 < 0);
}

TEST_CASE("D7: guaranteed improving range of (r,p,c,l) valleys", "[bias]") {
  Draws d(15);
  int nonempty = 0;
  for (int i = 0; i < 100; ++i) {
    RpclOptions v;
    v.l = d.LogUniform(0.01, 0.3);
    v.r = v.l + d.LogUniform(0.5, 5);
    v.p = d.LogUniform(0.1, 10);
    v.c = 1 + d.LogUniform(0.1, 20);
    const double a = d.Uniform(v.l, v.r);
    const GuaranteedRange g = RpclGuaranteedRange(v, a);
    INFO("seed 15 draw " << i);
    REQUIRE(g.applicable);
    CHECK(g.nonempty == (a > v.c * v.l / (v.c - 1)));
    if (!g.nonempty) continue;
    ++nonempty;
    const RpclProfile prof(v);
    const SymmetricLaw shift(LawKind::kUniform, a);
    const double r0 = Risk(prof, shift, 0).value;
    for (double f : {0.1, 0.5, 0.99}) {
      const double zeta = f * g.zeta_max;
      const double gain = Risk(prof, shift, zeta).value - r0;
      CHECK(gain < 0);
      CHECK(gain <= RpclRiskBound(v, a, zeta) + 1e-12);
    }
  }
  CHECK(nonempty > 30);
  CHECK_FALSE(RpclGuaranteedRange({2, 1, 5, 0.1}, 0.05).applicable);
}

TEST_CASE("D8: flat beats sharp for symmetric valleys", "[bias]") {
  for (LawKind law : {LawKind::kUniform, LawKind::kGaussian}) {
    const SymmetricLaw shift(law, 0.8);
    double prev = 0;
    for (double h : {0.5, 1.0, 2.0, 8.0}) {
      const double r = Risk(QuadraticProfile({h, h}), shift, 0).value;
      const double expected = law == LawKind::kUniform ? h * 0.64 / 6 : h * 0.64 / 2;
      CHECK(r == Approx(expected).epsilon(1e-12));
      CHECK(r > prev);
      prev = r;
    }
  }
}

TEST_CASE("the improving window's far edge is found however far it lies", "[risk][window]") {
  // Closed forms: linear p = 1 under U[-1, 1]: R(0) = (1 + c) / 4 and R(zeta) = zeta beyond 1, so
  // the edge is (1 + c) / 4; under +-1: R(0) = (1 + c) / 2 = R(edge) = edge. Quadratic under
  // U[-1, 1] beyond the shift: R = h- (zeta^2 / 2 + 1 / 6) against R(0) = (h+ + h-) / 12.
  const SymmetricLaw u(LawKind::kUniform, 1), r(LawKind::kRademacher, 1);
  for (double c : {5.0, 1000.0, 1e6}) {
    INFO("c " << c);
    const BiasSummary bu = AnalyzeBias(LinearProfile({1, c}), u);
    CHECK(bu.window_closed);
    CHECK(bu.window_hi == Approx((1 + c) / 4).epsilon(1e-12));
    const BiasSummary br = AnalyzeBias(LinearProfile({1, c}), r);
    CHECK(br.window_hi == Approx((1 + c) / 2).epsilon(1e-12));
  }
  const BiasSummary q = AnalyzeBias(QuadraticProfile({1e4, 0.01}), u);
  CHECK(q.window_lo == Approx(-std::sqrt(2 * ((1e4 + 0.01) / 12 / 0.01 - 1.0 / 6))).epsilon(1e-12));
  CHECK(q.window_hi == 0.0);
}

TEST_CASE("a risk that overflows is not converged", "[risk][edge]") {
  const BiasSummary b =
      AnalyzeBias(LinearProfile({1e308, 10}), SymmetricLaw(LawKind::kGaussian, 1));
  CHECK_FALSE(b.converged);
}
