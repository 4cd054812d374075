// The whole real-network protocol in one run folder, for each training seed: SWA-recipe training
// of the BN network, its BN-free twin and the gamma-init ablation (and a softplus variant), the
// decayed-rate plain-SGD baseline, SGD after SWA, profiles along every direction law, the SWA-SGD
// line, the shift fit, Theorem 2 measured along directions through the SWA solution (C18); then
// the top Hessian eigenvalues and the 2-parameter logistic model; CSVs with JSON sidecars, the
// C10-C18 verdicts over seeds and directions, and a report section. Resumable: finished training
// is reused from its saved state, so a killed run continues.
//
// The driver prints nothing: stages, progress and figure rendering reach the caller through
// ExperimentCallbacks. No LibTorch types here; the implementation is experiment.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "valleys/realnets/cifar.hpp"
#include "valleys/realnets/model_spec.hpp"
#include "valleys/realnets/verdicts.hpp"

namespace valleys::realnets {

// Everything that sets the size of the experiment.
struct Preset {
  std::string name;
  ModelSpec model;  // the BN network; the variants derive from it
  Subset subset = Subset::kSmall;
  int train_size = 0, test_size = 0;  // first N images of the set (0: all)
  // swa: the SWA recipe of `epochs` epochs (and its plain-SGD baseline bn-sgd); airbench: the fast
  // recipe (AirbenchOptions), `epochs` decayed and `swa_epochs` averaged epochs.
  Schedule schedule = Schedule::kSwa;
  int epochs = 0;
  int swa_epochs = 0;         // airbench only
  double lr = 0.05;           // initial learning rate
  int directions = 3;         // per law and variant
  int family_directions = 3;  // per direction family (Variant::families; "ones" once)
  int points = 13;            // offsets of a profile (odd)
  double range = 0;           // unit-norm laws: offsets in [-range, range]
  double filter_range = 1;    // filter law: offsets in [-filter_range, filter_range]
  // Profiles extended beyond the grid (ProfileOptions::bracket_rise, bracket_limit; 0: none).
  double bracket_rise = 0, bracket_limit = 2;
  int eval_size = 1000;     // training images of the BN recompute and training loss
  int line_points = 41;     // alpha from -2 to 3
  double after_lr = 0.005;  // SGD after SWA: constant rate
  int after_max_epochs = 3;
  int hessian_sample = 500, hessian_iterations = 40;  // power iterations at most (tolerance 1e-3)
  // The Hessian's directions (Variant::hessian_directions): the eigenvectors of this many largest
  // and as many smallest eigenvalues at the SWA solution, by one Lanczos run of
  // hessian_lanczos_steps (0: max(4 x hessian_directions + 20, 40)) over hessian_sample images,
  // each profiled like a law (0: none).
  int hessian_directions = 2, hessian_lanczos_steps = 0;
  bool softplus = false;  // with the softplus variant (C16)
  int seeds = 1;          // training seeds ExperimentOptions::seed, seed + 1, ... (1..16)
  bool augment = true;    // random crop and flip in training (false: the networks fit the set)
  // C18: the BN network's iterates recorded every record_every optimizer steps of the SWA phase
  // (0: no C18), probed along swa_bias_directions directions of each of uniform01, gaussian, sign
  // and filter and the top swa_bias_pcs principal components, swa_bias_points offsets each.
  int record_every = 0;
  int swa_bias_directions = 2, swa_bias_pcs = 2, swa_bias_points = 15;
  // Whether the networks are in the paper's regime (the full training set, augmented, test
  // accuracy near the paper's): the report's first line says so when they are not.
  bool paper_regime = false;
  bool IsValid(std::string* why) const;
};

// The named presets: smoke (every stage at the smallest size that runs it, under two minutes: a
// test of the pipeline whose numbers mean nothing), tiny (about 3 min on 2 CPU cores, one seed,
// unfitted networks), small (fitted networks on 2,000 images, three seeds, under 45 min on 2
// cores), cpu-long (fitted, wider, 3,000 images, three seeds, under 2 h), cpu-full (the airbench
// network and recipe on all of CIFAR-10, three seeds: the paper's regime on 2 CPU cores, run in
// shards), gpu (the same recipe at a longer budget and five seeds, on a GPU).
const std::vector<std::string>& PresetNames();
// False when `name` is not one of PresetNames(); `preset` is then unchanged.
bool StringToPreset(const std::string& name, Preset* preset);
// Another data set than the preset's: its sizes become "all of it".
void OverrideSubset(Subset subset, Preset* preset);

// One network of the experiment.
struct Variant {
  std::string id, title;
  int code = 0;  // its id in the figure data: 1 bn, 2 nobn, 3 gamma, 4 softplus, 5 bn-sgd,
                 // 6 bn-controls
  ModelSpec model;
  std::vector<DirectionLaw> laws;  // profiled at its SWA solution (and drawn in the figures)
  // Direction families (ProfileOptions labels, e.g. "shifted-gaussian:mean=2") also profiled at
  // its SWA solution, in the summary and the report's table but not the figures; "ones" once
  // (every direction index gives the same direction).
  std::vector<std::string> families = {};
  // swa: the SWA recipe; sgd: plain SGD with the decayed rate (bn-sgd: C10's minimum, profiled
  // at its sgd checkpoint along uniform01 directions).
  Schedule schedule = Schedule::kSwa;
  // Its initial rate as a multiple of Preset::lr (the airbench recipe's BN-free twin diverges at
  // the BN network's 1.5).
  double lr_factor = 1;
  // TrainOptions::adaptive_clip of its training (the airbench recipe's BN-free twin; 0: off).
  double adaptive_clip = 0;
  // Profiled along the Hessian's extreme eigenvectors (Preset::hessian_directions): the BN network
  // and its BN-free twin, so that the sharpest and flattest directions compare across BN.
  bool hessian_directions = false;
};
std::vector<Variant> Variants(const Preset& preset);

struct ExperimentOptions {
  Preset preset;
  // The jobs (ExperimentJobs) in parts: with shard_count N > 0, only the jobs i (0-based) with
  // i % N == shard_index - 1 run, and no verdicts are computed (shard_index 1..N). merge: no job
  // runs; the verdicts and the report are computed from the finished jobs' records, refused
  // (MissingJobsError) while any is missing. Neither: every job, then the verdicts.
  int shard_index = 0, shard_count = 0;
  bool merge = false;
  // train_only: each selected job's training stage only (resumed, as always); no job record, so
  // a later run without it continues the job at its first probe. For training on one machine
  // (e.g. a GPU node) and probing on another, or before the measurement rules are fixed.
  bool train_only = false;
  std::string out_dir;   // the run folder (absolute: the figures are rendered from inside it)
  std::string data_dir;  // the CIFAR-10 folder (ReadBatchFile's files)
  Device device = Device::kCpu;
  int threads = 2;  // LibTorch threads
  std::uint64_t seed = 1;
  bool IsValid(std::string* why) const;
};

struct ExperimentCallbacks {
  // A stage begins: index 1..count, its name in words.
  std::function<void(int index, int count, const std::string& name)> on_stage;
  // Work of a stage, in `unit`s: called with done = 0 when it begins, then after each unit.
  std::function<void(const std::string& unit, long long done, long long total)> on_progress;
  // Renders the figures of plots::RealnetsFigures() from the CSVs in `figures_dir` (empty: none).
  std::function<void(const std::string& figures_dir)> render_figures;
};

// One network of one training seed: its training, then its probes, into
// out_dir/seed-<seed>/<variant>/, finished when its record job.json is there.
struct ExperimentJob {
  std::uint64_t seed = 0;
  std::string variant;  // Variant::id
};
// Every job of the experiment, seed by seed, each seed's networks in Variants() order.
std::vector<ExperimentJob> ExperimentJobs(const ExperimentOptions& options);
// "seed-2/nobn": the job's folder under out_dir, as messages name it.
std::string JobName(const ExperimentJob& job);

// Thrown by a merge while jobs are missing (bad input: the command exits 2): what() names each.
class MissingJobsError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The training seeds of a run: options.seed, options.seed + 1, ... (preset.seeds of them).
std::vector<std::uint64_t> ExperimentSeeds(const ExperimentOptions& options);
// The folder of one seed's networks: out_dir/seed-<seed>.
std::string SeedDirectory(const ExperimentOptions& options, std::uint64_t seed);

struct ExperimentSummary {
  std::vector<std::string> jobs_run;  // JobName of each job this call ran (not the reused ones)
  bool merged = false;                // the verdicts and the report were computed
  std::string report_path;            // out_dir/report.md (merged only)
  std::vector<VerdictRow> verdicts;
  double wall_seconds = 0;
  std::vector<std::pair<std::string, double>> stage_seconds;  // in order
};

// Runs the protocol into options.out_dir: per seed and network seed-N/NAME/ (checkpoints,
// epochs.csv, profiles, the SWA-phase iterates, swa_bias.csv, hessian_swa.json for the first seed),
// profiles_summary.csv, direction_groups.csv, swa_bias.csv, figures/*.csv, stages.log,
// section.md, report.md and metadata.json. Throws io::InputError for invalid options (naming the
// field) and std::runtime_error when the data or a file cannot be read or written.
ExperimentSummary RunExperiment(const ExperimentOptions& options,
                                const ExperimentCallbacks& callbacks = {});

}  // namespace valleys::realnets
