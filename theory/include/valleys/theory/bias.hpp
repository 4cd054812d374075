// Optimal bias and the improving window of R(zeta) = E phi(zeta + delta) (Theorem 1, D1-D7).
#pragma once

#include <optional>
#include <string>

#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/risk.hpp"

namespace valleys::theory {

struct BiasSummary {
  double r0 = 0.0;         // R(0)
  double zeta_star = 0.0;  // argmin R (0 exactly when the valley is symmetric for this law)
  double r_star = 0.0;     // R(zeta*)
  // The improving window {zeta : R(zeta) < R(0)} as an interval (lo, hi); lo = hi = 0 when empty.
  // For convex phi it is the interval between 0 and the second root of R(zeta) = R(0).
  double window_lo = 0.0;
  double window_hi = 0.0;
  // False when R stays below R(0) as far as it was evaluated (up to 1e150 from 0): then the
  // window's far edge is a lower bound on its extent, not an edge.
  bool window_closed = true;
  RiskMethod method = RiskMethod::kClosedForm;  // how R was evaluated
  bool zeta_star_closed_form = false;           // zeta* from a formula (D2-D5, LINEX) or Brent
  // Every quadrature met its tolerance and every value of R was finite.
  bool converged = true;
  // D1 (uniform shift only): phi(zeta* + a) - phi(zeta* - a); 0 at the optimum.
  std::optional<double> equal_height_residual;
};

// zeta* by the closed form where one exists, else Brent's method on R over a bracket found by a
// grid scan of +-(4 x the shift's effective half-width).
BiasSummary AnalyzeBias(const Profile& profile, const SymmetricLaw& shift,
                        const RiskOptions& options = {});

// D6: R'(0) = integral_0^inf g(x) [phi'(x) + phi'(-x)] dx, and the pointwise slope condition.
struct SlopeTest {
  double r_prime_at_0 = 0.0;  // < 0: a small bias toward + helps; > 0: toward -
  bool flat_slope_dominated =
      false;  // |phi'(x)| <= |phi'(-x)| (+ flat) at every sampled x in the support
  Side predicted_side = Side::kNone;  // the side a small bias should go to
};
SlopeTest SlopeConditionTest(const Profile& profile, const SymmetricLaw& shift,
                             const RiskOptions& options = {});

// D7: for an (r,p,c,l) valley and uniform shift U[-a, a] with l < a <= r, every
// 0 < zeta < GuaranteedRange::zeta_max has R(zeta) < R(0), by the bound
//   R(zeta) - R(0) <= (p zeta / 2a) [(a + zeta) - c (a - l - zeta)].
struct GuaranteedRange {
  bool applicable = false;  // l < a <= r
  bool nonempty = false;    // a > c l / (c - 1)
  double zeta_max = 0.0;    // min(a - l, r - a, (c (a - l) - a) / (c + 1)); 0 when empty
  std::string reason;       // why not applicable / empty
};
GuaranteedRange RpclGuaranteedRange(const RpclOptions& valley, double a);
double RpclRiskBound(const RpclOptions& valley, double a,
                     double zeta);  // the D7 upper bound on R(zeta)-R(0)

}  // namespace valleys::theory
