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

void Run(const ExperimentArgs& args) {
  realnets::ExperimentOptions o = args.options;
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
            "more data, 3 seeds: about 55 min, measured 3,190 s) | gpu (the full set, on a GPU)");
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
