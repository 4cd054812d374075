#include "valleys/claims/reproduce.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/claims/theory_tables.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::claims {

namespace {

// The real-network section: the experiment's own section.md relinked into the report's folder,
// or why there is none.
std::string RealnetsSection(int status, const std::string& preset,
                            const std::filesystem::path& dir) {
  if (status == -1)
    return "Not run: this build has no LibTorch (valleys-realnets is missing; see README, build "
           "options).\n";
  if (status != 0)
    return fmt::format(
        "**Failed**: `valleys realnets experiment --preset {}` exited with status {} (its output "
        "above; partial results in `realnets/`).\n",
        preset, status);
  return RelinkSection(io::ReadFile(dir / "section.md"), "realnets");
}

}  // namespace

ReproduceSummary RunReproduce(const ReproduceOptions& o, const ReproduceCallbacks& cb) {
  ClaimScale claim_scale;
  if (!StringToClaimScale(o.scale, &claim_scale))
    throw io::InputError(fmt::format("ReproduceOptions::scale = '{}' is not a scale (allowed: {})",
                                     o.scale, ClaimScaleNamesText()));
  if (!o.figures.empty() && !cb.make_figure)
    throw std::invalid_argument("ReproduceCallbacks::make_figure is required with figures");
  if (o.with_realnets && !cb.run_realnets)
    throw std::invalid_argument("ReproduceCallbacks::run_realnets is required with_realnets");
  const std::filesystem::path dir(o.out_dir);
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec) && !std::filesystem::is_empty(dir, ec) && !o.force)
    throw io::InputError(fmt::format(
        "ReproduceOptions::out_dir '{}' is a folder that is not empty (allowed: a new or empty "
        "folder; ReproduceOptions::force writes into it, replacing the files of the same names)",
        o.out_dir));
  io::EnsureDirectory(dir);
  const auto start = std::chrono::steady_clock::now();
  auto stage = [&](int k, const std::string& name) {
    if (cb.on_stage) cb.on_stage(k, o.with_realnets ? 5 : 4, name);
  };
  auto progress = [&](const char* unit, long long done, long long total) {
    if (cb.on_progress) cb.on_progress(unit, done, total);
  };

  ReproduceFacts facts;
  facts.meta = o.meta;
  facts.scale = o.scale;
  facts.seed = o.seed;
  stage(1, "theory: expected test risk and optimal bias");
  facts.risk = RiskTable(ReportRiskCases());

  stage(2, "theory: exact stationary law of SGD vs the SDE limit");
  const long long sgd_cases = static_cast<long long>(ReportSgdCases().size());
  progress("sgd cases", 0, sgd_cases);
  facts.sgd =
      SgdTable(ReportSgdCases(), [&](long long done) { progress("sgd cases", done, sgd_cases); });

  stage(3, "claims C1-C9 and C19: simulator vs exact theory");
  Json claims_json = Json::array();
  const auto ids = ClaimIds();
  progress("claims", 0, static_cast<long long>(ids.size()));
  for (const auto& id : ids) {
    facts.claims.push_back(CheckClaim(id, claim_scale, o.seed));
    claims_json.push_back(facts.claims.back().ToJson());
    progress("claims", static_cast<long long>(facts.claims.size()),
             static_cast<long long>(ids.size()));
  }

  stage(4, "figures A-I (gnuplot)");
  const long long figures = static_cast<long long>(o.figures.size());
  progress("figures", 0, figures);
  for (const auto& f : o.figures) {
    cb.make_figure(f.id, (dir / "figures").string(), claim_scale, o.seed);
    facts.figures.push_back(f);
    progress("figures", static_cast<long long>(facts.figures.size()), figures);
  }

  ReproduceSummary summary;
  facts.realnets_section = "Skipped (`--no-realnets`).\n";
  if (o.with_realnets) {
    summary.realnets_preset =
        !o.realnets_preset.empty() ? o.realnets_preset : claim_scale.realnets_preset;
    stage(5, fmt::format("real networks: valleys realnets experiment --preset {}",
                         summary.realnets_preset));
    summary.realnets_status = cb.run_realnets(summary.realnets_preset, (dir / "realnets").string());
    facts.realnets_section =
        RealnetsSection(summary.realnets_status, summary.realnets_preset, dir / "realnets");
  }

  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  facts.wall_seconds = summary.wall_seconds;
  Json full_meta = o.meta;
  full_meta["wall_time_s"] = summary.wall_seconds;
  io::WriteFileAtomically(dir / "theory_risk.csv", RiskCsv(facts.risk));
  io::WriteFileAtomically(dir / "theory_sgd.csv", SgdCsv(facts.sgd));
  io::WriteFileAtomically(dir / "metadata.json", full_meta.dump(2) + "\n");
  io::WriteFileAtomically(dir / "claims.json", claims_json.dump(2) + "\n");
  summary.report_path = (dir / "report.md").string();
  io::WriteFileAtomically(summary.report_path, ReproduceReport(facts));
  return summary;
}

}  // namespace valleys::claims
