// `valleys reproduce`: the report (claims::RunReproduce) in a new or empty folder, with the figures
// made here and the real-network experiment run by valleys-realnets.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "claim_scale_flag.hpp"
#include "commands.hpp"
#include "make_figure.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "strict_option.hpp"
#include "valleys/claims/reproduce.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"
#include "valleys/plots/report_html.hpp"
#include "valleys/realnets/experiment.hpp"

namespace valleys::cli {

namespace {

struct ReproduceArgs {
  std::string out;
  std::string scale = "quick";
  std::string realnets_preset;  // empty: the scale's
  bool no_realnets = false, force = false;
  unsigned long long seed = 1;
};

void Run(const ReproduceArgs& a) {
  const claims::ClaimScale claim_scale = ScaleFromFlag(a.scale);
  realnets::Preset known;
  if (!a.realnets_preset.empty() && !realnets::StringToPreset(a.realnets_preset, &known))
    throw io::InputError(fmt::format("--realnets-preset = '{}' (allowed: {})", a.realnets_preset,
                                     fmt::join(realnets::PresetNames(), ", ")));
  const std::filesystem::path dir = a.out.empty()
                                        ? std::filesystem::path("results") / io::CompactTimestamp()
                                        : std::filesystem::path(a.out);
  // A report folder holds one run: writing into another run's folder would mix its files with
  // stale ones.
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec) && !std::filesystem::is_empty(dir, ec) && !a.force)
    throw io::InputError(fmt::format(
        "--out '{}' is a folder that is not empty (allowed: a new or empty folder; --force writes "
        "into it, replacing the files of the same names)",
        dir.string()));
  io::EnsureDirectory(dir);
  claims::ReproduceOptions o;
  o.out_dir = dir.string();
  o.scale = a.scale;
  o.seed = a.seed;
  o.with_realnets = !a.no_realnets;
  o.realnets_preset = a.realnets_preset;
  Json extra = {{"scale", a.scale}, {"seed", a.seed}, {"realnets", !a.no_realnets}};
  if (!a.realnets_preset.empty()) extra["realnets_preset"] = a.realnets_preset;
  o.meta = io::Metadata("reproduce", extra);
  for (const auto& f : plots::Figures()) o.figures.push_back({f.id, f.title});
  claims::ReproduceCallbacks callbacks;
  callbacks.on_stage = Stage;
  callbacks.on_progress = ProgressCallback();
  callbacks.make_figure = [&](const std::string& id, const std::string& folder) {
    MakeFigure(id, folder, "", claim_scale, a.seed);
  };
  // The real-network experiment runs in valleys-realnets (LibTorch), as a child process.
  callbacks.run_realnets = [&](const std::string& preset, const std::string& folder) {
    return RunRealnetsChild(
        {"experiment", "--preset", preset, "--seed", std::to_string(a.seed), "--out", folder});
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
  auto args = std::make_shared<ReproduceArgs>();
  CLI::App* r = app.add_subcommand(
      "reproduce", "Run the whole study and write a report (results/<time>/report.md)");
  AddOption(*r, "--out", args->out, "Output folder (default results/<UTC timestamp>)");
  AddOption(*r, "--scale", args->scale, "quick | full");
  r->add_flag("--no-realnets", args->no_realnets, "Skip the real-network part");
  AddOption(*r, "--realnets-preset", args->realnets_preset,
            "The real-network experiment's preset (default: tiny; small with --scale full; "
            "smoke: every stage at its smallest size, numbers meaningless)");
  r->add_flag("--force", args->force, "Write into a non-empty --out folder");
  AddOption(*r, "--seed", args->seed, "Seed of every random draw and simulation");
  r->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
