#include "valleys/io/table_csv.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::io {

namespace {
// Fields between commas (a trailing comma ends with an empty field).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    if (comma == std::string::npos) {
      out.emplace_back(line, start);
      return out;
    }
    out.emplace_back(line, start, comma - start);
    start = comma + 1;
  }
}

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
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  std::size_t xi = 0, li = 1;
  bool header_seen = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos ||
        line[line.find_first_not_of(" \t")] == '#')
      continue;
    const auto fields = SplitCsv(line);
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
