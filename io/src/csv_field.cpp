#include "valleys/io/csv_field.hpp"

#include <stdexcept>

namespace valleys::io {

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char ch : s) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string CsvRecord(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i == 0 ? "" : ",") + CsvField(fields[i]);
  return out;
}

bool ReadCsvRecord(const std::string& text, std::size_t* pos, std::vector<std::string>* fields,
                   std::string* why, int* lines) {
  fields->clear();
  std::size_t i = *pos;
  int ends = 0;
  std::string field;
  bool quoted_field = false;  // the field began with a quote and its closing quote was read
  for (;;) {
    if (i == text.size() || text[i] == '\n' ||
        (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      fields->push_back(field);
      if (i < text.size()) {
        i += text[i] == '\r' ? 2 : 1;
        ++ends;
      }
      break;
    }
    const char c = text[i];
    if (c == ',') {
      fields->push_back(field);
      field.clear();
      quoted_field = false;
      ++i;
      continue;
    }
    if (quoted_field) {
      *why = "text after a closing quote (allowed: a comma or the line end)";
      return false;
    }
    if (c == '"' && field.empty()) {
      // A quoted field: up to the quote not followed by another.
      ++i;
      for (;;) {
        if (i == text.size()) {
          *why = "a quoted field is never closed";
          return false;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++ends;
        field += text[i++];
      }
      quoted_field = true;
      continue;
    }
    field += c;
    ++i;
  }
  *pos = i;
  if (lines != nullptr) *lines = ends;
  return true;
}

std::vector<std::string> SplitCsvRecord(const std::string& line) {
  std::vector<std::string> fields;
  std::string why;
  std::size_t pos = 0;
  if (!ReadCsvRecord(line, &pos, &fields, &why)) throw std::invalid_argument(why);
  return fields;
}

}  // namespace valleys::io
