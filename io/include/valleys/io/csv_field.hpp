// CSV fields and records as RFC 4180 writes them, shared by every CSV writer and reader: fields
// separated by commas; a field in double quotes may hold commas, quotes (doubled: "") and line
// breaks; a record ends at LF or CRLF outside quotes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace valleys::io {

// A CSV field: as is, or quoted (with doubled quotes) when it holds a comma, quote, CR or LF.
std::string CsvField(const std::string& s);

// Fields joined into one record, each through CsvField, without the line end.
std::string CsvRecord(const std::vector<std::string>& fields);

// Reads the record that starts at text[*pos] into *fields and moves *pos past its line end (or
// to text.size()). Returns false, with *why set, for a quote left open or text between a closing
// quote and the next comma; *pos is then unchanged. `*lines` (if given) gets the count of line
// ends consumed, for messages that give a line number.
bool ReadCsvRecord(const std::string& text, std::size_t* pos, std::vector<std::string>* fields,
                   std::string* why, int* lines = nullptr);

// The fields of one record held in `line` (no line end, or only its own). Throws
// std::invalid_argument with ReadCsvRecord's reason for a malformed record.
std::vector<std::string> SplitCsvRecord(const std::string& line);

}  // namespace valleys::io
