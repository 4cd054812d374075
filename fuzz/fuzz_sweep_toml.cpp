// libFuzzer target: TOML sweep files ([base], [grid]).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "valleys/io/sweep_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    valleys::io::ParseSweepToml(text, "fuzz.toml");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
