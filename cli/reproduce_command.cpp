// `valleys reproduce`: the report. Stages run in order and write into one folder:
// theory tables (risk and SGD predictions for a default set of valleys) and report.md.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "claim_scale_flag.hpp"
#include "commands.hpp"
#include "make_figure.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "strict_option.hpp"
#include "valleys/claims/reproduce_report.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"

namespace valleys::cli {

namespace {

struct ReproduceArgs {
  std::string out;
  std::string scale = "quick";
  bool no_realnets = false, force = false;
  unsigned long long seed = 1;
};

void Run(const ReproduceArgs& a) {
  const claims::ClaimScale claim_scale = ScaleFromFlag(a.scale);
  const auto start = std::chrono::steady_clock::now();
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
  const Json meta = io::Metadata(
      "reproduce", {{"scale", a.scale}, {"seed", a.seed}, {"realnets", !a.no_realnets}});

  const int stages = a.no_realnets ? 4 : 5;
  claims::ReproduceFacts facts;
  facts.meta = meta;
  facts.scale = a.scale;
  facts.seed = a.seed;
  Stage(1, stages, "theory: expected test risk and optimal bias");
  facts.risk = claims::RiskTable(claims::ReportRiskCases());

  Stage(2, stages, "theory: exact stationary law of SGD vs the SDE limit");
  {
    Progress progress("sgd cases", static_cast<long long>(claims::ReportSgdCases().size()));
    facts.sgd =
        claims::SgdTable(claims::ReportSgdCases(), [&](long long done) { progress.Update(done); });
    progress.Finish();
  }

  Stage(3, stages, "claims C1-C9: simulator vs exact theory");
  Json claims_json = Json::array();
  {
    Progress progress("claims", 9);
    for (const auto& id : claims::ClaimIds()) {
      facts.claims.push_back(claims::CheckClaim(id, claim_scale, a.seed));
      claims_json.push_back(facts.claims.back().ToJson());
      progress.Update(static_cast<long long>(facts.claims.size()));
    }
    progress.Finish();
  }

  Stage(4, stages, "figures A-H (gnuplot)");
  {
    Progress progress("figures", 8);
    long long done = 0;
    for (const auto& f : plots::Figures()) {
      MakeFigure(f.id, (dir / "figures").string(), "", claim_scale, a.seed);
      facts.figures.push_back({f.id, f.title});
      progress.Update(++done);
    }
    progress.Finish();
  }
  // The real-network experiment runs in valleys-realnets (LibTorch), as a child process: preset
  // tiny for --scale quick, small for --scale full. Its report section is included here.
  std::string realnets_md = "Skipped (`--no-realnets`).\n";
  int realnets_status = 0;
  if (!a.no_realnets) {
    const std::string preset = a.scale == "full" ? "small" : "tiny";
    Stage(5, stages, fmt::format("real networks: valleys realnets experiment --preset {}", preset));
    realnets_status =
        RunRealnetsChild({"experiment", "--preset", preset, "--seed", std::to_string(a.seed),
                          "--out", (dir / "realnets").string()});
    if (realnets_status == -1) {
      realnets_md =
          "Not run: this build has no LibTorch (valleys-realnets is missing; see README, build "
          "options).\n";
    } else if (realnets_status != 0) {
      realnets_md = fmt::format(
          "**Failed**: `valleys realnets experiment --preset {}` exited with status {} (its output "
          "above; partial results in `realnets/`).\n",
          preset, realnets_status);
    } else {
      realnets_md =
          claims::RelinkSection(io::ReadFile(dir / "realnets" / "section.md"), "realnets");
    }
  }

  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  facts.wall_seconds = wall;
  facts.realnets_section = realnets_md;
  const std::string md = claims::ReproduceReport(facts);
  Json full_meta = meta;
  full_meta["wall_time_s"] = wall;
  io::WriteFileAtomically(dir / "theory_risk.csv", claims::RiskCsv(facts.risk));
  io::WriteFileAtomically(dir / "theory_sgd.csv", claims::SgdCsv(facts.sgd));
  io::WriteFileAtomically(dir / "metadata.json", full_meta.dump(2) + "\n");
  io::WriteFileAtomically(dir / "claims.json", claims_json.dump(2) + "\n");
  io::WriteFileAtomically(dir / "report.md", md);
  fmt::print("wrote {}\n", (dir / "report.md").string());
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
  AddOption(*r, "--scale", args->scale, "quick | full")->capture_default_str();
  r->add_flag("--no-realnets", args->no_realnets, "Skip the real-network part");
  r->add_flag("--force", args->force, "Write into a non-empty --out folder");
  AddOption(*r, "--seed", args->seed, "Seed of every random draw and simulation")
      ->capture_default_str();
  r->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
