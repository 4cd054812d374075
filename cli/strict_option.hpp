// Every command-line option is registered through AddOption (or AddEnumOption, for an enum's
// names), which shows the variable's value as the option's default in --help and reads numbers
// strictly before CLI11 converts them: decimal only (no hex, octal or binary prefixes, no
// surrounding spaces), a finite floating-point value, and an integer inside its variable's type (no
// wrapping of "-1" into 2^64 - 1, no saturation of 2^64). The message names the option, the value
// and the allowed range on one line ("--seed: '-1' is out of range (allowed: integers from 0 to
// 18446744073709551615)").
#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "valleys/io/result_format.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/strict_number.hpp"

namespace valleys::cli {

namespace detail {

// A text value that starts with "--" is an option the user forgot the value before
// ("--save-direction --out DIR"), never taken as a path or a spec.
inline std::string NotAnOption(const std::string& text) {
  if (text.rfind("--", 0) != 0) return "";
  return fmt::format(
      "'{}' looks like an option, not a value (allowed: a value; a file whose "
      "name starts with '--' is written ./{})",
      text, text);
}

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
  if constexpr (std::is_same_v<Element, std::string>)
    option->check(CLI::Validator([](std::string& text) { return detail::NotAnOption(text); }, "",
                                 "not an option"));
  return option;
}

// An option whose value is one of an enum's names: StringTo... reads it, ...ToString shows the
// default, ...Names lists the allowed names in the error ("--law = 'x' (allowed: uniform01,
// gaussian, sign, filter)", exit 2).
template <class E>
struct EnumNames {
  bool (*from)(const std::string&, E*);
  const char* (*to)(E);
  std::string (*names)();
};

template <class E>
CLI::Option* AddEnumOption(CLI::App& app, const std::string& name, E& variable, EnumNames<E> names,
                           const std::string& description) {
  CLI::Option* option = app.add_option_function<std::string>(
      name,
      [&variable, names, name](const std::string& text) {
        if (!names.from(text, &variable))
          throw io::InputError(fmt::format("{} = '{}' (allowed: {})", name, text, names.names()));
      },
      description);
  option->default_str(names.to(variable));
  return option;
}

inline constexpr EnumNames<io::Format> kFormat{io::StringToFormat, io::FormatToString,
                                               io::FormatNames};

// --format table | csv | json: how the result is printed.
inline CLI::Option* AddFormatOption(CLI::App& app, io::Format& format) {
  return AddEnumOption(app, "--format", format, kFormat, "table | csv | json");
}

}  // namespace valleys::cli
