#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <gnuplot-iostream.h>

#include "valleys/plots/figures.hpp"

namespace valleys::plots {

void RunGnuplot(const std::string& script_path, const std::string& working_dir) {
  // gnuplot-iostream starts `gnuplot` on a pipe; its destructor waits for gnuplot to finish. Errors
  // go to a log file we read back, so a broken script is reported, not silently ignored.
  const std::string log = script_path + ".log";
  {
    Gnuplot gp(fmt::format("cd '{}' && gnuplot 2> '{}'", working_dir, log));
    gp << "load '" << script_path << "'\n";
  }
  FILE* f = std::fopen(log.c_str(), "r");
  std::string text;
  if (f != nullptr) {
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
    std::remove(log.c_str());
  }
  // Anything but warnings on stderr is an error (gnuplot prints `"file" line N: message`).
  std::string errors;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    const std::string line =
        text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (line.find_first_not_of(" \t^") == std::string::npos || line.rfind("Warning", 0) == 0 ||
        line.rfind("         ", 0) == 0)
      continue;
    errors += line + "\n";
  }
  if (!errors.empty())
    throw std::runtime_error(fmt::format("gnuplot failed on '{}': {}", script_path, errors));
}

}  // namespace valleys::plots
