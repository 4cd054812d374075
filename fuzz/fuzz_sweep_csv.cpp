// libFuzzer target: the reader of (possibly partial, killed-mid-write) sweep CSVs used by --resume
// and merge.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "valleys/io/sweep_csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    valleys::io::ParseSweepCsv(text, "fuzz.csv");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
