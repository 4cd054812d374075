// Starts a program for tests that must signal it (kill-and-resume, lock races): fork + execv with
// an argument vector, no shell. Returns the child's pid, or -1 when fork fails.
#pragma once

#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace valleys::testing {

struct SpawnOptions {
  bool own_process_group = false;  // so that kill(-pid, ...) reaches its children too
  bool quiet_stdout = false;       // stdout to /dev/null
  bool quiet_stderr = false;       // stderr to /dev/null
};

inline pid_t Spawn(const std::string& binary, std::vector<std::string> args,
                   const SpawnOptions& options = {}) {
  const pid_t child = ::fork();
  if (child != 0) {
    if (child > 0 && options.own_process_group) ::setpgid(child, child);
    return child;
  }
  if (options.own_process_group) ::setpgid(0, 0);
  const int devnull = ::open("/dev/null", O_WRONLY);
  if (options.quiet_stdout) ::dup2(devnull, 1);
  if (options.quiet_stderr) ::dup2(devnull, 2);
  std::string program = binary;
  std::vector<char*> argv{program.data()};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(program.c_str(), argv.data());
  ::_exit(127);
}

}  // namespace valleys::testing
