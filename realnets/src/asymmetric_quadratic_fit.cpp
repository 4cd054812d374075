#include "valleys/realnets/asymmetric_quadratic_fit.hpp"

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

}  // namespace valleys::realnets
