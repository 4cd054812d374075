#include "valleys/theory/asymmetry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "validation.hpp"

namespace valleys::theory {

bool AsymmetryOptions::IsValid(std::string* why) const {
  return detail::Check(
             why, "asymmetry", "delta", delta, [](double v) { return v > 0; }, "delta > 0") &&
         detail::Check(
             why, "asymmetry", "kappa", kappa, [](double v) { return v > 1; }, "kappa > 1");
}

namespace {

std::size_t CentreIndex(const std::vector<double>& x, const std::vector<double>& loss) {
  if (x.size() != loss.size() || x.size() < 3)
    throw std::invalid_argument(
        fmt::format("asymmetry: need at least 3 points with one loss each (got {} x, {} loss)",
                    x.size(), loss.size()));
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(loss[i]))
      throw std::invalid_argument(fmt::format(
          "asymmetry: point {} (x = {}, loss = {}) is not finite", i + 1, x[i], loss[i]));
    if (i > 0 && !(x[i] > x[i - 1]))
      throw std::invalid_argument(fmt::format(
          "asymmetry: x must be strictly increasing (point {} has x = {})", i + 1, x[i]));
  }
  auto it = std::find(x.begin(), x.end(), 0.0);
  if (it == x.begin() || it == x.end() || it + 1 == x.end())
    throw std::invalid_argument(
        "asymmetry: the samples need x = 0 (the probed solution) strictly inside the range");
  return static_cast<std::size_t>(it - x.begin());
}

// First distance from 0 where the sampled loss reaches `level`, walking outward by `step` (+1/-1).
double Width(const std::vector<double>& x, const std::vector<double>& loss, std::size_t centre,
             int step, double level) {
  for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(centre) + step;
       i >= 0 && i < static_cast<std::ptrdiff_t>(x.size()); i += step) {
    const auto k = static_cast<std::size_t>(i), prev = static_cast<std::size_t>(i - step);
    if (loss[k] >= level) {
      const double t = (level - loss[prev]) / (loss[k] - loss[prev]);
      return std::abs(x[prev] + t * (x[k] - x[prev]));
    }
  }
  return std::numeric_limits<double>::infinity();
}

// Least-squares slope through the origin of (|x|, loss - centre) over one side.
double SideSlope(const std::vector<double>& x, const std::vector<double>& loss, std::size_t centre,
                 int step) {
  double sxy = 0, sxx = 0;
  for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(centre) + step;
       i >= 0 && i < static_cast<std::ptrdiff_t>(x.size()); i += step) {
    const auto k = static_cast<std::size_t>(i);
    const double d = std::abs(x[k]);
    sxy += d * (loss[k] - loss[centre]);
    sxx += d * d;
  }
  return sxx > 0 ? sxy / sxx : 0.0;
}

}  // namespace

AsymmetryScore ScoreAsymmetry(const std::vector<double>& x, const std::vector<double>& loss,
                              const AsymmetryOptions& options) {
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  const std::size_t c = CentreIndex(x, loss);
  AsymmetryScore s;
  s.centre_loss = loss[c];
  const double level = loss[c] + options.delta;
  s.width_pos = Width(x, loss, c, +1, level);
  s.width_neg = Width(x, loss, c, -1, level);
  const double inf = std::numeric_limits<double>::infinity();
  if (std::isinf(s.width_pos) && std::isinf(s.width_neg)) {
    s.width_ratio = 1.0;  // neither side reaches the height: undecidable
  } else {
    s.width_ratio = std::isinf(s.width_pos) || std::isinf(s.width_neg)
                        ? inf
                        : std::max(s.width_pos / s.width_neg, s.width_neg / s.width_pos);
    if (s.width_pos > s.width_neg) s.flat_side = Side::kPositive;
    if (s.width_neg > s.width_pos) s.flat_side = Side::kNegative;
  }
  s.asymmetric = s.width_ratio >= options.kappa;
  const double slope_pos = SideSlope(x, loss, c, +1), slope_neg = SideSlope(x, loss, c, -1);
  const bool pos_flat = s.flat_side != Side::kNegative;
  const double flat = pos_flat ? slope_pos : slope_neg, sharp = pos_flat ? slope_neg : slope_pos;
  s.fitted_p = flat;
  s.fitted_c = flat > 0 ? sharp / flat : inf;
  return s;
}

RpclCheck CheckRpcl(const std::vector<double>& x, const std::vector<double>& loss,
                    const RpclOptions& v) {
  std::string why;
  if (!v.IsValid(&why)) throw std::invalid_argument(why);
  const std::size_t c = CentreIndex(x, loss);
  RpclCheck out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double d = loss[i] - loss[c];
    if (x[i] > 0 && x[i] < v.r) {
      out.worst_violation = std::max(out.worst_violation, d - v.p * x[i]);
      ++out.samples_checked;
    } else if (x[i] < -v.l && x[i] > -v.r) {
      out.worst_violation = std::max(out.worst_violation, v.c * v.p * (-x[i] - v.l) - d);
      ++out.samples_checked;
    }
  }
  out.holds = out.worst_violation <= 1e-12 * (1 + std::abs(loss[c]));
  return out;
}

}  // namespace valleys::theory
