// Starting another program without a shell: the argument vector goes to posix_spawnp as it is, so
// no path or value is ever parsed by /bin/sh (quotes, ';', '$()', newlines and spaces are plain
// characters), and the working directory is set by the spawn itself.
#pragma once

#include <string>
#include <vector>

namespace valleys::io {

struct ProgramResult {
  int exit_code = -1;  // the program's exit status; -1 when it was ended by a signal
  int signal = 0;      // the signal that ended it, 0 otherwise
  std::string errors;  // what it wrote to its standard error
};

// Where the program's standard output and standard error go.
enum class ProgramOutput {
  kQuiet,      // standard output to /dev/null; standard error captured (ProgramResult::errors)
  kStdout,     // standard output inherited; standard error captured
  kInherited,  // both inherited (a program that shows its own progress); `errors` stays empty
};

// Runs argv[0] (looked up on PATH) with `argv`, in `working_dir` (the current one when empty),
// standard input from /dev/null, its outputs as `output` says; waits for it. Throws
// std::runtime_error when it cannot be started (naming the program and the reason).
ProgramResult RunProgram(const std::vector<std::string>& argv, const std::string& working_dir = "",
                         ProgramOutput output = ProgramOutput::kQuiet);

}  // namespace valleys::io
