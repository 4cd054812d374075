// `valleys realnets experiment --preset tiny|small|gpu`: the whole real-network protocol in one
// run folder (training of the BN network, its BN-free twin and the gamma-init ablation, SWA,
// SGD-after-SWA, profiles along every direction law, the SWA-SGD line, the shift fit, the Hessian,
// the logistic model), with CSVs and sidecars, figures, and a report section with the C10-C17
// verdicts. Resumable: finished training is reused (its saved state), so a killed run continues.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "valleys/realnets/experiment.hpp"

namespace valleys::cli {

struct ExperimentArgs {
  std::string preset = "tiny";
  std::string out;
  std::string data;
  std::string device = "cpu";
  std::string set;  // small | full: overrides the preset's data set (sizes: all of it)
  int threads = 2;
  unsigned long long seed = 1;
  bool no_figures = false;
};

void RegisterExperimentCommand(CLI::App& app, ExperimentArgs& args);
// Runs the experiment when its subcommand was parsed.
void RunExperimentIfParsed(const CLI::App& app, const ExperimentArgs& args);

// File stem of a profile: profile_<checkpoint>_<law>_d<k>_<bnmode>[_nobn-dir].
std::string ProfileStem(const realnets::ProfileOptions& o);

}  // namespace valleys::cli
