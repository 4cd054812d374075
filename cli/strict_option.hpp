// Every command-line option is registered through AddOption, which shows the variable's value as
// the option's default in --help and reads numbers strictly before
// CLI11 converts them: decimal only (no hex, octal or binary prefixes, no surrounding spaces), a
// finite floating-point value, and an integer inside its variable's type (no wrapping of "-1" into
// 2^64 - 1, no saturation of 2^64). The message names the option, the value and the allowed range
// on one line ("--seed: '-1' is out of range (allowed: integers from 0 to 18446744073709551615)").
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "enum_option.hpp"  // AddEnumOption and AddFormatOption, beside AddOption
#include "valleys/io/strict_number.hpp"

namespace valleys::cli {

namespace detail {

template <class T>
struct ElementOf {
  using type = T;
  static constexpr bool kList = false;
};
template <class T>
struct ElementOf<std::vector<T>> {
  using type = T;
  static constexpr bool kList = true;
};

// Rewrites `text` to the canonical decimal form of a T (what CLI11 then converts), or returns why
// it is not one.
template <class T>
std::string CanonicalNumber(std::string& text) {
  T value{};
  std::string why = io::ReadNumber(text, &value);
  if (why.empty()) text = fmt::format("{}", value);
  return why;
}

}  // namespace detail

using io::ParseNumberList;
using io::ParseStrict;

template <class T>
CLI::Option* AddOption(CLI::App& app, const std::string& name, T& variable,
                       const std::string& description = "") {
  CLI::Option* option = app.add_option(name, variable, description);
  // The variable's value now is the default --help shows (an empty list shows none).
  if constexpr (detail::ElementOf<T>::kList) {
    if (!variable.empty()) option->capture_default_str();
  } else {
    option->capture_default_str();
  }
  using Element = typename detail::ElementOf<T>::type;
  if constexpr (std::is_arithmetic_v<Element> && !std::is_same_v<Element, bool>)
    option->transform(
        CLI::Validator([](std::string& text) { return detail::CanonicalNumber<Element>(text); }, "",
                       "strict number"));
  return option;
}

}  // namespace valleys::cli
