#include "output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"

namespace valleys::cli {

void Emit(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    errno = 0;
    const std::size_t written = std::fwrite(text.data(), 1, text.size(), stdout);
    if (written != text.size() || std::fflush(stdout) != 0 || std::ferror(stdout))
      throw std::runtime_error(fmt::format("cannot write the result to standard output: {}",
                                           errno != 0 ? std::strerror(errno) : "write error"));
    return;
  }
  io::WriteFileAtomically(path, text, io::LinkPolicy::kFollow);  // the path the user named
}

int ReportError(const char* program, const char* kind, const char* message, int code) noexcept {
  // LibTorch appends its C++ backtrace after "\nException raised from": drop it. Any other
  // newline (a path may hold one) is written as "\n", so the message stays on one line.
  const char* end = std::strstr(message, "\nException raised from");
  if (end == nullptr) end = message + std::strlen(message);
  std::fprintf(stderr, "%s: %s: ", program, kind);
  for (const char* c = message; c < end; ++c) {
    if (*c == '\n')
      std::fputs("\\n", stderr);
    else
      std::fputc(*c, stderr);
  }
  std::fputc('\n', stderr);
  return code;
}

}  // namespace valleys::cli
