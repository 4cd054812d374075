// The optimal bias of the asymmetric quadratic valley (h+ = 1, h- = 9) under a uniform shift of
// half-width 1, through the installed theory library: 0.5 (the equal-height condition
// phi(zeta + 1) = phi(zeta - 1), solved by hand: (zeta + 1)^2 = 9 (1 - zeta)^2).
#include <cstdio>

#include "valleys/io/factories.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/bias.hpp"

int main() {
  const valleys::theory::QuadraticProfile valley({1.0, 9.0});
  const valleys::theory::SymmetricLaw shift = valleys::io::MakeShift("uniform:a=1", "shift");
  const valleys::theory::BiasSummary bias = valleys::theory::AnalyzeBias(valley, shift);
  std::printf("zeta_star %.12g\n", bias.zeta_star);
  return 0;
}
