// The one way both programs parse and run: the exit code and the one-line error a user reads.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace valleys::cli {

// Parses argv into `app`, then runs `run` (the work of the parsed subcommand, where no callback
// does it). Returns the exit code: 0; 1 for a runtime failure; 2 for bad input, the message on one
// line of standard error ("<program>: error: ..."), with library fields named by the flags of
// the command that was run, an unknown option answered with the nearest one. Help and version
// go to standard output (0).
int RunApp(CLI::App& app, int argc, char** argv, const std::string& program,
           const std::function<void()>& run = {});

}  // namespace valleys::cli
