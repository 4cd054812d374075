// Runs a shell command for the CLI tests: exit code and stdout+stderr together.
//
// The command runs in a process group of its own under a time limit. One still running at the
// limit is a hang: the stacks of every process in its group (gdb, where installed) are appended to
// `hang_log` (HangLogPath() unless given) and returned in `out`, then the whole group is killed, so
// that a stuck program can neither outlive its test nor slow the tests that run after it.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

extern char** environ;

namespace valleys::testing {

struct CommandResult {
  int code;                // exit status; -1 when killed by a signal (the time limit included)
  std::string out;         // stdout and stderr together
  bool timed_out = false;  // still running at the limit, then killed
};

// Where hang reports go: <temp>/valleys-test-hangs.log (.ci/run prints it after the suite).
inline std::string HangLogPath() {
  return (std::filesystem::temp_directory_path() / "valleys-test-hangs.log").string();
}

namespace detail {

// The PIDs whose process group is `group` (from /proc/<pid>/stat: field 5).
inline std::vector<pid_t> ProcessesOfGroup(pid_t group) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  while (const dirent* e = ::readdir(proc)) {
    const std::string name = e->d_name;
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat("/proc/" + name + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');  // the command name may hold spaces and parentheses
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0, pgrp = 0;
    if (std::sscanf(line.c_str() + close + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
        pgrp == group)
      out.push_back(static_cast<pid_t>(std::stoi(name)));
  }
  ::closedir(proc);
  return out;
}

// Everything a shell command prints (stdout and stderr), or "" when it cannot start.
inline std::string Capture(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  std::array<char, 4096> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) out += buf.data();
  pclose(pipe);
  return out;
}

inline std::string DescribeHang(const std::string& command, double limit_seconds, pid_t group) {
  std::string report = "valleys test: '" + command + "' still running after " +
                       std::to_string(static_cast<int>(limit_seconds)) + " s; its processes:\n";
  for (pid_t pid : ProcessesOfGroup(group)) {
    std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
    std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
    for (char& c : args)
      if (c == '\0') c = ' ';
    report += "== pid " + std::to_string(pid) + ": " + args + "\n";
    report += Capture("gdb -batch -nx -p " + std::to_string(pid) + " -ex 'thread apply all bt 30'");
  }
  return report;
}

}  // namespace detail

inline CommandResult RunCommand(const std::string& command, double limit_seconds = 900,
                                const std::string& hang_log = HangLogPath()) {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);  // a group of its own, led by the shell
  std::vector<char*> argv{const_cast<char*>("/bin/sh"), const_cast<char*>("-c"),
                          const_cast<char*>(command.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, "/bin/sh", &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) ::close(fds[0]);
  REQUIRE(rc == 0);

  CommandResult result{-1, "", false};
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<long long>(limit_seconds * 1000));
  std::array<char, 4096> buf{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t n = ::read(fds[0], buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of output: every process of the command closed it
    result.out.append(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (result.timed_out) {
    const std::string report = detail::DescribeHang(command, limit_seconds, pid);
    ::kill(-pid, SIGKILL);
    std::ofstream(hang_log, std::ios::app) << report << "\n";
    result.out += "\n" + report;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out) result.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace valleys::testing
