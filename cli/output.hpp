// Writes a rendered result to stdout or, atomically, to a file; reports errors on one line.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "valleys/io/result_format.hpp"

namespace valleys::cli {

using Json = nlohmann::ordered_json;
using io::Format;
using io::Render;

// Writes to stdout when path is empty or "-", else atomically to path. Throws std::runtime_error
// when standard output cannot take it (a full disk, a closed pipe).
void Emit(const std::string& text, const std::string& path);

// Prints "<program>: <kind>: <message>" on one line of standard error (without the C++ backtrace
// a LibTorch error carries; any other newline written as "\n") and returns `code`. Never throws:
// standard error may itself be unwritable, and the exit code must still come through.
int ReportError(const char* program, const char* kind, const char* message, int code) noexcept;

}  // namespace valleys::cli
