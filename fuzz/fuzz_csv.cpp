// libFuzzer target: the RFC 4180 record reader. Any input is read record by record without a
// crash, and every record read is written back (CsvRecord) and read again to the same fields.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "valleys/io/csv_field.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::size_t pos = 0;
  std::vector<std::string> fields, again;
  std::string why;
  while (pos < text.size()) {
    const std::size_t before = pos;
    if (!valleys::io::ReadCsvRecord(text, &pos, &fields, &why)) break;
    if (pos <= before) std::abort();  // every record read moves on
    const std::string written = valleys::io::CsvRecord(fields) + "\n";
    std::size_t p = 0;
    if (!valleys::io::ReadCsvRecord(written, &p, &again, &why) || p != written.size() ||
        again != fields)
      std::abort();
  }
  return 0;
}
