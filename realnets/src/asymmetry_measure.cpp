#include "valleys/realnets/asymmetry_measure.hpp"
#include "validation.hpp"

#include "valleys/realnets/valley_measure.hpp"

#include "strictly_increasing.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace valleys::realnets {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

using detail::Fail;

// a / b with the conventions of the report: x / 0 = inf for x > 0, 0 / 0 = NaN.
double Ratio(double a, double b) {
  if (b > 0) return a / b;
  return a > 0 ? kInf : std::nan("");
}

class Profile {
 public:
  Profile(const std::vector<double>& t, const std::vector<double>& loss) : t_(t), l_(loss) {}

  // L(x) by linear interpolation, x inside [t_min, t_max].
  double At(double x) const {
    const auto hi = std::lower_bound(t_.begin(), t_.end(), x);
    const std::size_t j = static_cast<std::size_t>(hi - t_.begin());
    if (j < t_.size() && t_[j] == x) return l_[j];
    const double f = (x - t_[j - 1]) / (t_[j] - t_[j - 1]);
    return l_[j - 1] + f * (l_[j] - l_[j - 1]);
  }

  // The first offset d > 0 at which L(sign d) - L(0) reaches `height`; infinity if it never does.
  double Width(double height, int sign) const {
    const double l0 = At(0.0);
    double prev_d = 0, prev_rise = 0;
    const std::size_t n = t_.size();
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = sign > 0 ? k : n - 1 - k;
      const double d = sign * t_[i];
      if (d <= 0) continue;
      const double rise = l_[i] - l0;
      if (rise >= height) return prev_d + (height - prev_rise) / (rise - prev_rise) * (d - prev_d);
      prev_d = d;
      prev_rise = rise;
    }
    return kInf;
  }

  // From the sample `origin`: the first distance d > 0 at which L(t_origin + sign d) - L(t_origin)
  // reaches `height` (linear interpolation between samples); infinity if it never does.
  double WidthFrom(std::size_t origin, double height, int sign) const {
    const double l0 = l_[origin];
    double prev_d = 0, prev_rise = 0;
    const auto n = static_cast<std::ptrdiff_t>(t_.size());
    for (auto i = static_cast<std::ptrdiff_t>(origin) + sign; i >= 0 && i < n; i += sign) {
      const auto k = static_cast<std::size_t>(i);
      const double d = std::abs(t_[k] - t_[origin]), rise = l_[k] - l0;
      if (rise >= height) return prev_d + (height - prev_rise) / (rise - prev_rise) * (d - prev_d);
      prev_d = d;
      prev_rise = rise;
    }
    return kInf;
  }

  // The least-squares slope of L over the samples with t in [lo, hi], and the point 0.
  double Slope(double lo, double hi) const {
    std::vector<double> x = {0.0}, y = {At(0.0)};
    for (std::size_t i = 0; i < t_.size(); ++i)
      if (t_[i] >= lo && t_[i] <= hi && t_[i] != 0.0) x.push_back(t_[i]), y.push_back(l_[i]);
    const double n = static_cast<double>(x.size());
    double mx = 0, my = 0;
    for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / n, my += y[i] / n;
    double sxy = 0, sxx = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
      sxy += (x[i] - mx) * (y[i] - my), sxx += (x[i] - mx) * (x[i] - mx);
    return sxx > 0 ? sxy / sxx : 0.0;
  }

  // The difference quotient of the nearest samples on each side of 0.
  double Tilt() const {
    const auto it = std::lower_bound(t_.begin(), t_.end(), 0.0);
    std::size_t b = static_cast<std::size_t>(it - t_.begin());
    const std::size_t a = b - 1;
    if (t_[b] == 0.0) ++b;
    return (l_[b] - l_[a]) / (t_[b] - t_[a]);
  }

 private:
  const std::vector<double>& t_;
  const std::vector<double>& l_;
};

}  // namespace

