// The exact risk of table profiles (piece by piece) against fixed Gauss-Legendre quadrature of the
// same interpolant, for coarse, medium and fine tables (the three ways TableRisk integrates a
// piece).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <vector>

#include <boost/math/quadrature/gauss.hpp>

#include "support/sample_table.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/risk.hpp"
#include "valleys/theory/table_profile.hpp"

using namespace valleys::theory;

namespace {
TableOptions Sample(const Profile& p, double lo, double hi, int n) {
  return valleys::testing::SampleTable(p, lo, hi, n, 0.01);
}
// E f(zeta + delta) by fixed 10-point Gauss-Legendre rules on every interval between the table's
// knots (and intervals of at most 0.05 sigma), over [zeta - 14 sigma, zeta + 14 sigma] for a
// Gaussian: independent of TableRisk's formulas and accurate to rounding for these integrands.
template <typename F>
double Reference(const TableProfile& t, const SymmetricLaw& law, double zeta, F f) {
  using Rule = boost::math::quadrature::gauss<double, 10>;
  const double s = law.scale();
  const bool gaussian = law.kind() == LawKind::kGaussian;
  const double lo = zeta - (gaussian ? 14 * s : s), hi = zeta + (gaussian ? 14 * s : s);
  std::vector<double> cuts{lo, hi};
  for (double x : t.options().x)
    if (x > lo && x < hi) cuts.push_back(x);
  if (gaussian)
    for (double x = lo; x < hi; x += 0.05 * s) cuts.push_back(x);
  std::sort(cuts.begin(), cuts.end());
  auto weight = [&](double x) {
    if (!gaussian) return 0.5 / s;
    const double z = (x - zeta) / s;
    return std::exp(-0.5 * z * z) / (s * std::sqrt(2 * M_PI));
  };
  double sum = 0.0;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
    if (cuts[i + 1] > cuts[i])
      sum += Rule::integrate([&](double x) { return f(x) * weight(x); }, cuts[i], cuts[i + 1]);
  return sum;
}
}  // namespace

TEST_CASE("table risk piece by piece equals quadrature of the interpolant", "[table][risk]") {
  // 41 rows: every piece in closed form; 801: Gaussian pieces by the quintic Hermite rule with the
  // tabulated density; 60001: that rule with the density carried from knot to knot.
  const LinexProfile linex({1, 1.5});
  for (int rows : {41, 801, 60001}) {
    const TableProfile t(Sample(linex, -3, 3, rows));
    for (const SymmetricLaw& law :
         {SymmetricLaw(LawKind::kUniform, 0.7), SymmetricLaw(LawKind::kGaussian, 0.5),
          SymmetricLaw(LawKind::kGaussian, 3.0), SymmetricLaw(LawKind::kRademacher, 0.4)}) {
      for (double zeta : {-1.0, 0.0, 0.3, 2.5}) {
        INFO("rows " << rows << " " << law.Spec() << " zeta " << zeta);
        const RiskValue exact = Risk(t, law, zeta);
        CHECK(exact.method == (law.kind() == LawKind::kRademacher ? RiskMethod::kExactSum
                                                                  : RiskMethod::kPiecewise));
        if (law.kind() == LawKind::kRademacher) {
          CHECK(exact.value == 0.5 * (t.Value(zeta + 0.4) + t.Value(zeta - 0.4)));
          continue;
        }
        const double want = Reference(t, law, zeta, [&](double x) { return t.Value(x); });
        INFO(std::setprecision(17) << "exact " << exact.value << " reference " << want);
        CHECK(exact.value == Approx(want).epsilon(1e-12));
        if (law.kind() == LawKind::kGaussian) {
          const double slope = Reference(t, law, zeta, [&](double x) { return t.Slope(x); });
          CHECK(RiskDerivative(t, law, zeta) == Approx(slope).epsilon(1e-11).margin(1e-13));
        }
      }
    }
  }
}

TEST_CASE("a table's antiderivative integrates its interpolant", "[table]") {
  const TableProfile t(Sample(QuadraticProfile({1, 9}), -2, 2, 301));
  for (auto [a, b] : {std::pair{-3.0, -2.5}, std::pair{-1.2, 0.7}, std::pair{1.9, 2.6}}) {
    // (A(b) - A(a)) / (b - a) is the risk at (a + b) / 2 under U[-(b - a) / 2, (b - a) / 2].
    const SymmetricLaw u(LawKind::kUniform, (b - a) / 2);
    INFO("[" << a << ", " << b << "]");
    CHECK(
        (t.Antiderivative(b) - t.Antiderivative(a)) / (b - a) ==
        Approx(Reference(t, u, (a + b) / 2, [&](double x) { return t.Value(x); })).epsilon(1e-12));
  }
}
