// The offsets at which a loss profile first reaches stated heights above its centre, found by
// bracketing and bisection instead of a fixed grid. On each side the scan moves outward from
// `first_step`: each next offset is where a power law through the last two scanned points (a
// parabola through the first) reaches the lowest height not yet found, kept within 1.05x..4x of
// the last offset (and max_offset itself beyond half of it), until every height is found or |t|
// reaches `max_offset`. A height the scan
// passes has a bracket [a, b] (rise(a) < h <= rise(b)) that is narrowed by safeguarded
// interpolation (false position on log rise against log t, kept in the middle 80% of the
// bracket) until an evaluated point's rise lies within `tolerance` x h of h, or the bracket's
// relative width b / a - 1 falls below `tolerance`. No LibTorch: the loss is a callback.
//
// "First" is at the resolution of the points evaluated: a profile that crosses a height more than
// once between two evaluated points yields one of those crossings.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace valleys::realnets {

struct HeightSearchOptions {
  // Heights above the centre's loss (loss units, nats), increasing, > 0.
  std::vector<double> heights = {0.05, 0.1, 0.25, 0.5, 1, 2};
  double max_offset = 10;  // |t| at most; a side that does not reach a height is censored
  // The first offset of each side's outward scan (0 < s <= max_offset); 0: max_offset / 16.
  double first_step = 0;
  double tolerance = 0.05;   // relative, on the height and on the bracket's width
  int max_refinements = 12;  // evaluations per height inside its bracket, at most
  bool IsValid(std::string* why) const;
};

struct HeightCrossing {
  double height = 0;
  double offset = 0;  // |t| of the accepted evaluated point; max_offset when censored
  double rise = 0;    // loss(side * offset) - loss(0) there
  bool censored = false;
  // How the point was accepted: "height" (rise within tolerance), "bracket" (bracket narrower
  // than tolerance: the last point evaluated), "refinements" (max_refinements spent: the bracket's
  // upper end), "censored".
  std::string accepted_by;
};

struct HeightSearchResult {
  double centre_loss = 0;
  std::vector<HeightCrossing> positive, negative;  // one per height, in the order of heights
  std::vector<double> t, loss;                     // every evaluated point, sorted by t
  int evaluations = 0;                             // calls of the loss, the centre included
};

// `loss_at(t)` evaluates the profile at offset t. `on_accept(t, crossing)`, when given, is called
// right after the evaluation of the point a crossing accepts (no other evaluation in between, so
// a caller can measure more at the same state), before any later evaluation. Censored crossings
// are not passed to it. Throws std::invalid_argument for invalid options or a non-finite loss.
HeightSearchResult SearchHeights(
    const HeightSearchOptions& options, const std::function<double(double)>& loss_at,
    const std::function<void(double, const HeightCrossing&)>& on_accept = {});

}  // namespace valleys::realnets
