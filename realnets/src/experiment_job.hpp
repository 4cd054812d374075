// One job of the real-network experiment (internal): one network of one training seed, trained and
// probed into out_dir/seed-<N>/<variant>/, its numbers returned as a JobRecord.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "job_record.hpp"
#include "valleys/realnets/experiment.hpp"
#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/training.hpp"

namespace valleys::realnets::detail {

struct JobContext {
  const ExperimentOptions* options = nullptr;
  TrainOptions base;  // the preset's training options (seed and model set per job)
  const Variant* variant = nullptr;
  std::uint64_t seed = 0;
  bool first_seed = false;  // its profiles are drawn; its bn and nobn get the Hessian
  std::function<void(const std::string& stage)> on_stage;  // a stage of the job begins
  std::function<void(const std::string& unit, long long done, long long total)> on_progress;
};

// The training options of `variant` for `seed` (as RunJob trains it).
TrainOptions JobTrainOptions(const JobContext& context);

// Runs (or, where its training state is finished, resumes) the job and returns its record; the
// caller writes job.json.
JobRecord RunJob(const JobContext& context);

// The line's numbers that the verdicts read: the losses at both ends and past them, and C13 /
// C14's measurement of its training profile from its minimum (LineNumbers).
LineNumbers LineNumbersOf(const LineResult& line, const SgdAfterSwaResult& after);

// The headers of the tables whose rows JobRecord carries.
extern const char* const kProfileSummaryHeader;
extern const char* const kProfileCurvesHeader;
extern const char* const kDirectionGroupsHeader;
extern const char* const kSwaBiasHeader;
extern const char* const kSwaBiasFigureHeader;

}  // namespace valleys::realnets::detail
