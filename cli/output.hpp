// Renders a result (an ordered JSON object) as a table, CSV or JSON, and writes it to stdout or,
// atomically, to a file.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "valleys/io/csv_field.hpp"

namespace valleys::cli {

using Json = nlohmann::ordered_json;

enum class Format { kTable, kCsv, kJson };

// Throws io::InputError for anything but table|csv|json.
Format ParseFormat(const std::string& text);

// `result` holds scalar keys, arrays of numbers, and arrays of flat objects; `meta` the metadata.
// table: aligned "key  value" lines (arrays of objects as sub-tables), metadata first as comments;
// csv: "key,value" rows (arrays as key[i] or one row per object), metadata as '#' lines;
// json: one object, the result's keys plus "meta".
std::string Render(const Json& result, const Json& meta, Format format);

using io::CsvField;

// Writes to stdout when path is empty or "-", else atomically to path. Throws std::runtime_error
// when standard output cannot take it (a full disk, a closed pipe).
void Emit(const std::string& text, const std::string& path);

// Prints "<program>: <kind>: <message>" on one line of standard error (without the C++ backtrace
// a LibTorch error carries; any other newline written as "\n") and returns `code`. Never throws:
// standard error may itself be unwritable, and the exit code must still come through.
int ReportError(const char* program, const char* kind, const char* message, int code) noexcept;

}  // namespace valleys::cli
