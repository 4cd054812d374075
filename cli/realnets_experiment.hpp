// `valleys realnets experiment --preset tiny|small|gpu`: flags -> realnets::ExperimentOptions ->
// realnets::RunExperiment, with progress on the terminal and the figures drawn by plots/.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "valleys/realnets/types.hpp"

namespace valleys::cli {

struct ExperimentArgs {
  std::string preset = "tiny";
  std::string out;
  std::string data;
  realnets::Device device = realnets::Device::kCpu;
  std::string set;  // small | full: overrides the preset's data set (sizes: all of it)
  int threads = 2;
  unsigned long long seed = 1;
  bool no_figures = false;
};

void RegisterExperimentCommand(CLI::App& app, ExperimentArgs& args);
// Runs the experiment when its subcommand was parsed.
void RunExperimentIfParsed(const CLI::App& app, const ExperimentArgs& args);

}  // namespace valleys::cli
