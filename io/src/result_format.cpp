#include "valleys/io/result_format.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "valleys/io/csv_field.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::io {

using Json = nlohmann::ordered_json;

namespace {
constexpr const char* kFormatNames[] = {"table", "csv", "json"};
}  // namespace

bool StringToFormat(const std::string& text, Format* format) {
  for (int i = 0; i < 3; ++i)
    if (text == kFormatNames[i]) {
      *format = static_cast<Format>(i);
      return true;
    }
  return false;
}

const char* FormatToString(Format format) {
  return kFormatNames[static_cast<int>(format)];
}

std::string FormatNames() {
  return "table, csv, json";
}

namespace {

std::string Scalar(const Json& v, bool precise) {
  if (v.is_number_float())
    return precise ? fmt::format("{}", v.get<double>()) : fmt::format("{:.6g}", v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

bool IsObjectArray(const Json& v) {
  return v.is_array() && !v.empty() && v.front().is_object();
}

// Every scalar of `v` with its path: objects by `.name`, arrays by `[index]`
// (R_at_bias[0].bias, theory.mean_avg), so that no cell holds JSON.
void Flatten(const Json& v, const std::string& path,
             std::vector<std::pair<std::string, std::string>>* out) {
  if (v.is_object() && !v.empty()) {
    for (auto f = v.begin(); f != v.end(); ++f)
      Flatten(f.value(), path.empty() ? f.key() : path + "." + f.key(), out);
    return;
  }
  if (v.is_array() && !v.empty()) {
    for (std::size_t i = 0; i < v.size(); ++i) Flatten(v[i], fmt::format("{}[{}]", path, i), out);
    return;
  }
  out->emplace_back(path, Scalar(v, true));
}

// One `prefix path<separator>value` line per scalar; `comment`: line breaks inside a value are
// written as \n, so that each stays on its `#` line.
void FlattenRows(const Json& v, const std::string& path, const char* separator, bool comment,
                 std::string* out, const std::string& prefix = "") {
  std::vector<std::pair<std::string, std::string>> cells;
  Flatten(v, path, &cells);
  for (auto& [key, value] : cells) {
    if (comment)
      for (std::size_t at = value.find('\n'); at != std::string::npos;
           at = value.find('\n', at + 2))
        value.replace(at, 1, "\\n");
    *out += prefix + key + separator + value + "\n";
  }
}

// Names in one column as wide as the longest flattened name (nested objects as a.b), values
// after two spaces; an array of objects as a sub-table whose columns are as wide as their longest
// cell, so that no two cells run together.
std::string RenderTable(const Json& result, const Json& meta) {
  std::string out;
  for (auto it = meta.begin(); it != meta.end(); ++it)
    out += fmt::format("# {}: {}\n", it.key(), Scalar(it.value(), true));
  std::size_t width = 0;
  for (auto it = result.begin(); it != result.end(); ++it) {
    if (IsObjectArray(it.value())) continue;
    std::vector<std::pair<std::string, std::string>> cells;
    if (it.value().is_object())
      Flatten(it.value(), it.key(), &cells);
    else
      cells.emplace_back(it.key(), "");
    for (const auto& cell : cells) width = std::max(width, cell.first.size());
  }
  for (auto it = result.begin(); it != result.end(); ++it) {
    const Json& v = it.value();
    if (IsObjectArray(v)) {
      out += fmt::format("{}:\n", it.key());
      std::vector<std::string> keys;
      for (auto f = v.front().begin(); f != v.front().end(); ++f) keys.push_back(f.key());
      std::vector<std::size_t> widths;
      for (const std::string& key : keys) {
        std::size_t w = key.size();
        for (const auto& row : v)
          if (row.contains(key)) w = std::max(w, Scalar(row[key], false).size());
        widths.push_back(w);
      }
      std::string header = " ";
      for (std::size_t k = 0; k < keys.size(); ++k)
        header += fmt::format(" {:>{}}", keys[k], widths[k]);
      out += header + "\n";
      for (const auto& row : v) {
        std::string line = " ";
        for (std::size_t k = 0; k < keys.size(); ++k)
          line += fmt::format(" {:>{}}", row.contains(keys[k]) ? Scalar(row[keys[k]], false) : "",
                              widths[k]);
        out += line + "\n";
      }
    } else if (v.is_object()) {
      std::vector<std::pair<std::string, std::string>> cells;
      Flatten(v, it.key(), &cells);
      for (const auto& [key, value] : cells) out += fmt::format("{:<{}}  {}\n", key, width, value);
    } else if (v.is_array()) {
      std::string items;
      for (const auto& x : v) items += (items.empty() ? "" : " ") + Scalar(x, false);
      out += fmt::format("{:<{}}  {}\n", it.key(), width, items);
    } else {
      out += fmt::format("{:<{}}  {}\n", it.key(), width, Scalar(v, false));
    }
  }
  return out;
}

// Tidy: one header row of the flattened keys and one row of their values.
std::string RenderCsv(const Json& result, const Json& meta) {
  std::string out;
  FlattenRows(meta, "", "=", true, &out, "# ");
  std::vector<std::pair<std::string, std::string>> cells;
  Flatten(result, "", &cells);
  std::string header, row;
  for (const auto& [key, value] : cells) {
    header += (header.empty() ? "" : ",") + CsvField(key);
    row += (row.empty() ? "" : ",") + CsvField(value);
  }
  return out + header + "\n" + row + "\n";
}

}  // namespace

std::string Render(const Json& result, const Json& meta, Format format) {
  switch (format) {
    case Format::kTable:
      return RenderTable(result, meta);
    case Format::kCsv:
      return RenderCsv(result, meta);
    case Format::kJson: {
      Json all = result;
      all["meta"] = meta;
      return all.dump(2) + "\n";
    }
  }
  return {};
}

}  // namespace valleys::io
