// CSV quoting shared by every CSV writer.
#pragma once

#include <string>

namespace valleys::io {

// A CSV field: as is, or quoted (with doubled quotes) when it holds a comma, quote or newline.
std::string CsvField(const std::string& s);

}  // namespace valleys::io
