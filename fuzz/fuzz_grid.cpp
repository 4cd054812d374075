// libFuzzer target: grid axes (NAME=lo:hi:count[:lin|log] or lists) and shard specs.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "valleys/io/grid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const valleys::io::GridAxis axis = valleys::io::ParseGridAxis(text);
    const long long n = valleys::io::GridSize({axis, axis}, 1000000);
    if (n > 0) valleys::io::GridPoint({axis, axis}, n - 1);
  } catch (const std::invalid_argument&) {
  }
  try {
    valleys::io::ParseShard(text);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
