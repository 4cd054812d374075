#include "valleys/io/run_program.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

extern char** environ;

namespace valleys::io {

namespace {

// Closes a descriptor once.
struct Fd {
  int fd = -1;
  ~Fd() { Close(); }
  void Close() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct FileActions {
  posix_spawn_file_actions_t actions;
  FileActions() { posix_spawn_file_actions_init(&actions); }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
};

}  // namespace

ProgramResult RunProgram(const std::vector<std::string>& argv, const std::string& working_dir,
                         ProgramOutput output) {
  if (argv.empty()) throw std::invalid_argument("RunProgram: argv is empty");
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    throw std::runtime_error(
        fmt::format("cannot start {}: pipe: {}", argv[0], std::strerror(errno)));
  Fd read_end{pipe_fds[0]}, write_end{pipe_fds[1]};

  FileActions fa;
  posix_spawn_file_actions_addopen(&fa.actions, 0, "/dev/null", O_RDONLY, 0);
  if (output == ProgramOutput::kQuiet)
    posix_spawn_file_actions_addopen(&fa.actions, 1, "/dev/null", O_WRONLY, 0);
  if (output != ProgramOutput::kInherited)
    posix_spawn_file_actions_adddup2(&fa.actions, write_end.fd, 2);
  if (!working_dir.empty()) posix_spawn_file_actions_addchdir_np(&fa.actions, working_dir.c_str());

  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0].c_str(), &fa.actions, nullptr, args.data(), environ);
  if (rc != 0)
    throw std::runtime_error(fmt::format("cannot start {}{}: {}", argv[0],
                                         working_dir.empty() ? "" : " in '" + working_dir + "'",
                                         std::strerror(rc)));
  write_end.Close();
  ProgramResult out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(read_end.fd, buf, sizeof buf);
    if (n > 0) {
      out.errors.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw std::runtime_error(fmt::format("waiting for {}: {}", argv[0], std::strerror(errno)));
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  return out;
}

}  // namespace valleys::io
