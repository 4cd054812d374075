// The main job, `valleys reproduce`, as one call: the Theorem 1 and Theorem 2 tables, the claims
// C1-C9 and C19, the figures and the real-network section, written into one folder with report.md.
// What needs other modules (the figures, the LibTorch experiment) comes in as callbacks, so that
// this library links neither plots nor LibTorch; it prints nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/claims/claims.hpp"
#include "valleys/claims/reproduce_report.hpp"

namespace valleys::claims {

struct ReproduceOptions {
  std::string out_dir;          // a new or empty folder (created when missing); receives every file
  bool force = false;           // also write into a folder that is not empty (same names replaced)
  std::string scale = "quick";  // ClaimScaleNames() (the claims' scale and the real-network preset)
  std::uint64_t seed = 1;
  bool with_realnets = true;
  std::string realnets_preset;      // the experiment's preset; empty: the scale's (ClaimScale)
  std::vector<FigureLink> figures;  // the figures to make, in order (plots::Figures())
  nlohmann::json meta;              // io::Metadata of the run
};

struct ReproduceCallbacks {
  // Stage k of n starts ("theory: expected test risk and optimal bias").
  std::function<void(int index, int count, const std::string& name)> on_stage;
  // Progress inside a stage: called with done = 0 first and done = total last.
  std::function<void(const std::string& unit, long long done, long long total)> on_progress;
  // Writes figure `id` (its data at the run's claim scale and seed, and its rendering) into `dir`.
  // Required when figures are given.
  std::function<void(const std::string& id, const std::string& dir, const ClaimScale& scale,
                     std::uint64_t seed)>
      make_figure;
  // Runs the real-network experiment with `preset` into `dir`: its exit status, -1 when this
  // build cannot run it. Required when with_realnets.
  std::function<int(const std::string& preset, const std::string& dir)> run_realnets;
};

struct ReproduceSummary {
  std::string report_path;
  int realnets_status = 0;  // the experiment's exit status (0 also when skipped)
  std::string realnets_preset;
  double wall_seconds = 0;
};

// Refuses (io::InputError naming ReproduceOptions::out_dir) a folder that is not empty, unless
// `force`: a report folder holds one run, and writing into another run's folder would mix its
// files with stale ones. Writes theory_risk.csv, theory_sgd.csv, claims.json, metadata.json (with
// wall_time_s), figures/ and report.md into out_dir, the experiment into out_dir/realnets. A failed
// experiment does not stop the report: it says so, and the summary carries the status.
ReproduceSummary RunReproduce(const ReproduceOptions& options, const ReproduceCallbacks& callbacks);

}  // namespace valleys::claims
