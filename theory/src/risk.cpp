#include "valleys/theory/risk.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "normal.hpp"
#include "validation.hpp"
#include "valleys/theory/analytic_profiles.hpp"

namespace valleys::theory {

const char* RiskMethodName(RiskMethod method) {
  switch (method) {
    case RiskMethod::kClosedForm:
      return "closed-form";
    case RiskMethod::kQuadrature:
      return "quadrature";
    case RiskMethod::kExactSum:
      return "exact-sum";
  }
  return "?";
}

bool RiskOptions::IsValid(std::string* why) const {
  return detail::Check(
             why, "risk", "relative_tolerance", relative_tolerance,
             [](double v) { return v >= 1e-15 && v <= 1e-2; }, "1e-15 <= tol <= 1e-2") &&
         detail::Check(
             why, "risk", "max_depth", max_depth, [](double v) { return v >= 1 && v <= 30; },
             "1 <= max_depth <= 30");
}

namespace {

using detail::NormalCdf;
using detail::NormalPdf;

// E (y)^+ for y ~ N(m, sigma^2).
double GaussianPositivePart(double m, double sigma) {
  const double t = m / sigma;
  return m * NormalCdf(t) + sigma * NormalPdf(t);
}

// Antiderivative of the rpcl profile with A(0) = 0.
double RpclAntiderivative(const RpclOptions& o, double x) {
  if (x >= 0) return 0.5 * o.p * x * x;
  if (x >= -o.l) return 0.0;
  return -0.5 * o.c * o.p * (x + o.l) * (x + o.l);
}

}  // namespace

std::optional<double> RiskClosedForm(const Profile& profile, const SymmetricLaw& shift,
                                     double zeta) {
  const double s = shift.scale();
  if (shift.kind() == LawKind::kRademacher)
    return 0.5 * (profile.Value(zeta + s) + profile.Value(zeta - s));

  if (const auto* q = dynamic_cast<const QuadraticProfile*>(&profile)) {
    const double hp = q->hplus(), hm = q->hminus();
    if (shift.kind() == LawKind::kUniform) {  // D3
      const double a = s;
      if (zeta > a) return hp * (zeta * zeta / 2 + a * a / 6);
      if (zeta < -a) return hm * (zeta * zeta / 2 + a * a / 6);
      return (hp * std::pow(a + zeta, 3) + hm * std::pow(a - zeta, 3)) / (12 * a);
    }
    const double t = zeta / s, m2 = zeta * zeta + s * s;  // D4
    return 0.5 * hp * (m2 * NormalCdf(t) + zeta * s * NormalPdf(t)) +
           0.5 * hm * (m2 * NormalCdf(-t) - zeta * s * NormalPdf(t));
  }
  if (const auto* lin = dynamic_cast<const LinearProfile*>(&profile)) {
    const double p = lin->p(), c = lin->c();
    if (shift.kind() == LawKind::kUniform) {  // D2
      const double a = s;
      if (zeta > a) return p * zeta;
      if (zeta < -a) return -c * p * zeta;
      return p / (4 * a) * ((a + zeta) * (a + zeta) + c * (a - zeta) * (a - zeta));
    }
    return p * GaussianPositivePart(zeta, s) + c * p * GaussianPositivePart(-zeta, s);  // D5
  }
  if (const auto* lx = dynamic_cast<const LinexProfile*>(&profile)) {
    const double b = lx->b(), al = lx->alpha();
    if (shift.kind() == LawKind::kGaussian)
      return b * (std::exp(al * zeta + 0.5 * al * al * s * s) - al * zeta - 1);
    const double aa = al * s;  // E exp(alpha delta) = sinh(alpha a) / (alpha a) for U[-a, a]
    return b * (std::exp(al * zeta) * std::sinh(aa) / aa - al * zeta - 1);
  }
  if (const auto* rp = dynamic_cast<const RpclProfile*>(&profile)) {
    const RpclOptions& o = rp->options();
    if (shift.kind() == LawKind::kUniform)
      return (RpclAntiderivative(o, zeta + s) - RpclAntiderivative(o, zeta - s)) / (2 * s);
    return o.p * GaussianPositivePart(zeta, s) + o.c * o.p * GaussianPositivePart(-o.l - zeta, s);
  }
  return std::nullopt;
}

namespace {

using Integrator = boost::math::quadrature::gauss_kronrod<double, 61>;

// Integrates f over the ordered breakpoints (first/last may be +-inf), summing error estimates.
template <typename F>
RiskValue IntegratePieces(F f, const std::vector<double>& points, const RiskOptions& options) {
  RiskValue out;
  out.method = RiskMethod::kQuadrature;
  double l1_total = 0.0;
  for (std::size_t i = 0; i + 1 < points.size(); ++i) {
    if (!(points[i + 1] > points[i])) continue;
    double error = 0.0, l1 = 0.0;
    out.value +=
        Integrator::integrate(f, points[i], points[i + 1], static_cast<unsigned>(options.max_depth),
                              options.relative_tolerance, &error, &l1);
    out.error_estimate += error;
    l1_total += l1;
  }
  out.converged =
      std::isfinite(out.value) &&
      out.error_estimate <= 100 * options.relative_tolerance * std::max(l1_total, 1e-300);
  return out;
}

std::vector<double> Breakpoints(const std::vector<double>& kinks, double lo, double hi,
                                std::vector<double> extra) {
  std::vector<double> points{lo, hi};
  for (double k : kinks)
    if (k > lo && k < hi) points.push_back(k);
  for (double e : extra)
    if (e > lo && e < hi) points.push_back(e);
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  return points;
}

// E g(zeta + delta) for a function g with the profile's kinks.
template <typename G>
RiskValue Expectation(G g, const Profile& profile, const SymmetricLaw& shift, double zeta,
                      const RiskOptions& options) {
  const double s = shift.scale();
  switch (shift.kind()) {
    case LawKind::kRademacher: {
      RiskValue out;
      out.method = RiskMethod::kExactSum;
      out.value = 0.5 * (g(zeta + s) + g(zeta - s));
      return out;
    }
    case LawKind::kUniform: {
      auto points = Breakpoints(profile.Kinks(), zeta - s, zeta + s, {});
      RiskValue out = IntegratePieces([&](double x) { return g(x) / (2 * s); }, points, options);
      return out;
    }
    case LawKind::kGaussian: {
      std::vector<double> kinks_z;
      for (double k : profile.Kinks()) kinks_z.push_back((k - zeta) / s);
      const double inf = std::numeric_limits<double>::infinity();
      auto points = Breakpoints(kinks_z, -inf, inf, {-6, -3, 0, 3, 6});
      return IntegratePieces(
          [&](double z) {
            const double w = NormalPdf(z);
            return w == 0.0 ? 0.0 : g(zeta + s * z) * w;  // avoids inf * 0 where g overflows
          },
          points, options);
    }
  }
  return {};
}

}  // namespace

RiskValue RiskByQuadrature(const Profile& profile, const SymmetricLaw& shift, double zeta,
                           const RiskOptions& options) {
  return Expectation([&](double x) { return profile.Value(x); }, profile, shift, zeta, options);
}

double RiskDerivative(const Profile& profile, const SymmetricLaw& shift, double zeta,
                      const RiskOptions& options) {
  if (shift.kind() == LawKind::kUniform) {  // D1: exact
    const double a = shift.scale();
    return (profile.Value(zeta + a) - profile.Value(zeta - a)) / (2 * a);
  }
  return Expectation([&](double x) { return profile.Slope(x); }, profile, shift, zeta, options)
      .value;
}

RiskValue Risk(const Profile& profile, const SymmetricLaw& shift, double zeta,
               const RiskOptions& options) {
  if (options.use_closed_forms) {
    if (auto closed = RiskClosedForm(profile, shift, zeta)) {
      RiskValue out;
      out.value = *closed;
      out.method =
          shift.kind() == LawKind::kRademacher ? RiskMethod::kExactSum : RiskMethod::kClosedForm;
      return out;
    }
  }
  return RiskByQuadrature(profile, shift, zeta, options);
}

}  // namespace valleys::theory
