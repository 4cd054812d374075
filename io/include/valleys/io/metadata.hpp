// The metadata block carried by every output: command, parameters, seed, version, git hash, time.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace valleys::io {

// {"tool": "valleys", "version", "git", "command" (the subcommand, "theory risk"), "command_line"
// (ProcessCommandLine()), "created" (UTC ISO 8601), "host"} plus `extra`.
nlohmann::json Metadata(const std::string& command,
                        const nlohmann::json& extra = nlohmann::json::object());

// The head of a Markdown report: "# <title>", a blank line, then "- version: V (git G)",
// "- created: C" and "- host: H" from `meta` (as Metadata writes them), each ending in a newline.
std::string ReportHeader(const std::string& title, const nlohmann::json& meta);

// The process's own argument vector (/proc/self/cmdline) as one line: the program's name as it
// gave it, then each argument, in single quotes unless plain (letters, digits, _-+=:,./@%).
std::string ProcessCommandLine();

std::string UtcTimestamp();  // 2026-11-27T05:33:21Z
// The processor's model name ("unknown" where /proc/cpuinfo has none), in every output's metadata:
// LibTorch's CPU kernels differ by instruction set, so numbers repeat bit for bit on one model
// only.
std::string ProcessorModel();
std::string CompactTimestamp();  // 20261127-053321 (for folder names)

}  // namespace valleys::io
