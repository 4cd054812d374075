#include "valleys/sim/risk_mc.hpp"

#include <cmath>

#include "valleys/sim/random.hpp"

namespace valleys::sim {

double ShiftDraw(const theory::SymmetricLaw& law, std::uint64_t seed, std::uint64_t i) {
  const Philox4 r = PhiloxDraw(seed, i, 0, kShiftPurpose);
  switch (law.kind()) {
    case theory::LawKind::kUniform:
      return law.scale() * (2 * UniformDouble(r.v[0], r.v[1]) - 1);
    case theory::LawKind::kRademacher:
      return (r.v[0] >> 31) ? law.scale() : -law.scale();
    case theory::LawKind::kGaussian: {
      // Box-Muller in double precision from 53-bit uniforms.
      const double u1 =
          (UniformDouble(r.v[0], r.v[1]) * 9007199254740991.0 + 1.0) / 9007199254740992.0;
      const double u2 = UniformDouble(r.v[2], r.v[3]);
      return law.scale() * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    }
  }
  return 0.0;
}

std::vector<Stat> MonteCarloRisk(const theory::Profile& profile, const theory::SymmetricLaw& law,
                                 const std::vector<double>& zetas, long long samples,
                                 std::uint64_t seed) {
  std::vector<Stat> out;
  for (double z : zetas) {
    std::vector<double> v(static_cast<std::size_t>(samples));
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < samples; ++i)
      v[static_cast<std::size_t>(i)] =
          profile.Value(z + ShiftDraw(law, seed, static_cast<std::uint64_t>(i)));
    out.push_back(MeanAndError(v));
  }
  return out;
}

Stat MonteCarloRiskDifference(const theory::Profile& profile, const theory::SymmetricLaw& law,
                              double z1, double z2, long long samples, std::uint64_t seed) {
  std::vector<double> v(static_cast<std::size_t>(samples));
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < samples; ++i) {
    const double d = ShiftDraw(law, seed, static_cast<std::uint64_t>(i));
    v[static_cast<std::size_t>(i)] = profile.Value(z1 + d) - profile.Value(z2 + d);
  }
  return MeanAndError(v);
}

}  // namespace valleys::sim
