// Every file valleys writes goes through here: a temporary file beside the target, fsync, rename,
// fsync of the directory. A reader sees the old file or the new one, never a half-written one.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace valleys::io {

// Throws std::runtime_error naming the path and the system error (full disk, no permission...);
// on failure the previous content of `path`, if any, is untouched and no temporary is left behind.
// A symbolic link is written through to its target (atomically there, the link kept); a path that
// exists and is not a regular file (a device, a FIFO, a folder) is refused with
// std::invalid_argument, and nothing is written.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view content);

// Largest file ReadFile reads by default (bytes): inputs (tables, data CSVs) are far smaller, and a
// device such as /dev/zero must not grow until memory runs out.
inline constexpr std::size_t kMaxInputBytes = std::size_t{256} << 20;

// The whole content of a file; throws std::runtime_error naming it when it cannot be read, and
// std::invalid_argument naming it and the limit when it holds more than max_bytes.
std::string ReadFile(const std::filesystem::path& path, std::size_t max_bytes = kMaxInputBytes);

// Creates `dir` (and parents) or throws std::runtime_error naming it.
void EnsureDirectory(const std::filesystem::path& dir);

}  // namespace valleys::io
