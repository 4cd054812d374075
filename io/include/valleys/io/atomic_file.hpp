// Every file valleys writes goes through here: a temporary file beside the target, fsync, rename,
// fsync of the directory. A reader sees the old file or the new one, never a half-written one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace valleys::io {

// What WriteFileAtomically does with a symbolic link found at the path it writes.
enum class LinkPolicy {
  // The link itself is replaced by the new regular file; its target is never touched. For every
  // file the tool creates on its own (sidecars, files inside a run folder, partial files): a link
  // that someone else planted there cannot redirect the write.
  kReplace,
  // The link's target is written (atomically there) and the link kept. Only for a path that the
  // user named (--out FILE).
  kFollow,
};

// Throws std::runtime_error naming the path and the system error (full disk, no permission...);
// on failure the previous content of `path`, if any, is untouched and no temporary is left behind.
// A path that exists and is not a regular file (a device, a FIFO, a folder) is refused with
// std::invalid_argument, and nothing is written. A file that exists keeps its permission bits; a
// new one gets 0666 less the process's umask, as a file made by open(2) would.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view content,
                         LinkPolicy links = LinkPolicy::kReplace);

// Largest file ReadFile reads by default (bytes): inputs (tables, data CSVs) are far smaller, and a
// device such as /dev/zero must not grow until memory runs out.
inline constexpr std::size_t kMaxInputBytes = std::size_t{256} << 20;

// The whole content of a file; throws std::runtime_error naming it when it cannot be read, and
// std::invalid_argument naming it and the limit when it holds more than max_bytes.
std::string ReadFile(const std::filesystem::path& path, std::size_t max_bytes = kMaxInputBytes);

// Creates `dir` (and parents) or throws std::runtime_error naming it.
void EnsureDirectory(const std::filesystem::path& dir);

}  // namespace valleys::io
