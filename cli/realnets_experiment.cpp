#include "realnets_experiment.hpp"

#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "data_dir.hpp"
#include "progress.hpp"
#include "realnets_options.hpp"
#include "strict_option.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/realnets_figures.hpp"
#include "valleys/plots/report_html.hpp"
#include "valleys/realnets/experiment.hpp"

namespace valleys::cli {

namespace {

namespace fs = std::filesystem;

// "K/N" with 1 <= K <= N into the options' shard fields.
void ParseShard(const std::string& text, realnets::ExperimentOptions* o) {
  const std::size_t slash = text.find('/');
  int k = 0, n = 0;
  std::size_t used_k = 0, used_n = 0;
  try {
    if (slash != std::string::npos) {
      k = std::stoi(text.substr(0, slash), &used_k);
      n = std::stoi(text.substr(slash + 1), &used_n);
    }
  } catch (const std::exception&) {
    k = n = 0;
  }
  if (slash == std::string::npos || used_k != slash || used_n != text.size() - slash - 1 || k < 1 ||
      n < 1 || k > n || n > 10000)
    throw io::InputError(
        fmt::format("--shard = '{}' (allowed: K/N with 1 <= K <= N <= 10000, e.g. 2/4)", text));
  o->shard_index = k;
  o->shard_count = n;
}

void Run(const ExperimentArgs& args) {
  realnets::ExperimentOptions o = args.options;
  if (!args.shard.empty()) ParseShard(args.shard, &o);
  if (args.merge && !args.shard.empty())
    throw io::InputError("--merge with --shard (allowed: one of them)");
  o.merge = args.merge;
  if (args.merge && args.train_only)
    throw io::InputError("--merge with --train-only (allowed: one of them)");
  o.train_only = args.train_only;
  if (!realnets::StringToPreset(args.preset, &o.preset))
    throw io::InputError(fmt::format("--preset = '{}' (allowed: {})", args.preset,
                                     fmt::join(realnets::PresetNames(), ", ")));
  if (!args.set.empty()) {
    realnets::Subset subset;
    if (!realnets::StringToSubset(args.set, &subset))
      throw io::InputError(
          fmt::format("--set = '{}' (allowed: {})", args.set, realnets::SubsetNames()));
    realnets::OverrideSubset(subset, &o.preset);
  }
  o.data_dir = FindDataDir(args.data);
  // Absolute: gnuplot runs from the figures folder.
  o.out_dir =
      fs::absolute(args.out.empty() ? fs::path("results") / ("realnets-" + io::CompactTimestamp())
                                    : fs::path(args.out))
          .string();
  realnets::ExperimentCallbacks callbacks;
  callbacks.on_stage = Stage;
  callbacks.on_progress = ProgressByUnit();
  if (!args.no_figures)
    callbacks.render_figures = [](const std::string& dir) {
      for (const auto& f : plots::RealnetsFigures()) plots::RenderRealnetsFigure(dir, f.id);
    };
  const realnets::ExperimentSummary summary = realnets::RunExperiment(o, callbacks);
  if (o.train_only) {
    fmt::print("trained: {}; run again without --train-only for the probes\n",
               summary.jobs_run.empty() ? std::string("all jobs were finished")
                                        : fmt::format("{}", fmt::join(summary.jobs_run, ", ")));
    return;
  }
  if (!summary.merged) {
    fmt::print("shard {}/{}: {} job(s) run ({}); merge with --merge when every shard is done\n",
               o.shard_index, o.shard_count, summary.jobs_run.size(),
               summary.jobs_run.empty() ? std::string("all were finished")
                                        : fmt::format("{}", fmt::join(summary.jobs_run, ", ")));
    return;
  }
  fmt::print("wrote {} and {}\n", summary.report_path, plots::WriteReportHtml(summary.report_path));
}

}  // namespace

void RegisterExperimentCommand(CLI::App& app, ExperimentArgs& a) {
  CLI::App* e =
      app.add_subcommand("experiment",
                         "The whole protocol (train, SWA, SGD-after-SWA, profiles, line, shift, "
                         "Hessian, logistic model) with figures and a C10-C18 report");
  AddOption(*e, "--preset", a.preset,
            "smoke (every stage at its smallest size, numbers meaningless) | tiny (about 3 min on "
            "2 CPU cores) | small (fitted networks, 3 seeds: about 20 min) | cpu-long (wider, "
            "more data, 3 seeds: about 55 min, measured 3,190 s) | cpu-full (the airbench network "
            "on all of CIFAR-10, 3 seeds: hours; run it with --shard) | gpu (the airbench "
            "recipe at a longer budget, 5 seeds, on a GPU)");
  AddOption(*e, "--shard", a.shard,
            "K/N: run the K-th of N parts of the job list (one network of one seed each), "
            "resuming a killed part and skipping finished jobs; no report");
  e->add_flag("--merge", a.merge,
              "Compute the verdicts and the report from the finished jobs (refused, naming them, "
              "while any is missing)");
  e->add_flag("--train-only", a.train_only,
              "Only the training stage of each job (of the shard); a later run without it "
              "continues at the probes");
  AddOption(*e, "--out", a.out, "Run folder (default results/realnets-<UTC time>)");
  AddOption(*e, "--data", a.data, "CIFAR-10 folder (default: found as in `valleys realnets data`)");
  AddEnumOption(*e, "--device", a.options.device, kDevice, "cpu | cuda");
  AddOption(*e, "--set", a.set, "small | full: override the preset's data set (all of it)");
  AddOption(*e, "--threads", a.options.threads, "LibTorch threads");
  AddOption(*e, "--seed", a.options.seed, "Seed of training, directions and the logistic model");
  e->add_flag("--no-figures", a.no_figures, "Skip gnuplot");
}

void RunExperimentIfParsed(const CLI::App& app, const ExperimentArgs& args) {
  const CLI::App* e = app.get_subcommand_ptr("experiment").get();
  if (e && e->parsed()) Run(args);
}

}  // namespace valleys::cli
