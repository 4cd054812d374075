// Expected test risk of a biased solution under a random shift: R(zeta) = E phi(zeta + delta).
#pragma once

#include <optional>
#include <string>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::theory {

enum class RiskMethod { kClosedForm, kQuadrature, kExactSum, kPiecewise };
// "closed-form" | "quadrature" | "exact-sum" | "piecewise"
const char* RiskMethodName(RiskMethod method);

struct RiskOptions {
  bool use_closed_forms =
      true;  // false: integrate R and find zeta* by Brent (checks the closed forms)
  double relative_tolerance = 1e-11;  // adaptive Gauss-Kronrod target
  int max_depth = 15;                 // bisection depth of the adaptive rule
  bool IsValid(std::string* why) const;
};

struct RiskValue {
  double value = 0.0;
  double error_estimate = 0.0;  // absolute; 0 for closed forms and exact sums
  RiskMethod method = RiskMethod::kClosedForm;
  bool converged = true;  // false: quadrature missed its tolerance (value still returned)
};

// Closed forms (D2-D5, LINEX, Rademacher). Empty when the pair (profile, law) has none.
std::optional<double> RiskClosedForm(const Profile& profile, const SymmetricLaw& shift,
                                     double zeta);

// The risk of a table profile (TableProfile), summed piece by piece: uniform shifts from the
// interpolant's antiderivative (exact, O(log n) per zeta), Gaussian shifts by a quintic Hermite
// rule on steps of at most 0.005 sigma (error below 1e-17 of each step, O(pieces within 13 sigma +
// 5200)), two-point shifts as the exact sum. Empty for other profiles.
std::optional<RiskValue> TableRisk(const Profile& profile, const SymmetricLaw& shift, double zeta);

// Adaptive Gauss-Kronrod quadrature of E phi(zeta + delta), split at the profile's kinks.
// Works for every profile and law (Rademacher is an exact two-point sum).
RiskValue RiskByQuadrature(const Profile& profile, const SymmetricLaw& shift, double zeta,
                           const RiskOptions& options = {});

// dR/dzeta = E phi'(zeta + delta), by quadrature (exact sum for Rademacher).
double RiskDerivative(const Profile& profile, const SymmetricLaw& shift, double zeta,
                      const RiskOptions& options = {});

// The closed form where one exists (options.use_closed_forms; tables: TableRisk), else quadrature.
RiskValue Risk(const Profile& profile, const SymmetricLaw& shift, double zeta,
               const RiskOptions& options = {});

}  // namespace valleys::theory
