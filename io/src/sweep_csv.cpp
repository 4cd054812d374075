#include "valleys/io/sweep_csv.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::io {

namespace {
std::size_t CountFields(const std::string& line) {
  std::size_t n = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) ++n;
  }
  return n;
}
}  // namespace

SweepCsv ParseSweepCsv(const std::string& text, const std::string& source) {
  SweepCsv out;
  std::size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {  // a line cut by a kill: drop it
      out.had_partial_line = true;
      break;
    }
    std::string line = text.substr(start, nl - start);
    start = nl + 1;
    ++line_no;
    if (line_no == 1) {
      out.header = line;
      continue;
    }
    const auto comma = line.find(',');
    const std::string first = line.substr(0, comma);
    const double index = ParseNumber(first, fmt::format("{}: line {}: index", source, line_no));
    if (!(index >= 0 && index <= 9e15) ||
        index != std::floor(index))  // range first: casting out-of-range doubles is UB
      throw InputError(fmt::format("{}: line {}: index '{}' is not a non-negative integer", source,
                                   line_no, first));
    if (CountFields(line) != CountFields(out.header))
      throw InputError(fmt::format("{}: line {} has {} fields but the header has {}", source,
                                   line_no, CountFields(line), CountFields(out.header)));
    out.rows.push_back(line);
    out.indices.push_back(static_cast<long long>(index));
  }
  return out;
}

SweepCsv ReadSweepCsv(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw InputError(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::ostringstream s;
  s << f.rdbuf();
  return ParseSweepCsv(s.str(), path);
}

SweepCsv SweepCsvWriter::Open(const std::string& path, const std::string& header, bool resume) {
  path_ = path;
  SweepCsv existing;
  if (std::filesystem::exists(path)) {
    if (!resume)
      throw InputError(
          fmt::format("'{}' exists: pass --resume to continue it, or choose another --out", path));
    existing = ReadSweepCsv(path);
    if (existing.header != header)
      throw InputError(fmt::format(
          "'{}' belongs to a different sweep (its header differs); nothing was changed", path));
    if (existing.had_partial_line) {  // rewrite without the cut line, atomically
      std::string text = header + "\n";
      for (const auto& r : existing.rows) text += r + "\n";
      WriteFileAtomically(path, text);
    }
  } else {
    WriteFileAtomically(path, header + "\n");
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error(
        fmt::format("cannot open '{}' for appending: {}", path, std::strerror(errno)));
  return existing;
}

void SweepCsvWriter::Append(const std::string& row) {
  const std::string line = row + "\n";
  const ssize_t n = ::write(fd_, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size()))
    throw std::runtime_error(fmt::format("cannot append to '{}': {}", path_,
                                         n < 0 ? std::strerror(errno) : "short write"));
  if (::fsync(fd_) != 0)
    throw std::runtime_error(fmt::format("cannot flush '{}': {}", path_, std::strerror(errno)));
}

SweepCsvWriter::~SweepCsvWriter() {
  if (fd_ >= 0) ::close(fd_);
}

OutputLock::OutputLock(const std::string& path) : lock_path_(path + ".lock") {
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int fd = ::open(lock_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      const std::string pid = std::to_string(::getpid()) + "\n";
      const ssize_t written = ::write(fd, pid.data(), pid.size());
      ::close(fd);
      if (written != static_cast<ssize_t>(pid.size())) break;
      return;
    }
    if (errno != EEXIST) break;
    std::ifstream f(lock_path_);
    long owner = 0;
    f >> owner;
    if (owner > 0 && (::kill(static_cast<pid_t>(owner), 0) == 0 || errno == EPERM))
      throw InputError(
          fmt::format("'{}' is being written by process {} (lock file {}); refusing to interleave",
                      path, owner, lock_path_));
    ::unlink(lock_path_.c_str());  // stale: its owner is gone
  }
  throw std::runtime_error(
      fmt::format("cannot create lock file '{}': {}", lock_path_, std::strerror(errno)));
}

OutputLock::~OutputLock() {
  ::unlink(lock_path_.c_str());
}

}  // namespace valleys::io
