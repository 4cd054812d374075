#include "valleys/io/result_format.hpp"

#include <algorithm>

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

// How a flattened value is written: a CSV field, as is (tables), or on one `#` line (line
// breaks as \n).
enum class Cell { kCsv, kPlain, kComment };

// One `path<separator>value` line per scalar: objects by `.name`, arrays by `[index]`
// (R_at_bias[0].bias, theory.mean_avg), so that no cell holds JSON. `prefix` starts every line.
void FlattenRows(const Json& v, const std::string& path, const char* separator, Cell cell,
                 std::string* out, const std::string& prefix = "") {
  if (v.is_object() && !v.empty()) {
    for (auto f = v.begin(); f != v.end(); ++f)
      FlattenRows(f.value(), path.empty() ? f.key() : path + "." + f.key(), separator, cell, out,
                  prefix);
    return;
  }
  if (v.is_array() && !v.empty()) {
    for (std::size_t i = 0; i < v.size(); ++i)
      FlattenRows(v[i], fmt::format("{}[{}]", path, i), separator, cell, out, prefix);
    return;
  }
  std::string value = Scalar(v, true);
  if (cell == Cell::kCsv) value = CsvField(value);
  if (cell == Cell::kComment)
    for (std::size_t at = value.find('\n'); at != std::string::npos; at = value.find('\n', at + 2))
      value.replace(at, 1, "\\n");
  *out += prefix + path + separator + value + "\n";
}

std::string RenderTable(const Json& result, const Json& meta) {
  std::string out;
  for (auto it = meta.begin(); it != meta.end(); ++it)
    out += fmt::format("# {}: {}\n", it.key(), Scalar(it.value(), true));
  std::size_t width = 0;
  for (auto it = result.begin(); it != result.end(); ++it) width = std::max(width, it.key().size());
  for (auto it = result.begin(); it != result.end(); ++it) {
    const Json& v = it.value();
    if (IsObjectArray(v)) {
      out += fmt::format("{}:\n", it.key());
      std::string header = "  ";
      for (auto f = v.front().begin(); f != v.front().end(); ++f)
        header += fmt::format("{:>14}", f.key());
      out += header + "\n";
      for (const auto& row : v) {
        std::string line = "  ";
        for (auto f = row.begin(); f != row.end(); ++f)
          line += fmt::format("{:>14}", Scalar(f.value(), false));
        out += line + "\n";
      }
    } else if (v.is_object()) {
      std::string rows;
      FlattenRows(v, it.key(), "  ", Cell::kPlain, &rows);
      out += rows;
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

std::string RenderCsv(const Json& result, const Json& meta) {
  std::string out;
  FlattenRows(meta, "", "=", Cell::kComment, &out, "# ");
  out += "key,value\n";
  FlattenRows(result, "", ",", Cell::kCsv, &out);
  return out;
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
