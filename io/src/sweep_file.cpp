#include "valleys/io/sweep_file.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::io {

namespace {

std::string ScalarText(const toml::node& node, const std::string& where) {
  if (auto s = node.value<std::string>(); s && node.is_string()) return *s;
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) return fmt::format("{}", *node.value<double>());
  if (node.is_boolean()) return *node.value<bool>() ? "true" : "false";
  throw InputError(fmt::format("{}: expected a string, number or boolean", where));
}

std::string Where(const std::string& source, const toml::node& node, const std::string& key) {
  return fmt::format("{}:{}: {}", source, node.source().begin.line, key);
}

// A table's entries in file order (toml++ iterates them sorted by key; the first axis given must
// stay the slowest, as on the command line).
std::vector<std::pair<std::string, const toml::node*>> InFileOrder(const toml::table& table) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [key, node] : table) entries.emplace_back(std::string(key.str()), &node);
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& p = a.second->source().begin;
    const auto& q = b.second->source().begin;
    return p.line != q.line ? p.line < q.line : p.column < q.column;
  });
  return entries;
}

}  // namespace

SweepFile ParseSweepToml(const std::string& text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw InputError(fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
  SweepFile out;
  for (const auto& [key, node] : root) {
    const std::string k(key.str());
    if (k != "base" && k != "grid")
      throw InputError(fmt::format("{}: unknown table [{}] (allowed: [base], [grid])", source, k));
    if (!node.is_table()) throw InputError(fmt::format("{}: '{}' must be a table", source, k));
  }
  if (const toml::table* base = root["base"].as_table()) {
    for (const auto& [k, entry] : InFileOrder(*base)) {
      const toml::node& node = *entry;
      if (node.is_array()) {  // several profiles (one per direction)
        for (const auto& item : *node.as_array())
          out.base.emplace_back(k, ScalarText(item, Where(source, item, k)));
      } else {
        out.base.emplace_back(k, ScalarText(node, Where(source, node, k)));
      }
    }
  }
  if (const toml::table* grid = root["grid"].as_table()) {
    for (const auto& [k, entry] : InFileOrder(*grid)) {
      const toml::node& node = *entry;
      if (const toml::array* values = node.as_array()) {
        GridAxis axis{k, {}};
        for (const auto& item : *values)
          axis.values.push_back(ScalarText(item, Where(source, item, k)));
        if (axis.values.empty())
          throw InputError(
              fmt::format("{}: grid axis {} has no values", Where(source, node, k), k));
        out.grid.push_back(axis);
      } else {
        out.grid.push_back(MakeGridAxis(k, ScalarText(node, Where(source, node, k))));
      }
    }
  }
  return out;
}

SweepFile ReadSweepToml(const std::string& path) {
  return ParseSweepToml(ReadFile(path), path);
}

}  // namespace valleys::io
