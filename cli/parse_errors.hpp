// Command-line parse errors as the user should read them: an unknown option answered with the
// nearest option of the command being parsed ("unknown option --etaa (did you mean --eta?)").
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace valleys::cli {

// The message for `error`, raised while parsing `app` of `program` ("valleys").
std::string ExplainParseError(const CLI::App& app, const CLI::ParseError& error,
                              const std::string& program);

// The innermost subcommand that was parsed (the command whose options the user was giving);
// *path, when given, gets the subcommand names on the way (" realnets profile").
const CLI::App* InnermostCommand(const CLI::App& app, std::string* path = nullptr);

// Edit distance (insertions, deletions, substitutions) between two strings.
std::size_t EditDistance(const std::string& a, const std::string& b);

}  // namespace valleys::cli
