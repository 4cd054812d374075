// Files and folders for the tests: a whole file's bytes, and a fresh temporary folder per process.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace valleys::testing {

// The whole content of `path` (empty when it cannot be read).
inline std::string Slurp(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// <temp>/<prefix>_<name>_<pid>, emptied and created.
inline std::filesystem::path TempDir(const std::string& prefix, const std::string& name) {
  const std::filesystem::path d = std::filesystem::temp_directory_path() /
                                  (prefix + "_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

}  // namespace valleys::testing
