#include "valleys/realnets/experiment.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "experiment_job.hpp"
#include "experiment_report.hpp"
#include "preregistered_data.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/csv_field.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/logistic2d.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::realnets {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

std::vector<std::uint64_t> ExperimentSeeds(const ExperimentOptions& options) {
  std::vector<std::uint64_t> seeds;
  for (int k = 0; k < options.preset.seeds; ++k) seeds.push_back(options.seed + k);
  return seeds;
}

std::string SeedDirectory(const ExperimentOptions& options, std::uint64_t seed) {
  return (fs::path(options.out_dir) / fmt::format("seed-{}", seed)).string();
}

std::vector<ExperimentJob> ExperimentJobs(const ExperimentOptions& options) {
  std::vector<ExperimentJob> jobs;
  for (const std::uint64_t seed : ExperimentSeeds(options))
    for (const auto& v : Variants(options.preset)) jobs.push_back({seed, v.id});
  return jobs;
}

std::string JobName(const ExperimentJob& job) {
  return fmt::format("seed-{}/{}", job.seed, job.variant);
}

namespace {

TrainOptions BaseOptions(const ExperimentOptions& options) {
  const Preset& preset = options.preset;
  TrainOptions base = preset.schedule == Schedule::kAirbench ? AirbenchOptions() : TrainOptions();
  base.data_dir = options.data_dir;
  base.subset = preset.subset;
  base.train_size = preset.train_size;
  base.test_size = preset.test_size;
  base.epochs = preset.epochs;
  base.lr_init = preset.lr;
  base.augment = preset.augment;
  base.seed = options.seed;
  base.threads = options.threads;
  base.device = options.device;
  base.resume = true;
  if (preset.schedule == Schedule::kAirbench) {
    base.swa_epochs = preset.swa_epochs;
    base.centre_eval_size = preset.eval_size;
  }
  return base;
}

fs::path JobRecordPath(const ExperimentOptions& options, const ExperimentJob& job) {
  return fs::path(SeedDirectory(options, job.seed)) / job.variant / "job.json";
}

const Variant& VariantOf(const std::vector<Variant>& variants, const std::string& id) {
  for (const auto& v : variants)
    if (v.id == id) return v;
  throw std::logic_error("no variant " + id);
}

Json ExperimentMeta(const ExperimentOptions& options) {
  const Preset& preset = options.preset;
  return io::Metadata("realnets experiment", {{"preset", preset.name},
                                              {"seed", options.seed},
                                              {"seeds", ExperimentSeeds(options)},
                                              {"threads", options.threads},
                                              {"device", DeviceToString(options.device)},
                                              {"model", preset.model.Describe()},
                                              {"schedule", ScheduleToString(preset.schedule)},
                                              {"epochs", preset.epochs},
                                              {"swa_epochs", preset.swa_epochs},
                                              {"train_size", preset.train_size},
                                              {"test_size", preset.test_size},
                                              {"set", SubsetToString(preset.subset)},
                                              {"augment", preset.augment},
                                              {"directions_per_law", preset.directions},
                                              {"points", preset.points},
                                              {"range_unit_norm", preset.range},
                                              {"range_filter", preset.filter_range},
                                              {"eval_size", preset.eval_size},
                                              {"bn_mode", "recompute"},
                                              {"train_eval", "clean"},
                                              {"direction_norm", "unit L2 over all parameters"}});
}

// Every network of every seed, as metadata.json lists them.
Json NetworksJson(const ExperimentOptions& options, const std::vector<Variant>& variants,
                  const std::vector<detail::JobRecord>& records) {
  const Preset& preset = options.preset;
  const auto number = [](double v) { return std::isnan(v) ? Json(nullptr) : Json(v); };
  Json list = Json::array();
  for (const auto& r : records) {
    const Variant& v = VariantOf(variants, r.variant);
    const TrainSummary& t = r.trained;
    list.push_back({{"variant", v.id},
                    {"network", v.model.Describe()},
                    {"seed", r.seed},
                    {"parameters", t.parameters},
                    {"train_size", preset.train_size > 0 ? Json(preset.train_size) : Json("all")},
                    {"test_size", preset.test_size > 0 ? Json(preset.test_size) : Json("all")},
                    {"epochs", preset.epochs},
                    {"swa_epochs", preset.schedule == Schedule::kAirbench ? preset.swa_epochs : 0},
                    {"sgd_test_acc", t.sgd_test_acc},
                    {"sgd_test_acc_tta", number(t.sgd_test_acc_tta)},
                    {"sgd_test_loss", t.sgd_test_loss},
                    {"swa_test_acc", t.has_swa ? number(t.swa_test_acc) : Json(nullptr)},
                    {"swa_test_acc_tta", t.has_swa ? number(t.swa_test_acc_tta) : Json(nullptr)},
                    {"swa_test_loss", t.has_swa ? number(t.swa_test_loss) : Json(nullptr)},
                    {"centre", t.has_swa ? "swa" : "sgd"},
                    {"centre_train_loss", t.has_swa ? t.swa_train_loss : t.sgd_train_loss},
                    {"centre_train_acc", t.has_swa ? t.swa_train_acc : t.sgd_train_acc},
                    {"training_seconds", t.run_seconds},
                    {"job_seconds", r.wall_seconds}});
  }
  return list;
}

// The verdicts, tables, figures and report from the jobs' records (in ExperimentJobs order).
ExperimentSummary Merge(const ExperimentOptions& options,
                        const std::vector<detail::JobRecord>& records,
                        const ExperimentCallbacks& callbacks) {
  const auto start = Clock::now();
  const Preset& preset = options.preset;
  const fs::path dir = options.out_dir;
  io::EnsureDirectory(dir / "figures");
  const std::string figures = (dir / "figures").string();
  detail::ExperimentFacts facts;
  facts.options = &options;
  facts.variants = Variants(preset);
  facts.seeds = ExperimentSeeds(options);
  const Json meta = ExperimentMeta(options);
  if (callbacks.on_stage) callbacks.on_stage(1, 1, "verdicts, figures and report");
  std::string summary_csv = detail::kProfileSummaryHeader,
              curves_csv = detail::kProfileCurvesHeader,
              groups_csv = detail::kDirectionGroupsHeader;
  std::vector<LineNumbers> lines;
  ShiftControls controls;
  SwaBiasNumbers swa_bias;
  std::string swa_csv, swa_figure_csv;
  std::map<std::string, double> stage_totals;
  std::vector<std::string> stage_order;
  double job_seconds = 0;
  for (const auto& r : records) {
    facts.trained[r.variant].push_back(r.trained);
    facts.directions.insert(facts.directions.end(), r.directions.begin(), r.directions.end());
    facts.groups.insert(facts.groups.end(), r.groups.begin(), r.groups.end());
    summary_csv += r.summary_rows;
    curves_csv += r.curve_rows;
    groups_csv += r.groups_rows;
    controls.mismatched.insert(controls.mismatched.end(), r.mismatched.begin(), r.mismatched.end());
    if (r.has_line) {
      facts.after.push_back(r.after);
      lines.push_back(r.line);
      if (r.seed == facts.seeds.front()) WriteCsv(figures, "line", r.line_csv, r.line_meta);
    }
    if (r.has_swa_bias) {
      swa_bias.records.insert(swa_bias.records.end(), r.swa_bias.records.begin(),
                              r.swa_bias.records.end());
      swa_bias.n_eff += r.swa_bias.n_eff;
      swa_csv += r.swa_bias.csv;
      swa_figure_csv += r.swa_bias.figure_csv;
      facts.swa_bias.emplace_back(r.seed, r.swa_bias.result);
    }
    if (!r.hessian.empty()) facts.hessians[r.variant] = r.hessian;
    if (!r.hessian_directions.empty())
      facts.hessian_directions.push_back({r.seed, r.variant, r.hessian_directions});
    for (const auto& [name, seconds] : r.stage_seconds) {
      if (!stage_totals.count(name)) stage_order.push_back(name);
      stage_totals[name] += seconds;
    }
    job_seconds += r.wall_seconds;
  }
  WriteCsv(dir.string(), "direction_groups", groups_csv, meta);
  WriteCsv(dir.string(), "profiles_summary", summary_csv, meta);
  WriteCsv(figures, "profiles", curves_csv, meta);
  WriteCsv(figures, "asymmetry", summary_csv, meta);  // the figure reads the summary
  if (preset.record_every > 0) {
    WriteCsv(dir.string(), "swa_bias", detail::kSwaBiasHeader + swa_csv, meta);
    WriteCsv(figures, "swa_bias", detail::kSwaBiasFigureHeader + swa_figure_csv, meta);
  }

  // The 2-parameter logistic model (C11): seconds, so computed at every merge.
  Logistic2dOptions logistic;
  logistic.first_seed = 0;
  const Logistic2dSummary logistic_result = RunLogistic2d(logistic);
  {
    // Through the GD average (the authors' centre) and through the minimizer (C11's; NaN where
    // the seed has none).
    std::string csv = "seed,t,loss_rise,asymmetric,loss_rise_minimizer,asymmetric_minimizer\n";
    for (const auto& r : logistic_result.runs) {
      const std::size_t centre = r.t.size() / 2;
      const bool has = r.minimum.converged;
      for (std::size_t i = 0; i < r.t.size(); ++i)
        csv += fmt::format(
            "{},{},{},{},{},{}\n", r.seed, r.t[i], r.loss[i] - r.loss[centre],
            r.asymmetry.asymmetric ? 1 : 0,
            has ? fmt::format("{}", r.loss_at_minimum[i] - r.loss_at_minimum[centre]) : "NaN",
            has ? (r.asymmetry_at_minimum.asymmetric ? "1" : "0") : "NaN");
    }
    WriteCsv(
        figures, "logistic2d", csv,
        io::Metadata("realnets logistic2d", {{"seeds", "0..49"},
                                             {"steps", logistic.steps},
                                             {"lr", logistic.lr},
                                             {"range", logistic.range},
                                             {"grid_points", logistic.grid_points},
                                             {"direction_law", "uniform01 (2-D, unit norm)"}}));
  }
  if (callbacks.render_figures) callbacks.render_figures(figures);
  facts.verdicts = EvaluateVerdicts(
      facts.directions, facts.groups, lines,
      {logistic.seeds, logistic_result.asymmetric, logistic_result.flat_pos,
       logistic_result.flat_neg, logistic_result.minimizers, logistic_result.asymmetric_at_minimum,
       logistic_result.flat_pos_at_minimum, logistic_result.flat_neg_at_minimum},
      controls, swa_bias, options.seed);
  const double merge_seconds = Seconds(start, Clock::now());
  for (const auto& name : stage_order) facts.stage_seconds.emplace_back(name, stage_totals[name]);
  facts.stage_seconds.emplace_back("merge", merge_seconds);
  facts.wall_seconds = job_seconds + merge_seconds;
  std::string log;
  for (const auto& [name, seconds] : facts.stage_seconds)
    log += fmt::format("{}: {:.1f} s\n", name, seconds);
  io::WriteFileAtomically(dir / "stages.log", log);
  // The paper-regime presets: the pre-registered rules (docs/realnets.md) come first.
  std::vector<ClaimData> claim_data;
  std::vector<ClaimVerdict> preregistered;
  std::string md;
  if (preset.paper_regime) {
    claim_data = detail::PreregisteredClaimData(records);
    preregistered = JudgeClaims(claim_data);
    md = detail::PreregisteredSection(claim_data, preregistered, options.seed) +
         "### The earlier presets' rules (secondary)\n\n";
  }
  md += detail::ExperimentSection(facts);
  io::WriteFileAtomically(dir / "section.md", md);
  ExperimentSummary summary;
  summary.merged = true;
  summary.report_path = (dir / "report.md").string();
  io::WriteFileAtomically(
      summary.report_path,
      io::ReportHeader(preset.paper_regime ? "valleys real-network experiment"
                                           : "valleys real-network experiment (not the "
                                             "paper's regime: a check of the pipeline)",
                       meta) +
          "\n## Real networks (C10-C18)\n\n" + md);
  Json full = meta;
  full["wall_time_s"] = facts.wall_seconds;
  full["wall_time_note"] =
      "the sum of the jobs' wall times (as each ran, possibly in several calls or on several "
      "machines) and of the merge";
  Json sj = Json::object();
  for (const auto& [name, seconds] : facts.stage_seconds) sj[name] = seconds;
  full["stage_seconds"] = sj;
  full["networks"] = NetworksJson(options, facts.variants, records);
  Json vj = Json::array();
  for (const auto& v : facts.verdicts)
    vj.push_back({{"claim", v.id}, {"verdict", v.verdict}, {"numbers", v.numbers}});
  full["verdicts"] = vj;
  if (preset.paper_regime) {
    Json pj = Json::array();
    for (const auto& v : preregistered)
      pj.push_back({{"claim", v.rule.claim},
                    {"verdict", RuleVerdictName(v.verdict)},
                    {"why_not", v.why_not},
                    {"theta", v.rule.theta},
                    {"holds_above", v.rule.holds_above},
                    {"seeds", v.test.seeds},
                    {"observations", v.test.observations},
                    {"seed_values", v.test.seed_values},
                    {"mean", v.test.seeds > 0 ? Json(v.test.mean) : Json()},
                    {"icc", v.test.icc},
                    {"design_effect", v.test.design_effect},
                    {"effective_n", v.test.effective_n},
                    {"p_hold", std::isfinite(v.p_hold) ? Json(v.p_hold) : Json()},
                    {"p_fail", std::isfinite(v.p_fail) ? Json(v.p_fail) : Json()},
                    {"holm_alpha", v.holm_alpha}});
    full["preregistered_verdicts"] = pj;
  }
  io::WriteFileAtomically(dir / "metadata.json", full.dump(2) + "\n");
  summary.verdicts = facts.verdicts;
  summary.wall_seconds = facts.wall_seconds;
  summary.stage_seconds = facts.stage_seconds;
  return summary;
}

}  // namespace

