// A command's result (an ordered JSON object) rendered as an aligned table, CSV or JSON, with its
// metadata.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace valleys::io {

enum class Format { kTable, kCsv, kJson };

// table | csv | json: false (and `format` unchanged) for any other text.
bool StringToFormat(const std::string& text, Format* format);
const char* FormatToString(Format format);
std::string FormatNames();  // "table, csv, json"

// `result` holds scalar keys, arrays of numbers, and arrays of flat objects; `meta` the metadata.
// table: aligned "key  value" lines (arrays of objects as sub-tables), metadata first as comments;
// csv: tidy, one header row and one row of values, a column per scalar (objects flattened by
// `.name`, arrays by `[index]`: R_at_bias[1].R), metadata as '#' lines;
// json: one object, the result's keys plus "meta".
std::string Render(const nlohmann::ordered_json& result, const nlohmann::ordered_json& meta,
                   Format format);

}  // namespace valleys::io
