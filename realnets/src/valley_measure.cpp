#include "valleys/realnets/valley_measure.hpp"
#include "validation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

// Boost 1.74's pchip.hpp calls isnan unqualified: <math.h> puts it in the global namespace.
#include <math.h>

#include <fmt/format.h>
#include <boost/math/interpolators/pchip.hpp>

#include "valleys/realnets/asymmetric_quadratic_fit.hpp"

#include "strictly_increasing.hpp"

namespace valleys::realnets {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using detail::Fail;

// The profile's monotone cubic interpolant (Fritsch-Carlson, Boost.Math's pchip): between two
// samples it is monotone, so a level between their values is crossed exactly once there.
class Interpolant {
 public:
  Interpolant(const std::vector<double>& t, const std::vector<double>& loss)
      : t_(t), l_(loss), f_(std::vector<double>(t), std::vector<double>(loss)) {}

  double operator()(double x) const { return f_(std::clamp(x, t_.front(), t_.back())); }
  double lo() const { return t_.front(); }
  double hi() const { return t_.back(); }

  // The minimum: the lowest sample, refined by the least-squares asymmetric quadratic
  // c + (h+/2)(t - m)_+^2 + (h-/2)(t - m)_-^2 through it and its two neighbours on each side
  // (exact for a parabola and for the piecewise parabola of the valley model; the interpolant
  // itself is flat at every sampled extremum and cannot locate it). The lowest sample where the
  // fit has no interior minimum or it is at an end of the profile. Its index too.
  struct Bottom {
    double t = 0, loss = 0;
    std::size_t index = 0;
  };
  Bottom Minimum() const {
    const auto k = static_cast<std::size_t>(std::min_element(l_.begin(), l_.end()) - l_.begin());
    Bottom b{t_[k], l_[k], k};
    if (k == 0 || k + 1 == t_.size()) return b;
    const std::size_t first = std::min(k >= 2 ? k - 2 : 0, t_.size() - 5);
    const std::vector<double> x(t_.begin() + first, t_.begin() + first + 5),
        y(l_.begin() + first, l_.begin() + first + 5);
    const AsymmetricQuadraticFit fit = FitAsymmetricQuadratic(x, y, 800);
    if (!fit.interior || !(fit.h_plus > 0) || !(fit.h_minus > 0)) return b;
    b.t = std::clamp(fit.m, t_[k - 1], t_[k + 1]);
    b.loss = std::min(l_[k], fit.c);
    return b;
  }

  // The first t beyond `from` in direction `sign` at which the interpolant reaches `level`
  // (from below); NaN when it does not inside the profile.
  double Crossing(double from, double level, int sign) const {
    double prev = from;
    const std::size_t n = t_.size();
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = sign > 0 ? k : n - 1 - k;
      if (sign * (t_[i] - from) <= 0) continue;
      if (l_[i] >= level) {
        double a = prev, b = t_[i];  // (*this)(a) < level <= (*this)(b)
        if ((*this)(a) >= level) return a;
        for (int it = 0; it < 200 && std::abs(b - a) > 1e-14 * (1 + std::abs(b)); ++it) {
          const double m = (a + b) / 2;
          ((*this)(m) >= level ? b : a) = m;
        }
        return b;
      }
      prev = t_[i];
    }
    return std::nan("");
  }

 private:
  const std::vector<double>& t_;
  const std::vector<double>& l_;
  boost::math::interpolators::pchip<std::vector<double>> f_;
};

double Ratio(double a, double b) {
  if (b > 0) return a / b;
  return a > 0 ? kInf : std::nan("");
}

}  // namespace

bool ValleyCriterion::IsValid(std::string* why) const {
  if (!(kappa > 1 && std::isfinite(kappa)))
    return Fail(why, fmt::format("ValleyCriterion::kappa = {} (allowed: > 1)", kappa));
  if (heights.empty() || !detail::StrictlyIncreasing(heights) || !(heights.front() > 0) ||
      !std::isfinite(heights.back()))
    return Fail(why, "ValleyCriterion::heights must be finite, > 0 and increasing");
  if (distance_fractions.empty() || !detail::StrictlyIncreasing(distance_fractions) ||
      !(distance_fractions.front() > 0) || distance_fractions.back() > 1)
    return Fail(why, "ValleyCriterion::distance_fractions must be increasing, in (0, 1]");
  if (!(distance_unit > 0 && std::isfinite(distance_unit)))
    return Fail(why,
                fmt::format("ValleyCriterion::distance_unit = {} (allowed: > 0)", distance_unit));
  return true;
}

