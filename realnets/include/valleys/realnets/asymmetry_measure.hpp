// The asymmetry of one measured loss profile L(t) along a direction (t = 0: the probed solution),
// as a researcher reads it: the rises at matched distances, the widths at matched heights, the
// slopes of each side, the tilt at the centre, the minimum along the direction, and one declared
// criterion that says whether the profile is an asymmetric valley and which side is flat.
//
// The criterion (calibrated in tests/realnets/test_asymmetry_measure.cpp; docs/realnets.md):
// remove the tilt at the centre (the first-order term, which a solution that is not an exact
// minimum always has) and compare the rises of the two sides at the largest distance both sides
// reach, D:
//   r+ = L(D) - L(0) - tilt D,   r- = L(-D) - L(0) + tilt D   (each at least 0),
// asymmetric when max(r+, r-) >= min_rise and max / min >= kappa; the flat side is the one with the
// smaller rise. A tilted symmetric valley (a parabola, or a flat bottom between two walls) has
// r+ = r- exactly; a wall on one side only does not.
#pragma once

#include <string>
#include <vector>

#include "valleys/theory/profile.hpp"

namespace valleys::realnets {

struct AsymmetryCriterion {
  double kappa = 3.0;      // the smallest ratio of the detrended rises that counts (> 1)
  double min_rise = 0.01;  // the larger detrended rise must reach this (loss units, nats)
  // Widths are reported at these heights above L(0) (loss units, increasing, > 0).
  std::vector<double> heights = {0.05, 0.1, 0.2, 0.5, 1, 2};
  // Rises are reported at these fractions of D (in (0, 1], increasing).
  std::vector<double> distance_fractions = {0.25, 0.5, 0.75, 1.0};
  bool IsValid(std::string* why) const;
  std::string Describe() const;  // "detrended rise ratio at the largest common distance: ..."
};

struct RiseAt {
  double distance = 0;
  double rise_plus = 0, rise_minus = 0;  // L(+-distance) - L(0), not detrended
  double ratio = 0;  // rise_minus / rise_plus (> 1: the positive side is flatter)
};

struct WidthAt {
  double height = 0;
  // The first offset on each side at which L - L(0) reaches the height (linear interpolation);
  // infinity where the side never reaches it inside the profile.
  double width_plus = 0, width_minus = 0;
  double ratio = 0;  // width_plus / width_minus (> 1: the positive side is flatter); NaN if both
                     // censored
  bool censored = false;  // a side never reaches the height
};

struct AsymmetryReport {
  bool asymmetric = false;                       // under the criterion
  theory::Side flat_side = theory::Side::kNone;  // kNone unless asymmetric
  double centre_loss = 0;               // L(0) (linearly interpolated when 0 is not a grid point)
  double min_offset = 0, min_loss = 0;  // the lowest sample along the profile
  double tilt = 0;  // dL/dt at 0: the difference quotient of the nearest samples on each side
  double common_distance = 0;                                // D = min(t_max, -t_min)
  double detrended_rise_plus = 0, detrended_rise_minus = 0;  // r+ and r- of the criterion
  double detrended_ratio = 0;  // r- / r+ (> 1: the positive side is flatter)
  std::vector<RiseAt> rise_ratio_at;
  std::vector<WidthAt> width_ratio_at;
  // The same heights measured from the lowest sample (min_offset, min_loss) instead of t = 0: on
  // each side of it, the first distance at which L - min_loss reaches the height.
  std::vector<WidthAt> width_from_minimum_at;
  // Least-squares slopes of L on [0, D] and on [-D, 0] (free intercepts): |slope-| / |slope+|.
  double slope_ratio = 0;
  // (L(t_min) - L(0)) / (L(t_max) - L(0)): the rises at the two ends of the profile as measured.
  double end_rise_ratio = 0;
};

// Throws std::invalid_argument naming the problem when the profile has fewer than 5 points, t is
// not strictly increasing, a value is not finite, or 0 is not strictly inside [t_min, t_max]; and
// when the criterion is invalid.
AsymmetryReport MeasureAsymmetry(const std::vector<double>& t, const std::vector<double>& loss,
                                 const AsymmetryCriterion& criterion = {});

}  // namespace valleys::realnets
