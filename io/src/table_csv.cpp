#include "valleys/io/table_csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/csv_field.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::io {

namespace {
// A number of the table; the message names the table, the line and the column.
double TableNumber(const std::string& field, const char* column, const std::string& source,
                   int line_no) {
  try {
    return ParseNumber(field, column);
  } catch (const InputError& e) {
    throw InputError(fmt::format("table {}: line {}: {}", source, line_no, e.what()));
  }
}

}  // namespace

theory::TableOptions ParseTableCsv(const std::string& text, const std::string& source,
                                   const std::string& x_column, const std::string& loss_column) {
  theory::TableOptions out;
  out.source = source;
  std::size_t xi = 0, li = 1;
  bool header_seen = false;
  std::size_t pos = 0;
  int next_line = 1;  // the line the next record starts on
  std::vector<std::string> fields;
  while (pos < text.size()) {
    const int line_no = next_line;
    // Blank lines and lines that start with '#' (after blanks) are skipped whole.
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    const std::size_t first = text.find_first_not_of(" \t\r", pos);
    if (first >= end || text[first] == '#') {
      pos = end + 1;
      ++next_line;
      continue;
    }
    std::string why;
    int lines = 0;
    if (!ReadCsvRecord(text, &pos, &fields, &why, &lines))
      throw InputError(fmt::format("table {}: line {}: {}", source, line_no, why));
    next_line += lines;
    if (!header_seen && out.x.empty()) {
      header_seen = true;
      bool numeric = fields.size() >= 2;
      for (const auto& f : fields) numeric = numeric && IsNumber(f);
      if (!numeric) {
        auto find = [&](const std::string& name, const std::string& fallback,
                        std::size_t fallback_index) {
          const std::string want = name.empty() ? fallback : name;
          for (std::size_t i = 0; i < fields.size(); ++i) {
            std::string f = fields[i];
            f.erase(0, f.find_first_not_of(" \t"));
            f.erase(f.find_last_not_of(" \t") + 1);
            if (f == want) return i;
          }
          if (!name.empty())
            throw InputError(fmt::format("table {}: no column named '{}' in the header on line {}",
                                         source, name, line_no));
          return fallback_index;
        };
        xi = find(x_column, "x", 0);
        li = find(loss_column, "loss", 1);
        if (xi == li)
          throw InputError(fmt::format(
              "table {}: x and loss both name column {} ('{}') of the header on line {} (allowed: "
              "two different columns)",
              source, xi + 1, fields[xi], line_no));
        continue;
      }
      if (!x_column.empty() || !loss_column.empty())
        throw InputError(fmt::format(
            "table {}: columns are selected by name but the file has no header", source));
    }
    if (fields.size() <= std::max(xi, li))
      throw InputError(fmt::format("table {}: line {} has {} fields, need at least {}", source,
                                   line_no, fields.size(), std::max(xi, li) + 1));
    out.x.push_back(TableNumber(fields[xi], "x", source, line_no));
    out.loss.push_back(TableNumber(fields[li], "loss", source, line_no));
  }
  if (out.x.empty()) throw InputError(fmt::format("table {}: no data rows", source));
  return out;
}

theory::TableOptions ReadTableCsv(const std::string& path, const std::string& x_column,
                                  const std::string& loss_column) {
  std::string text;
  try {
    text = ReadFile(path);
  } catch (const std::exception& e) {
    throw InputError(fmt::format("table: {}", e.what()));
  }
  return ParseTableCsv(text, path, x_column, loss_column);
}

TableRef ParseTableRef(const std::string& text) {
  TableRef ref{text, "", ""};
  for (;;) {
    const auto comma = ref.path.rfind(',');
    if (comma == std::string::npos) break;
    const std::string part = ref.path.substr(comma + 1);
    if (part.rfind("x=", 0) == 0 && ref.x_column.empty())
      ref.x_column = part.substr(2);
    else if (part.rfind("loss=", 0) == 0 && ref.loss_column.empty())
      ref.loss_column = part.substr(5);
    else
      break;
    ref.path.resize(comma);
  }
  return ref;
}

}  // namespace valleys::io
