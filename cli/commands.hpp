// Each subcommand registers itself on the root app; its callback does the work or throws
// io::InputError (exit 2) / std::exception (exit 1).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace valleys::cli {

void RegisterTheoryCommand(CLI::App& app);
void RegisterReproduceCommand(CLI::App& app);
void RegisterSimCommand(CLI::App& app);
void RegisterSweepCommand(CLI::App& app);
void RegisterMergeCommand(CLI::App& app);
void RegisterCheckCommand(CLI::App& app);
void RegisterPlotCommand(CLI::App& app);
void RegisterRealnetsCommand(CLI::App& app);
// `realnets data`, on the `realnets` subcommand.
void AddRealnetsDataCommand(CLI::App& realnets);
// `realnets score`, on the `realnets` subcommand.
void AddRealnetsScoreCommand(CLI::App& realnets);

// The `valleys realnets` subcommands that need LibTorch: they run in valleys-realnets.
bool IsLibTorchCommand(const std::string& subcommand);
// The path of valleys-realnets: beside this executable.
std::string RealnetsBinary();

// Runs `valleys-realnets` (beside this executable) with `args` as a child process; returns its
// exit status, or -1 when it is missing (built without LibTorch).
int RunRealnetsChild(const std::vector<std::string>& args);

}  // namespace valleys::cli