bool AsymmetryCriterion::IsValid(std::string* why) const {
  if (!(kappa > 1 && std::isfinite(kappa)))
    return Fail(why, fmt::format("AsymmetryCriterion::kappa = {} (allowed: > 1)", kappa));
  if (!(min_rise >= 0 && std::isfinite(min_rise)))
    return Fail(why, fmt::format("AsymmetryCriterion::min_rise = {} (allowed: >= 0)", min_rise));
  if (heights.empty() || !detail::StrictlyIncreasing(heights) || !(heights.front() > 0) ||
      !std::isfinite(heights.back()))
    return Fail(why, "AsymmetryCriterion::heights must be finite, > 0 and increasing");
  if (distance_fractions.empty() || !detail::StrictlyIncreasing(distance_fractions) ||
      !(distance_fractions.front() > 0) || distance_fractions.back() > 1)
    return Fail(why, "AsymmetryCriterion::distance_fractions must be increasing, in (0, 1]");
  return true;
}

std::string AsymmetryCriterion::Describe() const {
  return fmt::format(
      "detrended rise ratio at the largest common distance: asymmetric when max(r+, r-) >= {} and "
      "max / min >= {}",
      min_rise, kappa);
}

AsymmetryReport MeasureAsymmetry(const std::vector<double>& t, const std::vector<double>& loss,
                                 const AsymmetryCriterion& criterion) {
  std::string why;
  if (!criterion.IsValid(&why)) throw std::invalid_argument(why);
  CheckProfileSamples(t, loss);
  if (!(t.front() < 0 && t.back() > 0))
    throw std::invalid_argument(
        fmt::format("profile: t = 0 is not inside the range [{}, {}] (allowed: t_min < 0 < t_max)",
                    t.front(), t.back()));

  const Profile p(t, loss);
  AsymmetryReport r;
  r.centre_loss = p.At(0.0);
  const auto lowest = std::min_element(loss.begin(), loss.end());
  r.min_loss = *lowest;
  r.min_offset = t[static_cast<std::size_t>(lowest - loss.begin())];
  r.tilt = p.Tilt();
  const double d = std::min(t.back(), -t.front());
  r.common_distance = d;

  r.detrended_rise_plus = std::max(0.0, p.At(d) - r.centre_loss - r.tilt * d);
  r.detrended_rise_minus = std::max(0.0, p.At(-d) - r.centre_loss + r.tilt * d);
  r.detrended_ratio = Ratio(r.detrended_rise_minus, r.detrended_rise_plus);
  const double big = std::max(r.detrended_rise_plus, r.detrended_rise_minus);
  const double small = std::min(r.detrended_rise_plus, r.detrended_rise_minus);
  r.asymmetric =
      big >= criterion.min_rise && big > 0 && (small == 0 || big / small >= criterion.kappa);
  if (r.asymmetric)
    r.flat_side = r.detrended_rise_plus < r.detrended_rise_minus ? theory::Side::kPositive
                                                                 : theory::Side::kNegative;

  for (double f : criterion.distance_fractions) {
    RiseAt a;
    a.distance = f * d;
    a.rise_plus = p.At(a.distance) - r.centre_loss;
    a.rise_minus = p.At(-a.distance) - r.centre_loss;
    a.ratio = Ratio(a.rise_minus, a.rise_plus);
    r.rise_ratio_at.push_back(a);
  }
  for (double h : criterion.heights) {
    WidthAt w;
    w.height = h;
    w.width_plus = p.Width(h, +1);
    w.width_minus = p.Width(h, -1);
    w.censored = std::isinf(w.width_plus) || std::isinf(w.width_minus);
    w.ratio = std::isinf(w.width_plus) && std::isinf(w.width_minus) ? std::nan("")
                                                                    : w.width_plus / w.width_minus;
    r.width_ratio_at.push_back(w);
  }
  const auto lowest_index = static_cast<std::size_t>(lowest - loss.begin());
  for (double h : criterion.heights) {
    WidthAt w;
    w.height = h;
    w.width_plus = p.WidthFrom(lowest_index, h, +1);
    w.width_minus = p.WidthFrom(lowest_index, h, -1);
    w.censored = std::isinf(w.width_plus) || std::isinf(w.width_minus);
    w.ratio = std::isinf(w.width_plus) && std::isinf(w.width_minus) ? std::nan("")
                                                                    : w.width_plus / w.width_minus;
    r.width_from_minimum_at.push_back(w);
  }
  r.slope_ratio = Ratio(std::abs(p.Slope(-d, 0.0)), std::abs(p.Slope(0.0, d)));
  r.end_rise_ratio = Ratio(loss.front() - r.centre_loss, loss.back() - r.centre_loss);
  return r;
}

}  // namespace valleys::realnets
