// The asymmetry of a valley measured from its minimum: the loss profile L(t) along a direction is
// read through a monotone (shape-preserving, PCHIP) interpolant of its samples; the valley's
// reference point is where the midpoints of its sublevel sets {t : L(t) <= L_min + h} (heights
// H/25 to H) extrapolate to at h = 0 along sqrt(h): the centre of a valley symmetric about a
// point (flat-bottomed or not), the minimum of a piecewise parabola. So any symmetric valley, of
// any shape and anywhere inside the probed range, has equal widths on both sides at every height
// (up to the interpolation of its samples); the widths w+(h) and w-(h) from that
// point at matched heights give the width ratio curve, and the ratio at the largest height that
// both sides reach is the primary statistic. The rises at equal distances from the reference
// point are reported beside it. No LibTorch here.
//
// The threshold kappa is calibrated on symmetric non-quadratic valleys (quartic, pseudo-Huber,
// log-cosh, flat-bottomed, parabola) shifted inside the range and sampled on the experiment's
// grid, and on the paper's two published profiles (tests/realnets/test_valley_measure.cpp; the
// rates are in docs/realnets.md).
#pragma once

#include <string>
#include <vector>

#include "valleys/theory/profile.hpp"

namespace valleys::realnets {

struct ValleyCriterion {
  // Asymmetric when the width ratio at the comparison height, or its inverse, is at least kappa.
  double kappa = 1.6;
  // Heights above L_min at which widths are measured (loss units, increasing, > 0); the
  // comparison height H is the largest of them that both sides reach inside the profile.
  std::vector<double> heights = {0.02, 0.05, 0.1, 0.2, 0.5, 1, 2};
  // Rises are reported at these fractions of the largest distance both sides of the reference
  // point reach (in (0, 1], increasing).
  std::vector<double> distance_fractions = {0.25, 0.5, 0.75, 1.0};
  // Distances are also reported divided by this (e.g. the norm of the weights; 1: not scaled).
  double distance_unit = 1.0;
  bool IsValid(std::string* why) const;
  std::string Describe() const;
};

struct ValleyWidth {
  double height = 0;
  // Distances from the reference point to where L - L_min first reaches the height on each side;
  // infinity where the side never reaches it inside the profile (censored).
  double width_plus = 0, width_minus = 0;
  double ratio = 0;  // width_plus / width_minus (> 1: the positive side is flatter); NaN if both
                     // are censored
  bool censored = false;
};

struct ValleyRise {
  double distance = 0;                   // from the reference point
  double rise_plus = 0, rise_minus = 0;  // L(c +- distance) - L(c)
  double ratio = 0;                      // rise_minus / rise_plus (> 1: + is flatter)
};

struct ValleyMeasure {
  // Both sides reach at least the smallest height: the profile brackets a valley.
  bool bracketed = false;
  bool asymmetric = false;                       // under the criterion
  theory::Side flat_side = theory::Side::kNone;  // kNone unless asymmetric
  double min_offset = 0, min_loss = 0;           // the interpolant's minimum
  double reference = 0;                          // c, the reference point
  double reference_height = 0;                   // H / 25: the lowest midpoint height used
  double comparison_height = 0;                  // H (0 when not bracketed)
  double width_ratio = 0;  // w+(H) / w-(H), the primary statistic (NaN when not bracketed)
  double log10_ratio = 0;  // log10 of it
  double width_plus = 0, width_minus = 0;  // at H
  double distance_unit = 1;  // as in the criterion: relative widths are width / distance_unit
  std::vector<ValleyWidth> widths;  // at every height of the criterion
  std::vector<ValleyRise> rises;    // at the criterion's distance fractions
};

// Throws std::invalid_argument naming the problem when the profile has fewer than 5 points, t is
// not strictly increasing, a value is not finite, or the criterion is invalid.
ValleyMeasure MeasureValley(const std::vector<double>& t, const std::vector<double>& loss,
                            const ValleyCriterion& criterion = {});
// The checks of the samples alone (MeasureValley's and MeasureAsymmetry's): throws as above.
void CheckProfileSamples(const std::vector<double>& t, const std::vector<double>& loss);

}  // namespace valleys::realnets
