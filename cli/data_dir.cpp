#include "data_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#ifndef VALLEYS_SOURCE_DIR
#define VALLEYS_SOURCE_DIR "."
#endif

namespace valleys::cli {

namespace fs = std::filesystem;

std::string FindDataDir(const std::string& flag) {
  std::vector<std::string> searched;
  auto has_data = [](const fs::path& d) {
    return fs::exists(d / "test_batch.bin") || fs::exists(d / "test_batch.bin.xz") ||
           fs::exists(d / "subset_test.bin") || fs::exists(d / "subset_test.bin.xz");
  };
  if (!flag.empty()) {
    if (!fs::is_directory(flag))
      throw std::runtime_error(fmt::format("--data '{}' is not a folder", flag));
    return flag;
  }
  if (const char* env = std::getenv("VALLEYS_DATA"); env != nullptr && *env != '\0') {
    if (has_data(env)) return env;
    searched.push_back(fmt::format("$VALLEYS_DATA={}", env));
  }
  const fs::path source(VALLEYS_SOURCE_DIR);
  for (const fs::path& candidate :
       {source / "data" / "cifar10", source / ".." / "shared" / "data" / "cifar10"}) {
    if (has_data(candidate)) return fs::weakly_canonical(candidate).string();
    searched.push_back(candidate.string());
  }
  std::string list;
  for (const auto& s : searched) list += (list.empty() ? "" : ", ") + s;
  throw std::runtime_error(fmt::format(
      "no CIFAR-10 folder found (searched: {}); pass --data DIR or set VALLEYS_DATA", list));
}

}  // namespace valleys::cli
