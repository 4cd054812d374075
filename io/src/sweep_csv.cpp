#include "valleys/io/sweep_csv.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/csv_field.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::io {

namespace {
// flock(LOCK_EX | LOCK_NB) on fd, or InputError naming the file when another process holds it.
void LockOrRefuse(int fd, const std::string& path) {
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return;
  const int error = errno;
  if (error == EWOULDBLOCK)
    throw InputError(fmt::format(
        "'{}' is being written by another process (the file itself is locked); refusing to "
        "interleave",
        path));
  throw InputError(fmt::format("cannot lock '{}': {}", path, std::strerror(error)));
}

// The fields of one row (RFC 4180); a malformed row is an error naming its line.
std::size_t CountFields(const std::string& line, const std::string& source, int line_no) {
  std::vector<std::string> fields;
  std::string why;
  std::size_t pos = 0;
  if (!ReadCsvRecord(line, &pos, &fields, &why))
    throw InputError(fmt::format("{}: line {}: {}", source, line_no, why));
  return fields.size();
}
}  // namespace

namespace {
constexpr const char* kIdPrefix = "# valleys sweep ";
}  // namespace

std::string SweepIdLine(const std::string& sweep_id) {
  return kIdPrefix + sweep_id;
}

SweepCsv ParseSweepCsv(const std::string& text, const std::string& source) {
  SweepCsv out;
  int header_line = 1;
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
    if (line_no == 1 && !line.empty() && line[0] == '#') {
      if (line.rfind(kIdPrefix, 0) != 0 || line.size() == std::string(kIdPrefix).size())
        throw InputError(fmt::format("{}: line 1 '{}' is not a sweep id line ('{}<id>')", source,
                                     line, kIdPrefix));
      out.sweep_id = line.substr(std::string(kIdPrefix).size());
      header_line = 2;
      continue;
    }
    if (line_no == header_line) {
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
    const std::size_t fields = CountFields(line, source, line_no);
    const std::size_t header_fields = CountFields(out.header, source, header_line);
    if (fields != header_fields)
      throw InputError(fmt::format("{}: line {} has {} fields but the header has {}", source,
                                   line_no, fields, header_fields));
    out.rows.push_back(line);
    out.indices.push_back(static_cast<long long>(index));
  }
  return out;
}

SweepCsv ReadSweepCsv(const std::string& path) {
  return ParseSweepCsv(ReadFile(path), path);
}

SweepCsv SweepCsvWriter::Open(const std::string& path, const std::string& sweep_id,
                              const std::string& header, bool resume) {
  path_ = path;
  SweepCsv existing;
  const std::string top = SweepIdLine(sweep_id) + "\n" + header + "\n";
  // The CSV itself is locked (flock on the inode being appended to), beside OutputLock's PATH.lock:
  // a second writer is refused even when the lock file was removed or replaced while its owner
  // runs. An existing file is locked before anything is read or rewritten.
  const int held = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct Closer {
    int fd;
    ~Closer() {
      if (fd >= 0) ::close(fd);
    }
  } held_closer{held};
  if (held >= 0) LockOrRefuse(held, path);
  if (std::filesystem::exists(path)) {
    if (!resume)
      throw InputError(
          fmt::format("'{}' exists: pass --resume to continue it, or choose another --out", path));
    try {
      existing = ReadSweepCsv(path);
    } catch (const InputError& e) {
      throw InputError(
          fmt::format("'{}' is not a sweep CSV ({}); nothing was changed", path, e.what()));
    }
    if (existing.sweep_id.empty())
      throw InputError(fmt::format(
          "'{}' has no sweep id line ('{}<id>'), so it cannot be shown to belong to this sweep; "
          "nothing was changed",
          path, kIdPrefix));
    if (existing.sweep_id != sweep_id)
      throw InputError(
          fmt::format("'{}' belongs to a different sweep (sweep id {} != {}); nothing was changed",
                      path, existing.sweep_id, sweep_id));
    if (existing.header != header)
      throw InputError(fmt::format(
          "'{}' belongs to a different sweep (its header differs); nothing was changed", path));
    if (existing.had_partial_line) {  // rewrite without the cut line, atomically
      std::string text = top;
      for (const auto& r : existing.rows) text += r + "\n";
      WriteFileAtomically(path, text, LinkPolicy::kFollow);  // the path the user named
    }
  } else {
    WriteFileAtomically(path, top, LinkPolicy::kFollow);
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd_ < 0)
    throw std::runtime_error(
        fmt::format("cannot open '{}' for appending: {}", path, std::strerror(errno)));
  // flock is per open file: the read-only lock is let go before the appending one is taken (a
  // writer starting in between is refused by one of the two).
  if (held_closer.fd >= 0) ::close(std::exchange(held_closer.fd, -1));
  LockOrRefuse(fd_, path);
  return existing;
}

