// An option whose value is one of an enum's names (realnets/types.hpp): StringTo... reads it,
// ...ToString shows the default, ...Names lists the allowed names in the error
// ("--law = 'x' (allowed: uniform01, gaussian, sign, filter)", exit 2).
#pragma once

#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "valleys/io/result_format.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::cli {

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
