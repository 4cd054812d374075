// `valleys reproduce`: the report (claims::RunReproduce) in a new or empty folder, with the figures
// made here and the real-network experiment run by valleys-realnets.
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "strict_option.hpp"
#include "valleys/claims/reproduce.hpp"
#include "valleys/figure_data/figure_files.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"
#include "valleys/plots/report_html.hpp"
#include "valleys/realnets/experiment.hpp"

namespace valleys::cli {

namespace {

void Run(claims::ReproduceOptions o) {
  realnets::Preset known;
  if (!o.realnets_preset.empty() && !realnets::StringToPreset(o.realnets_preset, &known))
    throw io::InputError(fmt::format("--realnets-preset = '{}' (allowed: {})", o.realnets_preset,
                                     fmt::join(realnets::PresetNames(), ", ")));
  if (o.out_dir.empty()) o.out_dir = "results/" + io::CompactTimestamp();
  Json extra = {{"scale", o.scale}, {"seed", o.seed}, {"realnets", o.with_realnets}};
  if (!o.realnets_preset.empty()) extra["realnets_preset"] = o.realnets_preset;
  o.meta = io::Metadata("reproduce", extra);
  for (const auto& f : plots::Figures()) o.figures.push_back({f.id, f.title});
  claims::ReproduceCallbacks callbacks;
  callbacks.on_stage = Stage;
  callbacks.on_progress = ProgressByUnit();
  callbacks.make_figure = [](const std::string& id, const std::string& folder,
                             const claims::ClaimScale& scale, std::uint64_t seed) {
    figure_data::MakeFigure({id, folder, "", scale, seed});
  };
  // The real-network experiment runs in valleys-realnets (LibTorch), as a child process.
  callbacks.run_realnets = [&](const std::string& preset, const std::string& folder) {
    return RunRealnetsChild(
        {"experiment", "--preset", preset, "--seed", std::to_string(o.seed), "--out", folder});
  };
  const claims::ReproduceSummary summary = claims::RunReproduce(o, callbacks);
  fmt::print("wrote {} and {}\n", summary.report_path, plots::WriteReportHtml(summary.report_path));
  const int realnets_status = summary.realnets_status;
  if (realnets_status > 0)
    throw std::runtime_error(
        fmt::format("the real-network experiment failed (status {}); the report says so "
                    "(--no-realnets skips it)",
                    realnets_status));
}

}  // namespace

void RegisterReproduceCommand(CLI::App& app) {
  auto o = std::make_shared<claims::ReproduceOptions>();
  CLI::App* r = app.add_subcommand(
      "reproduce", "Run the whole study and write a report (results/<time>/report.md)");
  AddOption(*r, "--out", o->out_dir, "Output folder (default results/<UTC timestamp>)");
  AddOption(*r, "--scale", o->scale,
            "quick | full | smoke (smoke: every stage at its smallest size, numbers meaningless; "
            "the real-network preset smoke)");
  r->add_flag_callback(
      "--no-realnets", [o] { o->with_realnets = false; }, "Skip the real-network part");
  AddOption(*r, "--realnets-preset", o->realnets_preset,
            "The real-network experiment's preset (default: tiny; small with --scale full; "
            "smoke: every stage at its smallest size, numbers meaningless)");
  r->add_flag("--force", o->force, "Write into a non-empty --out folder");
  AddOption(*r, "--seed", o->seed, "Seed of every random draw and simulation");
  r->callback([o] { Run(*o); });
}

}  // namespace valleys::cli
