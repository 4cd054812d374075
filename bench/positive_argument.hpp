// A benchmark's positional argument that must be a whole number >= 1.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace valleys::bench {

// The value of `text`; throws std::invalid_argument naming `name`, the text and the allowed range
// when it is not a whole number >= 1.
inline int PositiveArgument(const char* name, const std::string& text) {
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value < 1)
    throw std::invalid_argument(std::string(name) + " = '" + text +
                                "' (allowed: a whole number >= 1)");
  return value;
}

}  // namespace valleys::bench
