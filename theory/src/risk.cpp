#include "valleys/theory/risk.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "normal.hpp"
#include "validation.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/table_profile.hpp"

namespace valleys::theory {

const char* RiskMethodName(RiskMethod method) {
  switch (method) {
    case RiskMethod::kClosedForm:
      return "closed-form";
    case RiskMethod::kQuadrature:
      return "quadrature";
    case RiskMethod::kExactSum:
      return "exact-sum";
    case RiskMethod::kPiecewise:
      return "piecewise";
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

// Integrals of z^k phi(z), k = 0..3, over [a, b] (either may be infinite), from
// M_k = (k - 1) M_{k-2} + a^{k-1} phi(a) - b^{k-1} phi(b).
struct NormalMoments {
  double m[4];
};

// E_(z ~ N(0,1)) of q(z) 1{a <= z < b} for a cubic q with coefficients b[0..3] (in z), given the
// cdf and density at both ends (ends at +-inf: cdf 0 / 1, density 0, za * pa taken as 0).
double CubicTimesNormal(const double* q, double za, double ca, double pa, double zb, double cb,
                        double pb) {
  const double m0 = cb - ca;
  const double m1 = pa - pb;
  const double ta = pa == 0.0 ? 0.0 : za * pa, tb = pb == 0.0 ? 0.0 : zb * pb;
  const double m2 = m0 + ta - tb;
  const double m3 = 2 * m1 + (pa == 0.0 ? 0.0 : za * ta) - (pb == 0.0 ? 0.0 : zb * tb);
  return q[0] * m0 + q[1] * m1 + q[2] * m2 + q[3] * m3;
}

// E f(zeta + sigma Z) for the table's interpolant (derivative = false) or its slope (true): the
// pieces within 13 sigma of zeta by a quintic Hermite rule accurate to rounding (below), and the
// linear extensions' tails in closed form.
double TableGaussian(const TableProfile& t, double zeta, double sigma, bool derivative) {
  const auto& pieces = t.Pieces();
  const double lo = t.options().x.front(), hi = t.options().x.back();
  const double y_lo = t.options().loss.front(), y_hi = t.options().loss.back();
  const detail::NormalTable& normal = detail::NormalTable::Get();
  const double reach = 13 * sigma;
  auto first = std::lower_bound(pieces.begin(), pieces.end(), zeta - reach,
                                [](const CubicPiece& p, double x) { return p.x1 < x; });
  auto last = std::upper_bound(pieces.begin(), pieces.end(), zeta + reach,
                               [](double x, const CubicPiece& p) { return x < p.x0; });
  const std::ptrdiff_t count = last - first;
  // Fixed blocks summed in order: the result does not depend on the thread count.
  constexpr std::ptrdiff_t kBlock = 4096;
  const std::ptrdiff_t blocks = (count + kBlock - 1) / kBlock;
  std::vector<double> partial(static_cast<std::size_t>(std::max<std::ptrdiff_t>(blocks, 0)), 0.0);
#pragma omp parallel for schedule(static) if (count > 16 * kBlock)
  for (std::ptrdiff_t b = 0; b < blocks; ++b) {
    const auto begin = first + b * kBlock, end = first + std::min(count, (b + 1) * kBlock);
    // Every piece (its part within |z| <= 13; beyond, the weight is below 1e-37) by the two-point
    // quintic Hermite rule on g(z) = p(x(z)) phi(z) over steps of at most kStep in z, using g's
    // value, slope and curvature at the step ends in closed form. Error per step
    // step^7 max|g^(6)| / 100800: below 1e-17 of the step's integral. Each term has the size of its
    // step's integral, so nothing cancels. phi at the ends: carried from knot to knot by
    // phi(z + w) = phi(z) exp(-(z w + w^2 / 2)) (a Taylor series for tiny steps, re-anchored every
    // 512 knots), NormalTable otherwise.
    constexpr double kStep = 0.005, kCut = 13.0;
    double acc = 0.0;
    int since_anchor = 512;
    double z_prev = std::numeric_limits<double>::quiet_NaN(), p_prev = 0.0;
    auto density = [&](double z) {
      if (z == z_prev) return p_prev;
      const double w = z - z_prev, e = -(z_prev * w + 0.5 * w * w);
      double p;
      if (since_anchor < 512 && std::abs(e) <= 2e-3) {
        p = p_prev *
            (1 + e * (1 + e * (0.5 + e * (1.0 / 6 + e * (1.0 / 24 + e * (1.0 / 120 + e / 720))))));
        ++since_anchor;
      } else {
        double c;
        normal.Eval(z, &c, &p);
        since_anchor = 0;
      }
      z_prev = z, p_prev = p;
      return p;
    };
    for (auto it = begin; it != end; ++it) {
      const CubicPiece& piece = *it;
      double c0 = piece.c0, c1 = piece.c1, c2 = piece.c2, c3 = piece.c3;
      if (derivative) c0 = c1, c1 = 2 * c2, c2 = 3 * c3, c3 = 0.0;
      const double z0 = (piece.x0 - zeta) / sigma, z1 = (piece.x1 - zeta) / sigma;
      const double from = std::max(z0, -kCut), to = std::min(z1, kCut);
      if (!(to > from)) continue;
      const int steps = std::max(1, static_cast<int>(std::ceil((to - from) / kStep)));
      if (steps == 1 && from == z0 && to == z1) {  // the common case of a dense table
        const double h = piece.x1 - piece.x0, s2 = sigma * sigma;
        const double pa = density(z0), pb = density(z1);
        const double pv = c0 + h * (c1 + h * (c2 + h * c3));
        const double dp = c1 + h * (2 * c2 + 3 * h * c3), ddp = 2 * c2 + 6 * h * c3;
        const double ga = c0 * pa, gb = pv * pb;
        const double dga = (sigma * c1 - z0 * c0) * pa, dgb = (sigma * dp - z1 * pv) * pb;
        const double ddga = (s2 * 2 * c2 - 2 * z0 * sigma * c1 + (z0 * z0 - 1) * c0) * pa;
        const double ddgb = (s2 * ddp - 2 * z1 * sigma * dp + (z1 * z1 - 1) * pv) * pb;
        const double w = z1 - z0;
        acc += w * (0.5 * (ga + gb) + w * ((dga - dgb) / 10 + w * (ddga + ddgb) / 120));
        continue;
      }
      // g and its z-derivatives at z (u = sigma (z - z0) into the piece).
      auto g = [&](double z, double* g0, double* g1, double* g2) {
        const double u = z == z0 ? 0.0 : sigma * (z - z0);
        const double pv = c0 + u * (c1 + u * (c2 + u * c3));
        const double dp = c1 + u * (2 * c2 + 3 * u * c3), ddp = 2 * c2 + 6 * u * c3;
        const double ph = density(z);
        *g0 = pv * ph;
        *g1 = (sigma * dp - z * pv) * ph;
        *g2 = (sigma * sigma * ddp - 2 * z * sigma * dp + (z * z - 1) * pv) * ph;
      };
      double za = from, ga, dga, ddga;
      g(za, &ga, &dga, &ddga);
      for (int k = 1; k <= steps; ++k) {
        const double zb = k == steps ? to : from + (to - from) * k / steps, w = zb - za;
        double gb, dgb, ddgb;
        g(zb, &gb, &dgb, &ddgb);
        acc += w * (0.5 * (ga + gb) + w * ((dga - dgb) / 10 + w * (ddga + ddgb) / 120));
        za = zb, ga = gb, dga = dgb, ddga = ddgb;
      }
    }
    partial[static_cast<std::size_t>(b)] = acc;
  }
  double sum = 0.0;
  for (double p : partial) sum += p;
  // Below the table: y_lo + s (x - lo); above: y_hi + s (x - hi) (slopes only for the derivative).
  const double zl = (lo - zeta) / sigma, zh = (hi - zeta) / sigma;
  const double s_lo = t.LowSlope(), s_hi = t.HighSlope();
  if (derivative) {
    sum += s_lo * NormalCdf(zl) + s_hi * NormalCdf(-zh);
  } else {
    // E[(y + s sigma (z - z_end)) 1{z < zl}] and the same above zh.
    const double below[4] = {y_lo - s_lo * sigma * zl, s_lo * sigma, 0, 0};
    const double above[4] = {y_hi - s_hi * sigma * zh, s_hi * sigma, 0, 0};
    const double inf = std::numeric_limits<double>::infinity();
    sum += CubicTimesNormal(below, -inf, 0.0, 0.0, zl, NormalCdf(zl), NormalPdf(zl));
    sum += CubicTimesNormal(above, zh, NormalCdf(zh), NormalPdf(zh), inf, 1.0, 0.0);
  }
  return sum;
}

}  // namespace

std::optional<RiskValue> TableRisk(const Profile& profile, const SymmetricLaw& shift, double zeta) {
  const auto* t = dynamic_cast<const TableProfile*>(&profile);
  if (t == nullptr) return std::nullopt;
  RiskValue out;
  out.method = RiskMethod::kPiecewise;
  const double s = shift.scale();
  switch (shift.kind()) {
    case LawKind::kRademacher:
      out.method = RiskMethod::kExactSum;
      out.value = 0.5 * (t->Value(zeta + s) + t->Value(zeta - s));
      break;
    case LawKind::kUniform:
      out.value = (t->Antiderivative(zeta + s) - t->Antiderivative(zeta - s)) / (2 * s);
      break;
    case LawKind::kGaussian:
      out.value = TableGaussian(*t, zeta, s, false);
      break;
  }
  out.converged = std::isfinite(out.value);
  return out;
}

RiskValue RiskByQuadrature(const Profile& profile, const SymmetricLaw& shift, double zeta,
                           const RiskOptions& options) {
  return Expectation([&](double x) { return profile.Value(x); }, profile, shift, zeta, options);
}

double RiskDerivative(const Profile& profile, const SymmetricLaw& shift, double zeta,
                      const RiskOptions& options) {
  if (const auto* t = dynamic_cast<const TableProfile*>(&profile);
      t != nullptr && options.use_closed_forms && shift.kind() == LawKind::kGaussian)
    return TableGaussian(*t, zeta, shift.scale(), true);
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
    if (auto table = TableRisk(profile, shift, zeta)) return *table;
  }
  return RiskByQuadrature(profile, shift, zeta, options);
}

}  // namespace valleys::theory
