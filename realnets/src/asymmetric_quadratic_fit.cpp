#include "valleys/realnets/asymmetric_quadratic_fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace valleys::realnets {

namespace {

// Solves the 3 x 3 system a x = b by Gaussian elimination with partial pivoting; false when it is
// singular.
bool Solve3(std::array<std::array<double, 3>, 3> a, std::array<double, 3> b,
            std::array<double, 3>* x) {
  for (int col = 0; col < 3; ++col) {
    int pivot = col;
    for (int r = col + 1; r < 3; ++r)
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    if (!(std::abs(a[pivot][col]) > 0)) return false;
    std::swap(a[col], a[pivot]);
    std::swap(b[col], b[pivot]);
    for (int r = col + 1; r < 3; ++r) {
      const double f = a[r][col] / a[col][col];
      for (int k = col; k < 3; ++k) a[r][k] -= f * a[col][k];
      b[r] -= f * b[col];
    }
  }
  for (int r = 2; r >= 0; --r) {
    double s = b[r];
    for (int k = r + 1; k < 3; ++k) s -= a[r][k] * (*x)[k];
    (*x)[r] = s / a[r][r];
  }
  return true;
}

}  // namespace

AsymmetricQuadraticFit FitAsymmetricQuadratic(const std::vector<double>& t,
                                              const std::vector<double>& y, int candidates) {
  if (t.size() < 5 || t.size() != y.size())
    throw std::invalid_argument(fmt::format(
        "FitAsymmetricQuadratic: {} offsets and {} values (allowed: the same number, >= 5)",
        t.size(), y.size()));
  if (candidates < 2)
    throw std::invalid_argument(
        fmt::format("FitAsymmetricQuadratic: candidates = {} (allowed: >= 2)", candidates));
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t[i]) || !std::isfinite(y[i]))
      throw std::invalid_argument(fmt::format(
          "FitAsymmetricQuadratic: point {} is not finite (t = {}, y = {})", i, t[i], y[i]));
    if (i > 0 && !(t[i] > t[i - 1]))
      throw std::invalid_argument(fmt::format(
          "FitAsymmetricQuadratic: t is not strictly increasing at point {} ({} after {})", i, t[i],
          t[i - 1]));
  }
  double mean = 0, total = 0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  for (double v : y) total += (v - mean) * (v - mean);
  const double lo = t[1], hi = t[t.size() - 2];
  AsymmetricQuadraticFit best;
  double best_sse = std::numeric_limits<double>::infinity();
  int best_k = -1;
  for (int k = 0; k <= candidates; ++k) {
    const double m = lo + (hi - lo) * k / candidates;
    std::array<std::array<double, 3>, 3> a{};
    std::array<double, 3> b{}, x{};
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double u = t[i] - m;
      const std::array<double, 3> row = {1.0, u > 0 ? 0.5 * u * u : 0.0, u < 0 ? 0.5 * u * u : 0.0};
      for (int r = 0; r < 3; ++r) {
        for (int c = 0; c < 3; ++c) a[r][c] += row[r] * row[c];
        b[r] += row[r] * y[i];
      }
    }
    if (!Solve3(a, b, &x)) continue;
    double sse = 0;
    for (std::size_t i = 0; i < t.size(); ++i) {
      const double u = t[i] - m;
      const double fit = x[0] + (u > 0 ? 0.5 * x[1] * u * u : 0.5 * x[2] * u * u);
      sse += (y[i] - fit) * (y[i] - fit);
    }
    if (sse < best_sse) {
      best_sse = sse, best_k = k;
      best.m = m, best.c = x[0], best.h_plus = x[1], best.h_minus = x[2];
    }
  }
  best.r2 = total > 0 ? 1 - best_sse / total : 0;
  best.interior = best_k > 0 && best_k < candidates;
  best.falls_low = !best.interior && best_k <= 0;
  return best;
}

SymmetricWindowFit FitAsymmetricQuadraticSymmetric(const std::vector<double>& t,
                                                   const std::vector<double>& y,
                                                   int min_side_points, int candidates) {
  if (min_side_points < 2)
    throw std::invalid_argument(fmt::format(
        "FitAsymmetricQuadraticSymmetric: min_side_points = {} (allowed: >= 2)", min_side_points));
  SymmetricWindowFit r;
  r.fit = FitAsymmetricQuadratic(t, y, candidates);  // validates the points
  // The first centre: the vertex of the parabola through the lowest sample and its neighbours
  // (a fit's minimum would carry the window's own asymmetry into the centre).
  const std::size_t low =
      static_cast<std::size_t>(std::min_element(y.begin(), y.end()) - y.begin());
  if (low == 0 || low + 1 == t.size()) {
    r.fit.interior = false;
    r.fit.falls_low = low == 0;
    r.half_width = std::numeric_limits<double>::quiet_NaN();
    r.why_not = fmt::format("the lowest point is the end t = {:.4g}", t[low]);
    return r;
  }
  {
    const double x0 = t[low - 1], x1 = t[low], x2 = t[low + 1];
    const double f01 = (y[low] - y[low - 1]) / (x1 - x0), f12 = (y[low + 1] - y[low]) / (x2 - x1);
    const double a = (f12 - f01) / (x2 - x0);  // >= 0: y[low] is the lowest of the three
    r.fit.m = a > 0 ? 0.5 * (x0 + x1) - f01 / (2 * a) : x1;
    r.fit.m = std::clamp(r.fit.m, x0, x2);
    r.fit.interior = true;
  }
  std::size_t first = 0, last = t.size() - 1;  // the window's points [first, last]
  for (int refit = 0; refit <= 8; ++refit) {
    if (!r.fit.interior) {
      r.half_width = std::numeric_limits<double>::quiet_NaN();
      r.why_not = fmt::format("the objective falls toward the end t = {:.4g} of the window",
                              r.fit.falls_low ? t[first] : t[last]);
      return r;
    }
    const double m = r.fit.m;
    r.half_width = std::min(m - t.front(), t.back() - m);
    std::size_t lo = 0, hi = t.size() - 1;
    // The relative slack keeps the end point that defines w inside despite rounding.
    const double slack = 1e-12 * (t.back() - t.front());
    while (lo < t.size() && t[lo] < m - r.half_width - slack) ++lo;
    while (hi > 0 && t[hi] > m + r.half_width + slack) --hi;
    r.below = r.above = 0;
    for (std::size_t i = lo; i <= hi; ++i) {
      r.below += t[i] < m;
      r.above += t[i] > m;
    }
    if (r.below < min_side_points || r.above < min_side_points) {
      r.why_not = fmt::format(
          "the window symmetric about t_min = {:.4g} holds {} points below and {} above it "
          "(needed: {} on each side)",
          m, r.below, r.above, min_side_points);
      return r;
    }
    if (lo == first && hi == last && refit > 0) break;
    first = lo, last = hi;
    const std::vector<double> tw(t.begin() + static_cast<std::ptrdiff_t>(lo),
                                 t.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
    const std::vector<double> yw(y.begin() + static_cast<std::ptrdiff_t>(lo),
                                 y.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
    r.fit = FitAsymmetricQuadratic(tw, yw, candidates);
  }
  r.ok = r.fit.interior;
  if (!r.ok) r.why_not = "the window's fit has no interior minimum";
  return r;
}

}  // namespace valleys::realnets
