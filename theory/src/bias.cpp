#include "valleys/theory/bias.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/roots.hpp>
#include "normal.hpp"

namespace valleys::theory {

namespace {

using detail::NormalCdf;
using detail::NormalPdf;

// Root of f on [a, b] (f(a), f(b) of opposite signs) to near machine precision.
template <typename F>
double Root(F f, double a, double b) {
  boost::uintmax_t iterations = 200;
  auto tol = boost::math::tools::eps_tolerance<double>(50);
  auto bracket =
      boost::math::tools::toms748_solve(f, std::min(a, b), std::max(a, b), tol, iterations);
  return 0.5 * (bracket.first + bracket.second);
}

bool IsSymmetricAnalytic(const Profile& profile) {
  return profile.FlatSide() == Side::kNone &&
         (dynamic_cast<const QuadraticProfile*>(&profile) != nullptr ||
          dynamic_cast<const LinearProfile*>(&profile) != nullptr);
}

// zeta* from a formula or a one-dimensional closed-form equation; empty when none applies.
std::optional<double> ZetaStarClosedForm(const Profile& profile, const SymmetricLaw& shift) {
  if (IsSymmetricAnalytic(profile)) return 0.0;
  const double s = shift.scale();
  if (const auto* lin = dynamic_cast<const LinearProfile*>(&profile)) {
    // D5, newsvendor: F^-1(c / (1 + c)) = -F^-1(1 / (1 + c)) by symmetry; the second form keeps
    // its digits when c / (1 + c) rounds to 1.
    if (shift.kind() != LawKind::kRademacher) return -shift.Quantile(1 / (1 + lin->c()));
  }
  if (const auto* q = dynamic_cast<const QuadraticProfile*>(&profile)) {
    if (shift.kind() == LawKind::kUniform) {  // D3
      const double k = std::sqrt(q->hminus() / q->hplus());
      return s * (k - 1) / (k + 1);
    }
    if (shift.kind() == LawKind::kGaussian) {  // D4: R'(zeta) = 0
      const double hp = q->hplus(), hm = q->hminus();
      auto dR = [&](double z) {
        const double t = z / s;
        return hp * (z * NormalCdf(t) + s * NormalPdf(t)) +
               hm * (z * NormalCdf(-t) - s * NormalPdf(t));
      };
      // R' increases; the root lies within 10 s unless the curvatures differ by more than
      // about e^50, and then the bracket widens until it holds it.
      double lo = -10 * s, hi = 10 * s;
      for (int k = 0; k < 60 && dR(lo) > 0; ++k) lo *= 2;
      for (int k = 0; k < 60 && dR(hi) < 0; ++k) hi *= 2;
      if (!(dR(lo) <= 0 && dR(hi) >= 0))
        throw std::domain_error(fmt::format(
            "optimal bias: R'(zeta) has no root within {} <= zeta <= {} for {} under {} (the "
            "curvatures are too far apart to represent)",
            lo, hi, profile.Spec(), shift.Spec()));
      return Root(dR, lo, hi);
    }
  }
  if (const auto* lx = dynamic_cast<const LinexProfile*>(&profile)) {
    if (shift.kind() == LawKind::kGaussian) return -lx->alpha() * s * s / 2;
  }
  return std::nullopt;
}

}  // namespace

BiasSummary AnalyzeBias(const Profile& profile, const SymmetricLaw& shift,
                        const RiskOptions& options) {
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  BiasSummary out;
  auto risk = [&](double zeta) {
    RiskValue v = Risk(profile, shift, zeta, options);
    out.method = v.method;
    out.converged = out.converged && v.converged && std::isfinite(v.value);
    return v.value;
  };
  out.r0 = risk(0.0);

  std::optional<double> closed;
  if (options.use_closed_forms) closed = ZetaStarClosedForm(profile, shift);
  if (closed) {
    const double* z = &*closed;
    out.zeta_star = *z;
    out.zeta_star_closed_form = true;
  } else {
    // Scan for the basin of the minimum, then Brent inside the best cell.
    const double w =
        4 * shift.EffectiveHalfWidth() / (shift.kind() == LawKind::kGaussian ? 2.8 : 1.0);
    const int n = 160;
    int best = 0;
    double best_value = std::numeric_limits<double>::infinity();
    for (int i = 0; i <= n; ++i) {
      const double v = risk(-w + 2 * w * i / n);
      if (v < best_value) best_value = v, best = i;
    }
    const double lo = -w + 2 * w * std::max(best - 1, 0) / n,
                 hi = -w + 2 * w * std::min(best + 1, n) / n;
    boost::uintmax_t iterations = 500;
    auto found = boost::math::tools::brent_find_minima(risk, lo, hi, 40, iterations);
    out.zeta_star = found.first;
  }
  out.r_star = risk(out.zeta_star);
  if (out.r_star > out.r0) out.zeta_star = 0.0, out.r_star = out.r0;  // 0 is (numerically) optimal

  // Improving window: between 0 and the second root of R(zeta) = R(0) on the side of zeta*.
  if (out.zeta_star != 0.0 && out.r_star < out.r0) {
    // An expanding bracket: the distance from zeta* doubles until R(zeta) >= R(0) (no fixed cap;
    // past 1e150 the window is reported open, with that point as a lower bound).
    const double dir = out.zeta_star > 0 ? 1.0 : -1.0;
    auto excess = [&](double z) { return risk(z) - out.r0; };
    double near = out.zeta_star, step = std::abs(out.zeta_star), far = out.zeta_star + dir * step;
    while (excess(far) < 0 && std::abs(far) < 1e150) {
      near = far;
      step *= 2;
      far = out.zeta_star + dir * step;
    }
    const bool bracketed = excess(far) >= 0;
    out.window_closed = bracketed;
    const double edge = bracketed ? Root(excess, near, far) : far;
    out.window_lo = std::min(0.0, edge);
    out.window_hi = std::max(0.0, edge);
  }
  if (shift.kind() == LawKind::kUniform) {
    const double a = shift.scale();
    out.equal_height_residual = profile.Value(out.zeta_star + a) - profile.Value(out.zeta_star - a);
  }
  return out;
}

SlopeTest SlopeConditionTest(const Profile& profile, const SymmetricLaw& shift,
                             const RiskOptions& options) {
  SlopeTest out;
  out.r_prime_at_0 = RiskDerivative(profile, shift, 0.0, options);
  const double reach = shift.EffectiveHalfWidth();
  const Side flat = profile.FlatSide() == Side::kNone ? Side::kPositive : profile.FlatSide();
  const double f = flat == Side::kPositive ? 1.0 : -1.0;
  out.flat_slope_dominated = true;
  const int n = 2000;
  for (int i = 1; i <= n; ++i) {
    const double x = reach * i / n;
    const double flat_slope = std::abs(profile.Slope(f * x)),
                 sharp_slope = std::abs(profile.Slope(-f * x));
    if (flat_slope > sharp_slope * (1 + 1e-12) + 1e-300) {
      out.flat_slope_dominated = false;
      break;
    }
  }
  const double tiny = 1e-12 * (std::abs(profile.Slope(reach)) + std::abs(profile.Slope(-reach)));
  if (out.r_prime_at_0 < -tiny) out.predicted_side = Side::kPositive;
  if (out.r_prime_at_0 > tiny) out.predicted_side = Side::kNegative;
  return out;
}

GuaranteedRange RpclGuaranteedRange(const RpclOptions& v, double a) {
  GuaranteedRange out;
  std::string why;
  if (!v.IsValid(&why)) throw std::invalid_argument(why);
  if (!(a > v.l && a <= v.r)) {
    out.reason = fmt::format("D7 needs l < a <= r, got l = {}, a = {}, r = {}", v.l, a, v.r);
    return out;
  }
  out.applicable = true;
  if (!(a > v.c * v.l / (v.c - 1))) {
    out.reason = fmt::format("empty: needs a > c l / (c - 1) = {}", v.c * v.l / (v.c - 1));
    return out;
  }
  out.nonempty = true;
  out.zeta_max = std::min({a - v.l, v.r - a, (v.c * (a - v.l) - a) / (v.c + 1)});
  return out;
}

double RpclRiskBound(const RpclOptions& v, double a, double zeta) {
  return v.p * zeta / (2 * a) * ((a + zeta) - v.c * (a - v.l - zeta));
}

}  // namespace valleys::theory
