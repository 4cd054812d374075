// Monte Carlo estimates of the expected test risk R(zeta) = E phi(zeta + delta), independent of the
// theory's closed forms and quadrature: Philox shift draws, common random numbers across zetas.
#pragma once

#include <cstdint>
#include <vector>

#include "valleys/sim/summary.hpp"
#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::sim {

// One draw of the shift law from sample index i (stream (seed, kShiftPurpose)).
double ShiftDraw(const theory::SymmetricLaw& law, std::uint64_t seed, std::uint64_t i);

// R at each zeta, from the same `samples` shift draws (so differences have small variance).
std::vector<Stat> MonteCarloRisk(const theory::Profile& profile, const theory::SymmetricLaw& law,
                                 const std::vector<double>& zetas, long long samples,
                                 std::uint64_t seed);

// R(z1) - R(z2) with common draws: mean and standard error of the paired differences.
Stat MonteCarloRiskDifference(const theory::Profile& profile, const theory::SymmetricLaw& law,
                              double z1, double z2, long long samples, std::uint64_t seed);

}  // namespace valleys::sim
