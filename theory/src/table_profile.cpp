#include "valleys/theory/table_profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

// Boost 1.74's pchip.hpp calls isnan unqualified; it needs std::isnan visible at global scope.
using std::isnan;
#include <fmt/format.h>
#include <boost/math/interpolators/pchip.hpp>

#include "validation.hpp"

namespace valleys::theory {

struct TableProfile::Interpolant {
  boost::math::interpolators::pchip<std::vector<double>> spline;
  double x_lo, x_hi, y_lo, y_hi, slope_lo, slope_hi;
};

bool TableOptions::IsValid(std::string* why) const {
  using detail::Fail;
  const std::string where = source.empty() ? "table" : fmt::format("table {}", source);
  if (x.size() != loss.size())
    return Fail(why,
                fmt::format("{}: {} x values but {} loss values", where, x.size(), loss.size()));
  if (x.size() < 4)
    return Fail(why,
                fmt::format("{}: {} points is too few (allowed: at least 4)", where, x.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(loss[i]))
      return Fail(
          why,
          fmt::format("{}: point {} (x = {}, loss = {}) is not finite (allowed: finite numbers)",
                      where, i + 1, x[i], loss[i]));
    if (i > 0 && !(x[i] > x[i - 1]))
      return Fail(
          why,
          fmt::format("{}: x must be strictly increasing, but point {} has x = {} after x = {}",
                      where, i + 1, x[i], x[i - 1]));
  }
  if (!(x.front() < 0 && x.back() > 0))
    return Fail(why, fmt::format("{}: x range [{}, {}] must contain the centre 0 in its interior",
                                 where, x.front(), x.back()));
  if (!(detect_height_fraction > 0 && detect_height_fraction <= 1))
    return Fail(
        why, fmt::format("{}: detect_height_fraction = {} is out of range (allowed: (0, 1])", where,
                         detect_height_fraction));
  return true;
}

namespace {
TableOptions Validated(TableOptions options) {
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  return options;
}

// Distance from 0 at which `profile` first reaches `level` going in direction `sign`, searching up
// to `limit`; +inf when it does not.
double WidthAt(const Profile& profile, double level, double sign, double limit) {
  const int n = 4000;
  double prev = 0.0;
  for (int i = 1; i <= n; ++i) {
    const double d = limit * i / n;
    if (profile.Value(sign * d) >= level) {
      double lo = prev, hi = d;  // bisection between the two samples
      for (int k = 0; k < 60; ++k) {
        const double mid = 0.5 * (lo + hi);
        (profile.Value(sign * mid) >= level ? hi : lo) = mid;
      }
      return hi;
    }
    prev = d;
  }
  return std::numeric_limits<double>::infinity();
}
}  // namespace

TableProfile::TableProfile(TableOptions options) : options_(Validated(std::move(options))) {
  std::vector<double> xs = options_.x, ys = options_.loss;
  auto spline =
      boost::math::interpolators::pchip<std::vector<double>>(std::move(xs), std::move(ys));
  const double x_lo = options_.x.front(), x_hi = options_.x.back();
  interpolant_ = new Interpolant{spline,
                                 x_lo,
                                 x_hi,
                                 options_.loss.front(),
                                 options_.loss.back(),
                                 spline.prime(x_lo),
                                 spline.prime(x_hi)};

  slope_lo_ = interpolant_->slope_lo;
  slope_hi_ = interpolant_->slope_hi;
  // Pieces in power form from the Hermite data (values and PCHIP slopes at the knots), and the
  // largest second derivative: phi'' is linear on a piece, so its ends bound it.
  const std::vector<double>& kx = options_.x;
  const std::vector<double>& ky = options_.loss;
  std::vector<double> slope(kx.size());
  for (std::size_t i = 0; i < kx.size(); ++i) slope[i] = spline.prime(kx[i]);
  pieces_.reserve(kx.size() - 1);
  integral_.assign(kx.size(), 0.0);
  double sum = 0.0, carry = 0.0;  // Kahan-Babuska summation of the piece integrals
  for (std::size_t i = 0; i + 1 < kx.size(); ++i) {
    const double h = kx[i + 1] - kx[i], d = (ky[i + 1] - ky[i]) / h;
    CubicPiece p{kx[i],
                 kx[i + 1],
                 ky[i],
                 slope[i],
                 (3 * d - 2 * slope[i] - slope[i + 1]) / h,
                 (slope[i] + slope[i + 1] - 2 * d) / (h * h)};
    pieces_.push_back(p);
    max_curvature_ = std::max({max_curvature_, 2 * p.c2, 2 * p.c2 + 6 * p.c3 * h});
    const double piece = h * (p.c0 + h * (p.c1 / 2 + h * (p.c2 / 3 + h * p.c3 / 4)));
    const double t = sum + piece;
    carry += std::abs(sum) >= std::abs(piece) ? (sum - t) + piece : (piece - t) + sum;
    sum = t;
    integral_[i + 1] = sum + carry;
  }

  const double centre = Value(0.0);
  const double rise = std::min(options_.loss.front(), options_.loss.back()) - centre;
  if (rise > 0) {
    const double level = centre + options_.detect_height_fraction * rise;
    const double w_pos = WidthAt(*this, level, +1, x_hi), w_neg = WidthAt(*this, level, -1, -x_lo);
    if (w_pos > w_neg * (1 + 1e-9)) flat_side_ = Side::kPositive;
    if (w_neg > w_pos * (1 + 1e-9)) flat_side_ = Side::kNegative;
  } else if (options_.loss.back() - centre < options_.loss.front() - centre) {
    flat_side_ = Side::kPositive;  // one side never rises above the centre: it is the flat one
  } else if (options_.loss.back() - centre > options_.loss.front() - centre) {
    flat_side_ = Side::kNegative;
  }
}

double TableProfile::Antiderivative(double x) const {
  const double x_lo = options_.x.front(), x_hi = options_.x.back();
  if (x <= x_lo) {
    const double d = x - x_lo;
    return d * (options_.loss.front() + 0.5 * slope_lo_ * d);
  }
  if (x >= x_hi) {
    const double d = x - x_hi;
    return integral_.back() + d * (options_.loss.back() + 0.5 * slope_hi_ * d);
  }
  const auto it = std::upper_bound(options_.x.begin(), options_.x.end(), x);
  const std::size_t i = static_cast<std::size_t>(it - options_.x.begin()) - 1;
  const CubicPiece& p = pieces_[i];
  const double u = x - p.x0;
  return integral_[i] + u * (p.c0 + u * (p.c1 / 2 + u * (p.c2 / 3 + u * p.c3 / 4)));
}

TableProfile::~TableProfile() {
  delete interpolant_;
}

double TableProfile::Value(double x) const {
  const Interpolant& s = *interpolant_;
  if (x < s.x_lo) return s.y_lo + s.slope_lo * (x - s.x_lo);
  if (x > s.x_hi) return s.y_hi + s.slope_hi * (x - s.x_hi);
  return s.spline(x);
}

double TableProfile::Slope(double x) const {
  const Interpolant& s = *interpolant_;
  if (x < s.x_lo) return s.slope_lo;
  if (x > s.x_hi) return s.slope_hi;
  return s.spline.prime(x);
}

double TableProfile::Curvature(double x) const {
  const Interpolant& s = *interpolant_;
  if (x < s.x_lo || x > s.x_hi) return 0.0;
  const auto& xs = options_.x;
  auto it = std::upper_bound(xs.begin(), xs.end(), x);
  if (it == xs.begin() || it == xs.end()) return std::numeric_limits<double>::quiet_NaN();
  const double a = *(it - 1), b = *it;
  if (x == a) return std::numeric_limits<double>::quiet_NaN();  // knot: phi'' jumps
  const double h = 1e-4 * (b - a);
  const double lo = std::max(a, x - h), hi = std::min(b, x + h);
  return (Slope(hi) - Slope(lo)) /
         (hi - lo);  // exact for the linear phi'' of a cubic, up to rounding
}

std::vector<double> TableProfile::Kinks() const {
  return options_.x;
}

std::string TableProfile::Spec() const {
  return options_.source.empty() ? fmt::format("table:points={}", options_.x.size())
                                 : fmt::format("table:file={}", options_.source);
}

}  // namespace valleys::theory