ExperimentSummary RunExperiment(const ExperimentOptions& options,
                                const ExperimentCallbacks& callbacks) {
  std::string why;
  if (!options.IsValid(&why)) throw io::InputError(why);
  const fs::path dir = options.out_dir;
  io::EnsureDirectory(dir);
  const TrainOptions base = BaseOptions(options);
  if (!base.IsValid(&why)) throw io::InputError(why);
  const std::vector<Variant> variants = Variants(options.preset);
  const std::vector<ExperimentJob> jobs = ExperimentJobs(options);
  ExperimentSummary summary;
  if (!options.merge) {
    std::vector<ExperimentJob> mine;
    for (std::size_t i = 0; i < jobs.size(); ++i)
      if (options.shard_count == 0 ||
          static_cast<int>(i % static_cast<std::size_t>(options.shard_count)) ==
              options.shard_index - 1)
        mine.push_back(jobs[i]);
    const int count = static_cast<int>(mine.size());
    for (int k = 0; k < count; ++k) {
      const ExperimentJob& job = mine[static_cast<std::size_t>(k)];
      if (fs::exists(JobRecordPath(options, job))) continue;  // finished: never redone
      detail::JobContext context;
      context.options = &options;
      context.base = base;
      context.variant = &VariantOf(variants, job.variant);
      context.seed = job.seed;
      context.first_seed = job.seed == options.seed;
      context.on_stage = [&](const std::string& stage) {
        if (callbacks.on_stage) callbacks.on_stage(k + 1, count, JobName(job) + ": " + stage);
      };
      context.on_progress = callbacks.on_progress;
      const detail::JobRecord record = detail::RunJob(context);
      if (options.train_only) {
        summary.jobs_run.push_back(JobName(job) + " (training)");
        continue;
      }
      io::WriteFileAtomically(JobRecordPath(options, job),
                              detail::JobRecordToJson(record).dump(1) + "\n");
      summary.jobs_run.push_back(JobName(job));
    }
    if (options.shard_count > 0 || options.train_only) return summary;
  }
  std::vector<detail::JobRecord> records;
  std::string missing;
  for (const auto& job : jobs) {
    const fs::path path = JobRecordPath(options, job);
    if (!fs::exists(path)) {
      missing += (missing.empty() ? "" : ", ") + JobName(job);
      continue;
    }
    records.push_back(detail::JobRecordFromJson(Json::parse(io::ReadFile(path)), path.string()));
  }
  if (!missing.empty())
    throw MissingJobsError(fmt::format(
        "'{}': the merge needs every job of preset '{}' finished; missing: {} (run them with "
        "--shard K/N or without --shard)",
        dir.string(), options.preset.name, missing));
  ExperimentSummary merged = Merge(options, records, callbacks);
  merged.jobs_run = summary.jobs_run;
  return merged;
}

}  // namespace valleys::realnets
