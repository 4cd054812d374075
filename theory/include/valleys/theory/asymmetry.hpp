// Asymmetry scores of a sampled profile (points x, loss), as measured along real-network
// directions. The centre is the sample at x = 0 (the probed solution), not the sample minimum.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/profile.hpp"

namespace valleys::theory {

struct AsymmetryOptions {
  double delta = 0.5;  // height above loss(0) at which the widths are measured (> 0, loss units)
  double kappa = 2.0;  // asymmetric when max(w+/w-, w-/w+) >= kappa (> 1)
  bool IsValid(std::string* why) const;
};

struct AsymmetryScore {
  double centre_loss = 0.0;
  // Distances from 0 at which the loss first reaches centre + delta on each side (linear
  // interpolation between samples); +inf when the side never reaches it inside the sampled range.
  double width_pos = 0.0, width_neg = 0.0;
  double width_ratio = 1.0;  // max(w+/w-, w-/w+), +inf when exactly one side is censored
  Side flat_side = Side::kNone;
  bool asymmetric = false;  // width_ratio >= kappa
  // Value form fit: loss(x) - loss(0) ~ p |x| on the flat side and c p |x| on the sharp side,
  // least squares through the origin on each side.
  double fitted_p = 0.0, fitted_c = 1.0;
};

// Throws std::invalid_argument when x is not strictly increasing, has no sample at 0, or any
// value is non-finite.
AsymmetryScore ScoreAsymmetry(const std::vector<double>& x, const std::vector<double>& loss,
                              const AsymmetryOptions& options = {});

// Does the sampled profile satisfy the value form of the (r, p, c, l) definition with the flat
// side on +? Checks loss(x) - loss(0) <= p x on (0, r) and loss(-x) - loss(0) >= c p (x - l)
// on (l, r) at every sample; worst_violation > 0 is the largest breach (loss units).
struct RpclCheck {
  bool holds = false;
  double worst_violation = 0.0;
  int samples_checked = 0;
};
RpclCheck CheckRpcl(const std::vector<double>& x, const std::vector<double>& loss,
                    const RpclOptions& valley);

}  // namespace valleys::theory
