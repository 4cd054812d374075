// libFuzzer target: the spec parser and the profile/shift/noise factories (KIND:key=value,...).
// Any input must give an object or io::InputError / std::invalid_argument, never a crash.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "valleys/io/factories.hpp"
#include "valleys/io/spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (text.find("table") != std::string::npos)
    return 0;  // would read files; covered by fuzz_table_csv
  try {
    valleys::io::ParseSpec(text, "--fuzz");
  } catch (const std::invalid_argument&) {
  }
  try {
    valleys::io::MakeProfile(text);
  } catch (const std::invalid_argument&) {
  }
  try {
    valleys::io::MakeShift(text);
  } catch (const std::invalid_argument&) {
  }
  try {
    valleys::io::MakeNoise(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
