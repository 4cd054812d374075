// The least-squares asymmetric quadratic through a measured profile:
//   y(t) ~ c + (h+ / 2) (t - m)_+^2 + (h- / 2) (t - m)_-^2,
// the valley model of the companion theory (theory::QuadraticProfile, centred at m). For each
// candidate m on a uniform grid over [t_1, t_(n-2)] (strictly inside the samples), (c, h+, h-) by
// linear least squares (normal equations); the m of the smallest residual.
#pragma once

#include <string>
#include <vector>

namespace valleys::realnets {

struct AsymmetricQuadraticFit {
  double m = 0, c = 0, h_plus = 0, h_minus = 0;
  double r2 = 0;           // 1 - residual / total sum of squares
  bool interior = false;   // m is not the first or last candidate (false: y falls toward an end)
  bool falls_low = false;  // !interior: toward the low end (else the high end)
};

// Throws std::invalid_argument when t has fewer than 5 points, is not strictly increasing, the
// lengths differ or a value is not finite, or candidates < 2.
AsymmetricQuadraticFit FitAsymmetricQuadratic(const std::vector<double>& t,
                                              const std::vector<double>& y, int candidates = 400);

// The fit on the window symmetric about the fitted minimum: fitted on every point, then on the
// points of [m - w, m + w], w = min(m - t.front(), t.back() - m), with m the last fit's minimum,
// until the window's points repeat (at most 8 refits). A window centred on an arbitrary point
// instead (the SWA solution) reads a symmetric valley whose minimum lies off that centre as
// asymmetric, because one side's wall is seen further up than the other's.
struct SymmetricWindowFit {
  AsymmetricQuadraticFit fit;  // the last fit
  double half_width = 0;       // w (NaN when no fit is interior)
  int below = 0, above = 0;    // the window's points with t < m and t > m
  // The window holds >= min_side_points on each side of m and the last fit is interior.
  bool ok = false;
  std::string why_not;  // why not ok
};
// Throws as FitAsymmetricQuadratic does, and for min_side_points < 2.
SymmetricWindowFit FitAsymmetricQuadraticSymmetric(const std::vector<double>& t,
                                                   const std::vector<double>& y,
                                                   int min_side_points, int candidates = 400);

}  // namespace valleys::realnets
