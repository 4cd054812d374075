#include "valleys/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace valleys::io {

namespace {
[[noreturn]] void Fail(const std::string& what, const std::filesystem::path& path, int err) {
  throw std::runtime_error(
      fmt::format("cannot {} '{}': {}", what, path.string(), std::strerror(err)));
}
// The umask, read without changing it (umask(2) would, for a moment, for every thread): from
// /proc/self/status, 022 where that is not mounted.
mode_t ProcessUmask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Umask:", 0) == 0)
      return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  return 022;
}
}  // namespace

std::string ReadFile(const std::filesystem::path& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("read", path, errno);
  std::string text;
  std::vector<char> chunk(std::size_t{1} << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes)
      throw std::invalid_argument(
          fmt::format("'{}' holds more than {} MiB (allowed: files of at most {} MiB)",
                      path.string(), max_bytes >> 20, max_bytes >> 20));
  }
  if (in.bad()) Fail("read", path, errno);
  return text;
}

void EnsureDirectory(const std::filesystem::path& dir) {
  if (dir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error(
        fmt::format("cannot create directory '{}': {}", dir.string(), ec.message()));
}

void WriteFileAtomically(const std::filesystem::path& given, std::string_view content,
                         LinkPolicy links) {
  namespace fs = std::filesystem;
  // kFollow writes a link's target (the link kept); kReplace renames over the link itself. Anything
  // that exists and is not a regular file (a device, a FIFO, a folder) is refused, never replaced.
  std::error_code ec;
  fs::path path = given;
  const bool is_link = fs::is_symlink(fs::symlink_status(given, ec));
  if (is_link && links == LinkPolicy::kFollow) {
    path = fs::weakly_canonical(given, ec);
    if (ec) Fail("resolve the link", given, ec.value());
  }
  struct stat existing {};
  const bool exists =
      !(is_link && links == LinkPolicy::kReplace) && ::stat(path.c_str(), &existing) == 0;
  if (exists && !S_ISREG(existing.st_mode))
    throw std::invalid_argument(
        fmt::format("'{}' exists and is not a regular file (allowed: a new path or a regular file)",
                    given.string()));
  const mode_t mode = exists ? (existing.st_mode & 07777) : (0666 & ~ProcessUmask());
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) Fail("write", path, errno);
  auto cleanup = [&](const char* what) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmpl.c_str());
    Fail(what, path, err);
  };
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      cleanup("write");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) cleanup("set permissions of");
  if (::fsync(fd) != 0) cleanup("flush");
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    Fail("close", path, err);
  }
  if (::rename(tmpl.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmpl.c_str());
    Fail("rename into", path, err);
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);  // best effort: some file systems refuse directory fsync
    ::close(dfd);
  }
}

}  // namespace valleys::io
