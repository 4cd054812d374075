// The tidy sweep CSV: a header, then one row per configuration whose first field is its index.
// Rows are appended with one write() each and flushed to disk, so a kill leaves at most one partial
// final line, which resuming removes.
#pragma once

#include <string>
#include <vector>

namespace valleys::io {

struct SweepCsv {
  std::string header;              // without the newline
  std::vector<std::string> rows;   // complete rows, without newlines, in file order
  std::vector<long long> indices;  // first field of each row
  bool had_partial_line = false;   // a final line without '\n' was dropped
};

// Parses text (the whole file). Throws InputError naming `source` and the line on a malformed row
// (no index, or a field count that differs from the header's).
SweepCsv ParseSweepCsv(const std::string& text, const std::string& source);
SweepCsv ReadSweepCsv(const std::string& path);  // InputError when unreadable

// Appends rows to a sweep CSV. Open() creates the file with the header, or (resume) checks the
// existing header and rewrites the file atomically without a partial last line.
class SweepCsvWriter {
 public:
  // Returns the rows already present (empty for a new file). Throws InputError when the file exists
  // and resume is false, or when its header differs from `header`.
  SweepCsv Open(const std::string& path, const std::string& header, bool resume);
  void Append(
      const std::string& row);  // row without newline; throws std::runtime_error on I/O errors
  ~SweepCsvWriter();

 private:
  std::string path_;
  int fd_ = -1;
};

// A lock file PATH.lock holding the owner's pid: refuses a second writer of the same output while
// the first is alive; a lock left by a dead process is taken over.
class OutputLock {
 public:
  explicit OutputLock(const std::string& path);  // throws InputError when held by a live process
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string lock_path_;
};

}  // namespace valleys::io
