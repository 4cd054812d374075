// Every command-line option is registered through AddOption, which reads numbers strictly before
// CLI11 converts them: decimal only (no hex, octal or binary prefixes, no surrounding spaces), a
// finite floating-point value, and an integer inside its variable's type (no wrapping of "-1" into
// 2^64 - 1, no saturation of 2^64). The message names the option, the value and the allowed range
// on one line ("--seed: '-1' is out of range (allowed: integers from 0 to 18446744073709551615)").
#pragma once

#include <charconv>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "valleys/io/spec.hpp"

namespace valleys::cli {

namespace detail {

template <class T>
struct ElementOf {
  using type = T;
};
template <class T>
struct ElementOf<std::vector<T>> {
  using type = T;
};

// Reads `text` as a T into *value, or returns why it is not one.
template <class T>
std::string ReadNumber(const std::string& text, T* value) {
  if constexpr (std::is_floating_point_v<T>) {
    try {
      *value = static_cast<T>(io::ParseNumber(text, "value"));
    } catch (const io::InputError&) {
      return fmt::format("'{}' is not a finite decimal number", text);
    }
    return "";
  } else {
    const std::string range = fmt::format("integers from {} to {}", std::numeric_limits<T>::min(),
                                          std::numeric_limits<T>::max());
    const bool digits = !text.empty() && text != "-" &&
                        text.find_first_not_of("-0123456789") == std::string::npos &&
                        text.find('-', 1) == std::string::npos;
    if (!digits) return fmt::format("'{}' is not a decimal integer (allowed: {})", text, range);
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
    if (error != std::errc() || end != text.data() + text.size())
      return fmt::format("'{}' is out of range (allowed: {})", text, range);
    return "";
  }
}

// Rewrites `text` to the canonical decimal form of a T (what CLI11 then converts), or returns why
// it is not one.
template <class T>
std::string CanonicalNumber(std::string& text) {
  T value{};
  std::string why = ReadNumber(text, &value);
  if (why.empty()) text = fmt::format("{}", value);
  return why;
}

}  // namespace detail

// The same strict reading for values that do not come from an option (sweep grid values): throws
// io::InputError "<what>: <why>".
template <class T>
T ParseStrict(const std::string& text, const std::string& what) {
  T value{};
  const std::string why = detail::ReadNumber(text, &value);
  if (!why.empty()) throw io::InputError(fmt::format("{}: {}", what, why));
  return value;
}

// A comma-separated list of numbers ("0.05,0.1,2"), each read strictly; throws io::InputError
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

template <class T>
CLI::Option* AddOption(CLI::App& app, const std::string& name, T& variable,
                       const std::string& description = "") {
  CLI::Option* option = app.add_option(name, variable, description);
  using Element = typename detail::ElementOf<T>::type;
  if constexpr (std::is_arithmetic_v<Element> && !std::is_same_v<Element, bool>)
    option->transform(
        CLI::Validator([](std::string& text) { return detail::CanonicalNumber<Element>(text); }, "",
                       "strict number"));
  return option;
}

}  // namespace valleys::cli
