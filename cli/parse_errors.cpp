#include "parse_errors.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

#include <fmt/format.h>

namespace valleys::cli {

std::size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

const CLI::App* InnermostCommand(const CLI::App& app, std::string* path) {
  const CLI::App* current = &app;
  for (;;) {
    const auto parsed = current->get_subcommands();
    if (parsed.empty()) return current;
    current = parsed.front();
    if (path) *path += " " + current->get_name();
  }
}

namespace {

// The long option of `command` nearest to `typed` ("--etaa"), or "" when none is within a third
// of its length (at least 2 edits).
std::string Nearest(const CLI::App& command, const std::string& typed) {
  const std::string name = typed.substr(
      2, typed.find('=') == std::string::npos ? std::string::npos : typed.find('=') - 2);
  const std::size_t limit = std::max<std::size_t>(2, name.size() / 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const CLI::Option* option : command.get_options())
    for (const std::string& candidate : option->get_lnames()) {
      const std::size_t d = EditDistance(name, candidate);
      if (d < best_distance) best_distance = d, best = "--" + candidate;
    }
  return best;
}

}  // namespace

std::string ExplainParseError(const CLI::App& app, const CLI::ParseError& error,
                              const std::string& program) {
  if (dynamic_cast<const CLI::ExtrasError*>(&error) == nullptr) return error.what();
  std::string path = program;
  const CLI::App* command = InnermostCommand(app, &path);
  for (const std::string& arg : app.remaining(true)) {
    if (arg.rfind("--", 0) != 0 || arg.size() < 3) continue;
    const std::string near = Nearest(*command, arg);
    return near.empty() ? fmt::format("unknown option {} (see {} --help)", arg, path)
                        : fmt::format("unknown option {} (did you mean {}?)", arg, near);
  }
  return error.what();
}

}  // namespace valleys::cli
