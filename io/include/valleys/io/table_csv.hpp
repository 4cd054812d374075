// Reads a sampled profile (x, loss) from CSV for `table:file=PATH`.
#pragma once

#include <string>

#include "valleys/theory/table_profile.hpp"

namespace valleys::io {

// Format: comma-separated, '#' starts a comment line, an optional header row naming the columns.
// x_column / loss_column select columns by header name; empty means "x"/"loss" when a header has
// them, else the first and second columns. Throws InputError naming the file and line on any
// problem (unreadable file, malformed or non-finite number, missing column).
theory::TableOptions ReadTableCsv(const std::string& path, const std::string& x_column = "",
                                  const std::string& loss_column = "");

// Same, from text already in memory (`source` names it in messages); used by the fuzz target.
theory::TableOptions ParseTableCsv(const std::string& text, const std::string& source,
                                   const std::string& x_column = "",
                                   const std::string& loss_column = "");

// A table named as FILE[,x=COL][,loss=COL]: the trailing x= and loss= parts name the columns
// (empty when absent); the rest, commas included, is the path.
struct TableRef {
  std::string path, x_column, loss_column;
};
TableRef ParseTableRef(const std::string& text);

}  // namespace valleys::io
