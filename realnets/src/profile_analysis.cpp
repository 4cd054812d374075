#include "valleys/realnets/profile_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace valleys::realnets {

namespace {

std::size_t CentreIndex(const std::vector<double>& t) {
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] == 0.0) return i;
  throw std::invalid_argument("profile: the grid has no sample at t = 0");
}

void CheckGrid(const std::vector<double>& t, const std::vector<double>& loss) {
  if (t.size() != loss.size() || t.size() < 3)
    throw std::invalid_argument(fmt::format(
        "profile: {} offsets and {} losses (need equal sizes, >= 3)", t.size(), loss.size()));
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!std::isfinite(t[i]) || !std::isfinite(loss[i]))
      throw std::invalid_argument(fmt::format("profile: non-finite value at sample {}", i));
    if (i > 0 && !(t[i] > t[i - 1]))
      throw std::invalid_argument("profile: offsets are not strictly increasing");
  }
}

}  // namespace

double ProfileDelta(const std::vector<double>& t, const std::vector<double>& loss) {
  CheckGrid(t, loss);
  const double centre = loss[CentreIndex(t)];
  const double lo = loss.front() - centre, hi = loss.back() - centre;
  if (lo > 0 && hi > 0) return 0.5 * std::min(lo, hi);
  if (std::max(lo, hi) > 0) return 0.25 * std::max(lo, hi);
  return 1e-3;
}

ProfileScore ScoreProfile(const std::vector<double>& t, const std::vector<double>& loss,
                          double kappa) {
  CheckGrid(t, loss);
  const double h = t[1] - t[0];
  for (std::size_t i = 1; i < t.size(); ++i)
    if (std::abs((t[i] - t[i - 1]) - h) > 1e-9 * std::max(1.0, std::abs(h)))
      throw std::invalid_argument("profile: the offsets are not a uniform grid");
  ProfileScore s;
  s.delta = ProfileDelta(t, loss);
  theory::AsymmetryOptions a;
  a.delta = s.delta;
  a.kappa = kappa;
  s.score = theory::ScoreAsymmetry(t, loss, a);
  const std::size_t c = CentreIndex(t);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  s.curvature_pos = c + 2 < t.size() ? (loss[c] - 2 * loss[c + 1] + loss[c + 2]) / (h * h) : nan;
  s.curvature_neg = c >= 2 ? (loss[c] - 2 * loss[c - 1] + loss[c - 2]) / (h * h) : nan;
  return s;
}

namespace {

double Interpolate(const std::vector<double>& t, const std::vector<double>& y, double x) {
  const auto it = std::upper_bound(t.begin(), t.end(), x);
  if (it == t.begin()) return y.front();
  if (it == t.end()) return y.back();
  const std::size_t i = static_cast<std::size_t>(it - t.begin());
  const double w = (x - t[i - 1]) / (t[i] - t[i - 1]);
  return y[i - 1] + w * (y[i] - y[i - 1]);
}

struct Mismatch {
  double xi = std::numeric_limits<double>::infinity(), offset = 0;
  int overlap = 0;
};

Mismatch MismatchAt(const std::vector<double>& t, const std::vector<double>& train,
                    const std::vector<double>& test, double delta) {
  std::vector<double> diff;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double x = t[i] - delta;
    if (x < t.front() || x > t.back()) continue;
    diff.push_back(test[i] - Interpolate(t, train, x));
  }
  Mismatch m;
  m.overlap = static_cast<int>(diff.size());
  if (2 * diff.size() < t.size()) return m;
  double mean = 0;
  for (double d : diff) mean += d;
  mean /= static_cast<double>(diff.size());
  double xi = 0;
  for (double d : diff) xi += (d - mean) * (d - mean);
  m.xi = xi / static_cast<double>(diff.size());
  m.offset = mean;
  return m;
}

}  // namespace

ShiftFit FitShift(const std::vector<double>& t, const std::vector<double>& train,
                  const std::vector<double>& test, double max_shift, int steps) {
  CheckGrid(t, train);
  CheckGrid(t, test);
  if (!(max_shift > 0) || steps < 1)
    throw std::invalid_argument(fmt::format(
        "shift fit: max shift = {} and steps = {} (allowed: > 0, >= 1)", max_shift, steps));
  ShiftFit fit;
  const Mismatch zero = MismatchAt(t, train, test, 0.0);
  fit.mismatch0 = zero.xi;
  Mismatch best = zero;
  fit.delta = 0;
  for (int k = -steps; k <= steps; ++k) {
    const double delta = max_shift * k / steps;
    const Mismatch m = MismatchAt(t, train, test, delta);
    if (m.xi < best.xi) best = m, fit.delta = delta;
  }
  fit.mismatch = best.xi;
  fit.offset = best.offset;
  fit.overlap = best.overlap;
  fit.ratio = fit.mismatch0 > 0 ? fit.mismatch / fit.mismatch0 : 1.0;
  return fit;
}

}  // namespace valleys::realnets
