// Strict reading of numbers given as text (option values, sweep grid values, number lists):
// decimal only (no hex, octal or binary prefixes, no surrounding spaces), a finite floating-point
// value, and an integer inside its type (no wrapping of "-1" into 2^64 - 1, no saturation of 2^64).
#pragma once

#include <charconv>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "valleys/io/spec.hpp"

namespace valleys::io {

// Reads `text` as a T into *value; returns "" or why it is not one ("'-1' is out of range
// (allowed: integers from 0 to 18446744073709551615)").
template <class T>
std::string ReadNumber(const std::string& text, T* value) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      *value = static_cast<T>(ParseNumber(text, "value"));
    } catch (const InputError&) {
      return "'" + text + "' is not a finite decimal number";
    }
    return "";
  } else {
    const std::string range = "integers from " + std::to_string(std::numeric_limits<T>::min()) +
                              " to " + std::to_string(std::numeric_limits<T>::max());
    const bool digits = !text.empty() && text != "-" &&
                        text.find_first_not_of("-0123456789") == std::string::npos &&
                        text.find('-', 1) == std::string::npos;
    if (!digits) return "'" + text + "' is not a decimal integer (allowed: " + range + ")";
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
    if (error != std::errc() || end != text.data() + text.size())
      return "'" + text + "' is out of range (allowed: " + range + ")";
    return "";
  }
}

// Throws InputError "<what>: <why>".
template <class T>
T ParseStrict(const std::string& text, const std::string& what) {
  T value{};
  const std::string why = ReadNumber(text, &value);
  if (!why.empty()) throw InputError(what + ": " + why);
  return value;
}

// A comma-separated list of numbers ("0.05,0.1,2"), each read strictly; throws InputError
// "<what>: <why>" naming the first bad item.
inline std::vector<double> ParseNumberList(const std::string& text, const std::string& what) {
  std::vector<double> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    values.push_back(ParseStrict<double>(item, what));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return values;
}

}  // namespace valleys::io