void SweepCsvWriter::Append(const std::string& row) {
  // Rows appended to a file that is no longer at the path would be lost without a word.
  struct stat by_fd {
  }, by_path{};
  if (::fstat(fd_, &by_fd) != 0 || ::stat(path_.c_str(), &by_path) != 0 ||
      by_fd.st_ino != by_path.st_ino || by_fd.st_dev != by_path.st_dev)
    throw std::runtime_error(fmt::format(
        "'{}' was removed or replaced while this sweep was writing it; stopped so that no row "
        "goes to a file that is no longer there",
        path_));
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

namespace {

// This kernel's boot: the same in every PID namespace and container on it, different on another
// host or after a reboot.
std::string BootId() {
  std::ifstream f("/proc/sys/kernel/random/boot_id");
  std::string id;
  f >> id;
  return id.empty() ? "unknown" : id;
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

std::string Field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  return "";
}

}  // namespace

OutputLock::OutputLock(const std::string& path) : lock_path_(path + ".lock") {
  for (int attempt = 0; attempt < 8; ++attempt) {
    // O_NOFOLLOW: a link planted at PATH.lock must not make this write through it.
    const int fd = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0 && errno == ELOOP)
      throw InputError(fmt::format(
          "lock file '{}' is a symbolic link (allowed: a regular file or none); refusing to write "
          "through it",
          lock_path_));
    if (fd < 0)
      throw InputError(
          fmt::format("cannot create lock file '{}': {}", lock_path_, std::strerror(errno)));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int error = errno;
      std::string owner;
      {
        std::ifstream f(lock_path_);
        std::ostringstream s;
        s << f.rdbuf();
        owner = s.str();
      }
      ::close(fd);
      if (error == EWOULDBLOCK)
        throw InputError(fmt::format(
            "'{}' is being written by process {} on {} (lock file {} is held); refusing to "
            "interleave",
            path, Field(owner, "pid"), Field(owner, "host"), lock_path_));
      throw InputError(fmt::format("cannot lock '{}': {}", lock_path_, std::strerror(error)));
    }
    // The file may have been removed (its owner finished) between open and flock: then this lock
    // is on an unlinked inode and another process can create a new one; start again.
    struct stat by_fd {
    }, by_path{};
    if (::fstat(fd, &by_fd) != 0 || ::stat(lock_path_.c_str(), &by_path) != 0 ||
        by_fd.st_ino != by_path.st_ino || by_fd.st_dev != by_path.st_dev) {
      ::close(fd);
      continue;
    }
    // Held. A previous owner on this kernel is dead (the kernel released its lock); one on another
    // kernel (another host on a shared filesystem whose locks do not reach here, or a boot before
    // a crash) cannot be shown dead from here, so its lock is not taken.
    std::string old;
    {
      char buffer[4096];
      const ssize_t n = ::pread(fd, buffer, sizeof buffer, 0);
      if (n > 0) old.assign(buffer, static_cast<std::size_t>(n));
    }
    const std::string old_boot = Field(old, "boot_id");
    if (!old_boot.empty() && old_boot != BootId()) {
      ::close(fd);
      throw InputError(fmt::format(
          "'{}' may be being written by process {} on host {} (boot {}): lock file {} was made on "
          "another machine or before a reboot, and its owner cannot be shown dead from here; "
          "remove the lock file if you know it is gone",
          path, Field(old, "pid"), Field(old, "host"), old_boot, lock_path_));
    }
    const std::string content =
        fmt::format("pid={}\nhost={}\nboot_id={}\n", ::getpid(), HostName(), BootId());
    const bool written =
        ::ftruncate(fd, 0) == 0 &&
        ::pwrite(fd, content.data(), content.size(), 0) == static_cast<ssize_t>(content.size()) &&
        ::fsync(fd) == 0;
    if (!written) {
      const int error = errno;
      ::unlink(lock_path_.c_str());
      ::close(fd);
      throw InputError(fmt::format("cannot write lock file '{}': {}", lock_path_,
                                   error != 0 ? std::strerror(error) : "short write"));
    }
    fd_ = fd;
    return;
  }
  throw InputError(
      fmt::format("cannot lock '{}': it was replaced 8 times while being locked (another writer is "
                  "starting?)",
                  lock_path_));
}

OutputLock::~OutputLock() {
  // Unlink while still holding the lock, so no one can lock the old inode after we let go.
  ::unlink(lock_path_.c_str());
  ::close(fd_);
}

}  // namespace valleys::io
