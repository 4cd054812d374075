// Which std::filesystem::remove_all a call reaches when the executable also links a library that
// exports a copy of it (link/libstdcxx_copy.cpp): libstdc++'s removes the folder, the copy does
// not. Usage: remove_all_binding libstdc++|copy (the expected one). Exit status 0 when the call
// reached the expected one, 1 otherwise.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

int StandInLibraryFunction();  // link/libstdcxx_copy.cpp

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  if (argc != 2 || (std::strcmp(argv[1], "libstdc++") != 0 && std::strcmp(argv[1], "copy") != 0)) {
    std::fprintf(stderr, "usage: %s libstdc++|copy (the expected binding)\n", argv[0]);
    return 2;
  }
  if (StandInLibraryFunction() != 0) return 2;
  const fs::path dir = fs::temp_directory_path() / ("valleys-link-" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  fs::remove_all(dir);
  const bool removed = !fs::exists(dir);
  std::error_code ignored;  // the copy left the folder: clean up without remove_all
  fs::remove(dir / "sub", ignored);
  fs::remove(dir, ignored);
  const char* reached = removed ? "libstdc++" : "copy";
  std::printf("std::filesystem::remove_all reached %s (%s; expected: %s)\n", reached,
              removed ? "the folder is gone" : "the stand-in's copy: the folder remained", argv[1]);
  return std::strcmp(reached, argv[1]) == 0 ? 0 : 1;
}
