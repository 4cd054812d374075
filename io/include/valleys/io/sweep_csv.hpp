// The tidy sweep CSV: a first line "# valleys sweep <sweep id>" naming the sweep it belongs to, a
// header, then one row per configuration whose first field is its index. Rows are appended with
// one write() each and flushed to disk, so a kill leaves at most one partial final line, which
// resuming removes.
#pragma once

#include <string>
#include <vector>

namespace valleys::io {

// The first line of a sweep CSV, for an id.
std::string SweepIdLine(const std::string& sweep_id);

struct SweepCsv {
  std::string sweep_id;            // from the first line; empty when the file has none
  std::string header;              // without the newline
  std::vector<std::string> rows;   // complete rows, without newlines, in file order
  std::vector<long long> indices;  // first field of each row
  bool had_partial_line = false;   // a final line without '\n' was dropped
};

// Parses text (the whole file). Throws InputError naming `source` and the line on a malformed row
// (no index, or a field count that differs from the header's) or a malformed id line.
SweepCsv ParseSweepCsv(const std::string& text, const std::string& source);
SweepCsv ReadSweepCsv(const std::string& path);  // InputError when unreadable

// Appends rows to a sweep CSV. Open() creates the file with the header, or (resume) checks the
// existing header and rewrites the file atomically without a partial last line.
class SweepCsvWriter {
 public:
  // Returns the rows already present (empty for a new file). Throws InputError, changing nothing,
  // when the file exists and resume is false, or when its sweep id is missing or differs from
  // `sweep_id`, or its header differs from `header`.
  SweepCsv Open(const std::string& path, const std::string& sweep_id, const std::string& header,
                bool resume);
  void Append(
      const std::string& row);  // row without newline; throws std::runtime_error on I/O errors
  ~SweepCsvWriter();

 private:
  std::string path_;
  int fd_ = -1;
};

// An advisory lock on PATH.lock (flock, held for the lifetime of this object and released by the
// kernel when its owner dies in any way) that refuses a second writer of the same output, in any
// PID namespace or container on this machine and on filesystems that carry flock between hosts.
// The file names its owner: pid, host and boot id. A lock file left by another kernel (another
// host, or before a reboot) is never taken over, since its owner cannot be shown dead. Throws
// InputError: held, left by another kernel, or not creatable/writable (a full disk: the empty file
// is removed).
class OutputLock {
 public:
  explicit OutputLock(const std::string& path);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string lock_path_;
  int fd_ = -1;
};

}  // namespace valleys::io