std::string ValleyCriterion::Describe() const {
  return fmt::format(
      "width ratio from the valley's reference point (its sublevel sets' midpoints from H/25 to "
      "H, extrapolated to height 0 along sqrt(h)) at the largest height H both sides reach: "
      "asymmetric when max(ratio, 1/ratio) >= {}",
      kappa);
}

void CheckProfileSamples(const std::vector<double>& t, const std::vector<double>& loss) {
  if (t.size() != loss.size())
    throw std::invalid_argument(
        fmt::format("profile: {} offsets but {} loss values", t.size(), loss.size()));
  if (t.size() < 5)
    throw std::invalid_argument(fmt::format("profile: {} points (allowed: at least 5)", t.size()));
  for (std::size_t i = 0; i < t.size(); ++i)
    if (!std::isfinite(t[i]) || !std::isfinite(loss[i]))
      throw std::invalid_argument(
          fmt::format("profile: point {} (t = {}, loss = {}) is not finite", i + 1, t[i], loss[i]));
  if (!detail::StrictlyIncreasing(t))
    throw std::invalid_argument("profile: the offsets t are not strictly increasing");
}

ValleyMeasure MeasureValley(const std::vector<double>& t, const std::vector<double>& loss,
                            const ValleyCriterion& criterion) {
  std::string why;
  if (!criterion.IsValid(&why)) throw std::invalid_argument(why);
  CheckProfileSamples(t, loss);

  const Interpolant f(t, loss);
  ValleyMeasure m;
  m.distance_unit = criterion.distance_unit;
  const auto bottom = f.Minimum();
  const double t_min = bottom.t, l_min = bottom.loss, t_low = t[bottom.index];
  m.min_offset = t_min;
  m.min_loss = l_min;
  // H: the largest height both sides of the minimum reach.
  for (double h : criterion.heights)
    if (!std::isnan(f.Crossing(t_low, l_min + h, +1)) &&
        !std::isnan(f.Crossing(t_low, l_min + h, -1)))
      m.comparison_height = h;
  m.bracketed = m.comparison_height > 0;
  m.reference = t_min;
  if (m.bracketed) {
    // The midpoints m(h) = (a(h) + b(h)) / 2 of the sublevel sets at heights h from H / 25 to H:
    // constant for a valley symmetric about a point (flat-bottomed or not), and for a piecewise
    // parabola linear in sqrt(h) from its minimum. The reference point is the least-squares
    // line's value at h = 0.
    m.reference_height = m.comparison_height / 25;
    constexpr int kLevels = 9;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int used = 0;
    for (int i = 0; i < kLevels; ++i) {
      const double h = m.reference_height * std::pow(25.0, static_cast<double>(i) / (kLevels - 1));
      const double b = f.Crossing(t_low, l_min + h, +1), a = f.Crossing(t_low, l_min + h, -1);
      if (std::isnan(a) || std::isnan(b)) continue;
      const double x = std::sqrt(h), y = (a + b) / 2;
      sx += x, sy += y, sxx += x * x, sxy += x * y, ++used;
    }
    const double det = used * sxx - sx * sx;
    if (used >= 2 && det > 0) m.reference = (sxx * sy - sx * sxy) / det;
  }
  const double c = m.reference;
  for (double h : criterion.heights) {
    ValleyWidth w;
    w.height = h;
    const double b = f.Crossing(t_low, l_min + h, +1), a = f.Crossing(t_low, l_min + h, -1);
    w.width_plus = std::isnan(b) ? kInf : b - c;
    w.width_minus = std::isnan(a) ? kInf : c - a;
    w.censored = std::isnan(a) || std::isnan(b);
    w.ratio = std::isnan(a) && std::isnan(b) ? std::nan("") : w.width_plus / w.width_minus;
    m.widths.push_back(w);
    if (h == m.comparison_height) {
      m.width_plus = w.width_plus;
      m.width_minus = w.width_minus;
      m.width_ratio = w.ratio;
    }
  }
  if (!m.bracketed) m.width_ratio = std::nan("");
  m.log10_ratio = std::log10(m.width_ratio);
  m.asymmetric = m.bracketed && std::abs(m.log10_ratio) >= std::log10(criterion.kappa);
  if (m.asymmetric)
    m.flat_side = m.width_ratio > 1 ? theory::Side::kPositive : theory::Side::kNegative;
  const double d = std::min(f.hi() - c, c - f.lo());
  const double l_c = f(c);
  for (double q : criterion.distance_fractions) {
    ValleyRise r;
    r.distance = q * d;
    r.rise_plus = f(c + r.distance) - l_c;
    r.rise_minus = f(c - r.distance) - l_c;
    r.ratio = Ratio(r.rise_minus, r.rise_plus);
    m.rises.push_back(r);
  }
  return m;
}

}  // namespace valleys::realnets
