// libFuzzer target: table profile CSV, then the profile built from it when valid (PCHIP, flat-side
// detection) and its risk under a uniform and a Gaussian shift (piece by piece), and R'.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "valleys/io/table_csv.hpp"
#include "valleys/theory/risk.hpp"
#include "valleys/theory/table_profile.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    valleys::theory::TableOptions options = valleys::io::ParseTableCsv(text, "fuzz.csv");
    std::string why;
    if (!options.IsValid(&why) || options.x.size() > 2000) return 0;
    const valleys::theory::TableProfile profile(std::move(options));
    using valleys::theory::LawKind;
    using valleys::theory::SymmetricLaw;
    (void)valleys::theory::Risk(profile, SymmetricLaw(LawKind::kUniform, 1.0), 0.1);
    (void)valleys::theory::Risk(profile, SymmetricLaw(LawKind::kGaussian, 0.7), -0.3);
    (void)valleys::theory::RiskDerivative(profile, SymmetricLaw(LawKind::kGaussian, 0.7), 0.2);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
