// A stand-in for a library that exports its own copy of a libstdc++ function, as PyTorch's LibTorch
// does with std::filesystem::remove_all. This copy removes nothing, so that a caller bound to it
// can tell. Like LibTorch, it also has a function of its own that the executable calls, so that it
// is among the executable's needed libraries.
#include <cstdint>
#include <filesystem>

int StandInLibraryFunction() {
  return 0;
}

namespace std::filesystem {
std::uintmax_t remove_all(const path&) {
  return 0;
}
}  // namespace std::filesystem
