// Each subcommand registers itself on the root app; its callback does the work or throws
// io::InputError (exit 2) / std::exception (exit 1).
#pragma once

#include <CLI/CLI.hpp>

namespace valleys::cli {

void RegisterTheoryCommand(CLI::App& app);
void RegisterReproduceCommand(CLI::App& app);
void RegisterSimCommand(CLI::App& app);
void RegisterSweepCommand(CLI::App& app);
void RegisterCheckCommand(CLI::App& app);
void RegisterPlotCommand(CLI::App& app);
void RegisterRealnetsCommand(CLI::App& app);

}  // namespace valleys::cli
