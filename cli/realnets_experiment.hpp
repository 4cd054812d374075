// `valleys realnets experiment --preset tiny|small|gpu`: flags -> realnets::ExperimentOptions ->
// realnets::RunExperiment, with progress on the terminal and the figures drawn by plots/.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "valleys/realnets/experiment.hpp"

namespace valleys::cli {

struct ExperimentArgs {
  realnets::ExperimentOptions options;  // device, threads, seed; the rest from the flags below
  std::string preset = "tiny";
  std::string out;
  std::string data;
  std::string set;  // small | full: overrides the preset's data set (sizes: all of it)
  bool no_figures = false;
  std::string shard;  // K/N: the K-th of N parts of the job list (empty: all)
  bool merge = false;
  bool train_only = false;
};

void RegisterExperimentCommand(CLI::App& app, ExperimentArgs& args);
// Runs the experiment when its subcommand was parsed.
void RunExperimentIfParsed(const CLI::App& app, const ExperimentArgs& args);

}  // namespace valleys::cli
