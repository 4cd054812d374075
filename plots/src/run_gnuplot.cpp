#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/run_program.hpp"
#include "valleys/plots/figures.hpp"

namespace valleys::plots {

void RunGnuplot(const std::string& script_path, const std::string& working_dir) {
  // gnuplot runs the script file given as its argument and exits non-zero at the first error; it
  // is started without a shell, so no path is ever parsed as a command.
  const std::string script = std::filesystem::absolute(script_path).string();
  const io::ProgramResult r = io::RunProgram({"gnuplot", script}, working_dir);
  // Anything but warnings on stderr is an error too (gnuplot prints `"file" line N: message`).
  std::string errors;
  std::size_t start = 0;
  const std::string& text = r.errors;
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
  if (r.exit_code != 0 || !errors.empty())
    throw std::runtime_error(fmt::format(
        "gnuplot failed on '{}' ({}): {}", script_path,
        r.signal != 0 ? fmt::format("signal {}", r.signal) : fmt::format("exit {}", r.exit_code),
        errors.empty() ? std::string("no message") : errors));
}

void RenderFigure(const std::filesystem::path& folder, const std::string& id,
                  const std::function<std::string(const std::string& out_stem)>& script) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::absolute(folder);
  io::WriteFileAtomically(dir / (id + ".gp"), script(id));
  const std::string stem = fmt::format(".{}.partial-{}", id, ::getpid());
  const fs::path tmp_script = dir / (stem + ".gp");
  auto clean = [&] {
    std::error_code ec;
    for (const char* ext : {".gp", ".png", ".pdf"}) fs::remove(dir / (stem + ext), ec);
  };
  try {
    io::WriteFileAtomically(tmp_script, script(stem));
    RunGnuplot(tmp_script.string(), dir.string());
    for (const char* ext : {".png", ".pdf"}) {
      if (!fs::exists(dir / (stem + ext)))
        throw std::runtime_error(
            fmt::format("gnuplot wrote no {} for figure {} in '{}'", ext, id, dir.string()));
    }
    for (const char* ext : {".png", ".pdf"}) fs::rename(dir / (stem + ext), dir / (id + ext));
  } catch (...) {
    clean();
    throw;
  }
  clean();
}

}  // namespace valleys::plots
