// The common parts of every figure script (internal).
#pragma once

#include <string>

namespace valleys::plots::detail {

// Variables `data` and `out`, CSV separator, grid, the six line styles.
// A gnuplot double-quoted string literal for `text`: quotes and backslashes escaped, control
// characters as octal escapes, so no path can end the string or start a command.
std::string GnuplotString(const std::string& text);
std::string Header(const std::string& out, const std::string& data);
// Runs `body` once for PNG (size_png, e.g. "1400,900") and once for PDF (size_pdf, "7in,4.5in").
std::string BothTerminals(const std::string& body, const char* size_png, const char* size_pdf);

}  // namespace valleys::plots::detail
