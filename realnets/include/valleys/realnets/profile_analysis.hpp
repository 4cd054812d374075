// Analysis of a measured loss profile loss(t) along a direction (t on a uniform grid with a sample
// at 0, the probed solution): the asymmetry score with a stated height rule, one-sided curvatures,
// and the shift between a test profile and a training profile (protocol.md §5, claim C12).
#pragma once

#include <vector>

#include "valleys/theory/asymmetry.hpp"

namespace valleys::realnets {

// The height at which widths are compared: half the smaller of the two end rises
// loss(t_min) - loss(0) and loss(t_max) - loss(0) when both are positive; otherwise a quarter of
// the larger (one side never rises: its width is censored, the profile counts as asymmetric).
// When neither end rises, 1e-3 (loss units).
double ProfileDelta(const std::vector<double>& t, const std::vector<double>& loss);

struct ProfileScore {
  theory::AsymmetryScore score;  // at height `delta`, kappa = 2
  double delta = 0;
  // Second differences on each side of 0, (L(0) - 2 L(+-h) + L(+-2h)) / h^2 with h the grid step
  // (loss per unit t squared); NaN when the grid has fewer than two samples on that side.
  double curvature_pos = 0, curvature_neg = 0;
};

// Throws std::invalid_argument on a grid that is not strictly increasing, lacks 0, is not uniform
// (within 1e-9 relative), or holds non-finite values.
ProfileScore ScoreProfile(const std::vector<double>& t, const std::vector<double>& loss,
                          double kappa = 2.0);

struct ShiftFit {
  double delta = 0;      // best translation: test(x) ~ train(x - delta) + offset
  double offset = 0;     // the vertical offset at delta (loss units)
  double mismatch0 = 0;  // xi(0): mean squared difference after removing the mean offset
  double mismatch = 0;   // xi(delta)
  double ratio = 1;      // xi(delta) / xi(0) (the authors' plot: about 0.15)
  int overlap = 0;       // grid points of the test profile compared at delta
};

// Searches delta in [-max_shift, max_shift] on a grid of 2 * steps + 1 values, comparing test at
// the test grid points x with train linearly interpolated at x - delta, over the points where
// x - delta lies inside the training grid (at least half of the points must overlap). Throws
// std::invalid_argument on mismatched sizes, an unsorted grid or max_shift <= 0.
ShiftFit FitShift(const std::vector<double>& t, const std::vector<double>& train,
                  const std::vector<double>& test, double max_shift, int steps = 400);

}  // namespace valleys::realnets
