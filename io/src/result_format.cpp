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
  for (auto it = meta.begin(); it != meta.end(); ++it)
    out += fmt::format("# {}={}\n", it.key(), Scalar(it.value(), true));
  out += "key,value\n";
  for (auto it = result.begin(); it != result.end(); ++it) {
    const Json& v = it.value();
    if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i].is_object()) {
          for (auto f = v[i].begin(); f != v[i].end(); ++f)
            out += fmt::format("{}[{}].{},{}\n", it.key(), i, f.key(),
                               CsvField(Scalar(f.value(), true)));
        } else {
          out += fmt::format("{}[{}],{}\n", it.key(), i, CsvField(Scalar(v[i], true)));
        }
      }
    } else {
      out += fmt::format("{},{}\n", it.key(), CsvField(Scalar(v, true)));
    }
  }
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
