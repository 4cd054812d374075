#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

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

namespace {

namespace fs = std::filesystem;

// The partial folders of figure `id` in `dir` ('.ID.partial-PID-XXXXXX', and the older
// '.ID.partial-PID.EXT' files) whose process is gone: a figure killed while drawing leaves them.
void RemoveStalePartials(const fs::path& dir, const std::string& id) {
  const std::string prefix = "." + id + ".partial-";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const std::size_t digits = rest.find_first_not_of("0123456789");
    if (digits == 0) continue;
    const long pid = std::strtol(rest.substr(0, digits).c_str(), nullptr, 10);
    if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)) continue;
    std::error_code ignored;
    fs::remove_all(it->path(), ignored);  // a link is removed, never followed
  }
}

// Throws std::runtime_error unless `path` holds an image of `ext`'s format that gnuplot finished:
// a stand-in that exits 0 and writes nothing, or a full disk that leaves 0 bytes, is no figure.
void CheckImage(const fs::path& path, const std::string& ext, const std::string& id) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec || size == 0)
    throw std::runtime_error(fmt::format("gnuplot wrote no {} for figure {} ({})", ext, id,
                                         ec ? ec.message() : "0 bytes: is the disk full?"));
  const std::string text = io::ReadFile(path);
  const bool whole = ext == ".png"
                         ? text.rfind("\x89PNG\r\n\x1a\n", 0) == 0 && text.size() >= 20 &&
                               text.compare(text.size() - 8, 4, "IEND") == 0
                         : text.rfind("%PDF-", 0) == 0 &&
                               text.find("%%EOF", text.size() > 1024 ? text.size() - 1024 : 0) !=
                                   std::string::npos;
  if (!whole)
    throw std::runtime_error(fmt::format(
        "gnuplot wrote a {} for figure {} that is not a complete {} file ({} bytes: is the disk "
        "full?)",
        ext, id, ext == ".png" ? "PNG" : "PDF", size));
}

}  // namespace

void RenderFigure(const std::filesystem::path& folder, const std::string& id,
                  const std::function<std::string(const std::string& out_stem)>& script) {
  const fs::path dir = fs::absolute(folder);
  io::WriteFileAtomically(dir / (id + ".gp"), script(id));
  RemoveStalePartials(dir, id);
  // gnuplot draws into a private folder (mkdtemp: 0700, a new name), so no link planted beside
  // the figure can redirect what it writes; the images are checked, then renamed into place.
  std::string tmpl = (dir / fmt::format(".{}.partial-{}-XXXXXX", id, ::getpid())).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw std::runtime_error(fmt::format("cannot create a folder in '{}' for figure {}: {}",
                                         dir.string(), id, std::strerror(errno)));
  const fs::path partial(tmpl);
  auto clean = [&] {
    std::error_code ec;
    fs::remove_all(partial, ec);
  };
  try {
    const fs::path tmp_script = partial / (id + ".gp");
    io::WriteFileAtomically(tmp_script, script((partial.filename() / id).string()));
    RunGnuplot(tmp_script.string(), dir.string());
    for (const char* ext : {".png", ".pdf"}) CheckImage(partial / (id + ext), ext, id);
    for (const char* ext : {".png", ".pdf"}) {
      const fs::path target = dir / (id + ext);
      struct stat old {};
      if (::lstat(target.c_str(), &old) == 0 && S_ISREG(old.st_mode))
        fs::permissions(partial / (id + ext), static_cast<fs::perms>(old.st_mode & 07777));
      fs::rename(partial / (id + ext), target);  // a link at the target is replaced, not followed
    }
  } catch (...) {
    clean();
    throw;
  }
  clean();
}

}  // namespace valleys::plots
