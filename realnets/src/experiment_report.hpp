// The report section of the real-network experiment (internal): the run line, the network table,
// the verdict table with its rules, and the per-law tallies, in Markdown.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "job_record.hpp"
#include "valleys/realnets/experiment.hpp"
#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/swa_bias.hpp"
#include "valleys/realnets/swa_bias_analysis.hpp"
#include "valleys/realnets/training.hpp"

namespace valleys::realnets::detail {

// The Hessian's directions of one job (Variant::hessian_directions).
struct JobHessianDirections {
  std::uint64_t seed = 0;
  std::string variant;
  std::vector<HessianDirectionRow> rows;
};

struct ExperimentFacts {
  const ExperimentOptions* options = nullptr;
  std::vector<Variant> variants;
  std::vector<std::uint64_t> seeds;
  std::map<std::pair<std::uint64_t, std::string>, TrainOptions> runs;  // by seed and variant id
  std::map<std::string, std::vector<TrainSummary>> trained;  // by variant id, one per seed
  std::map<std::string, std::string> hessians;  // HessianSummary by variant id (bn, nobn; seed 1)
  std::vector<AfterSummary> after;              // per seed
  std::vector<std::pair<std::uint64_t, SwaBiasResult>> swa_bias;  // per seed (C18)
  std::vector<DirectionRecord> directions;                        // every profile
  std::vector<JobHessianDirections> hessian_directions;           // per job that has them
  std::vector<DirectionGroup> groups;                             // per network, checkpoint and law
  std::vector<VerdictRow> verdicts;
  double wall_seconds = 0;
  std::vector<std::pair<std::string, double>> stage_seconds;
};

std::string ExperimentSection(const ExperimentFacts& facts);
// The section's first line: whether the preset's networks are in the paper's regime.
std::string RegimeLine(const Preset& preset);

}  // namespace valleys::realnets::detail
