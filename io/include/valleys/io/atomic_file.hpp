// Every file valleys writes goes through here: a temporary file beside the target, fsync, rename,
// fsync of the directory. A reader sees the old file or the new one, never a half-written one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace valleys::io {

// Throws std::runtime_error naming the path and the system error (full disk, no permission...);
// on failure the previous content of `path`, if any, is untouched and no temporary is left behind.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view content);

// The whole content of a file; throws std::runtime_error naming it when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

// Creates `dir` (and parents) or throws std::runtime_error naming it.
void EnsureDirectory(const std::filesystem::path& dir);

}  // namespace valleys::io
