// One finished job of the real-network experiment (one network of one seed: its training and its
// probes) as the merge step reads it back: out_dir/seed-<N>/<variant>/job.json. Each record type
// has one field list (Fields below), which both writes and reads it, so the two cannot disagree.
// NaN is written as null and read back as NaN.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "hessian_directions.hpp"
#include "valleys/realnets/swa_bias.hpp"
#include "valleys/realnets/training.hpp"
#include "valleys/realnets/verdicts.hpp"

namespace valleys::realnets::detail {

// What SGD after SWA contributes to the report and the verdicts.
struct AfterSummary {
  int accepted_epoch = 0;  // 0: none
  int epochs_run = 0;
};

// C18 of one seed: the records the rules read, the rows the report prints, the CSV fragments.
struct SwaBiasPart {
  SwaBiasResult result;  // without the rows' curves and the cosines
  std::vector<SwaBiasRecord> records;
  double n_eff = 0;
  std::string csv, figure_csv;  // rows without their header
};

struct JobRecord {
  std::uint64_t seed = 0;
  std::string variant;
  TrainSummary trained;
  std::vector<DirectionRecord> directions;
  std::vector<DirectionGroup> groups;
  std::string summary_rows, curve_rows, groups_rows;  // CSV rows of the merged tables, no header
  std::vector<double> mismatched;                     // C12's controls (bn)
  bool has_line = false;                              // bn: SGD after SWA, the line, C18
  AfterSummary after;
  LineNumbers line;
  std::string line_csv;  // the line's curve as CSV (the first seed's is the figure)
  nlohmann::ordered_json line_meta;
  bool has_swa_bias = false;
  SwaBiasPart swa_bias;
  std::string hessian;  // HessianSummary (first seed, bn and nobn); empty: none
  // The eigenpairs whose vectors were profiled (Variant::hessian_directions); empty: none.
  std::vector<HessianDirectionRow> hessian_directions;
  double wall_seconds = 0;
  std::vector<std::pair<std::string, double>> stage_seconds;
};

nlohmann::ordered_json JobRecordToJson(const JobRecord& record);
// Throws std::runtime_error naming `source` when a field is missing or of the wrong type.
JobRecord JobRecordFromJson(const nlohmann::ordered_json& json, const std::string& source);

}  // namespace valleys::realnets::detail
