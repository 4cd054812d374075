#include "valleys/claims/check_report.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::claims {

namespace {

struct Tally {
  int pass = 0, resolved = 0;
};

Tally Count(const ClaimResult& r) {
  Tally t;
  for (const auto& d : r.draws) t.pass += d.pass, t.resolved += d.resolved;
  return t;
}

}  // namespace

nlohmann::ordered_json CheckReport::ToJson() const {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const auto& r : results) all.push_back(r.ToJson());
  return {{"claims", all}, {"meta", meta}};
}

std::string CheckReport::Table() const {
  std::string table = fmt::format("{:<4} {:<34} {:<13} {:>9} {:>9} {:>8}\n", "id", "claim",
                                  "verdict", "draws ok", "resolved", "seconds");
  for (const auto& r : results) {
    const Tally t = Count(r);
    table += fmt::format("{:<4} {:<34} {:<13} {:>4}/{:<4} {:>4}/{:<4} {:>8.1f}\n", r.id, r.title,
                         VerdictName(r.verdict), t.pass, r.draws.size(), t.resolved, r.draws.size(),
                         r.seconds);
  }
  return table;
}

std::string CheckReport::Csv() const {
  std::string csv = "claim,verdict,draws,draws_pass,draws_resolved,seconds\n";
  for (const auto& r : results) {
    const Tally t = Count(r);
    csv += fmt::format("{},{},{},{},{},{}\n", r.id, VerdictName(r.verdict), r.draws.size(), t.pass,
                       t.resolved, r.seconds);
  }
  return csv;
}

std::string CheckReport::Markdown() const {
  std::string md = fmt::format(
      "# valleys check\n\nversion {} (git {}), scale {}, seed {}\n\n| claim | verdict | draws ok | "
      "resolved |\n|---|---|---|---|\n",
      meta.value("version", ""), meta.value("git", ""), meta["scale"].get<std::string>(),
      meta["seed"].get<unsigned long long>());
  for (const auto& r : results) {
    const Tally t = Count(r);
    md += fmt::format("| {} {} | **{}** | {}/{} | {}/{} |\n", r.id, r.title, VerdictName(r.verdict),
                      t.pass, r.draws.size(), t.resolved, r.draws.size());
  }
  md += "\n";
  for (const auto& r : results) md += r.Markdown(true);
  return md;
}

std::string CheckReport::Render(io::Format format) const {
  return format == io::Format::kJson  ? ToJson().dump(2) + "\n"
         : format == io::Format::kCsv ? Csv()
                                      : Table();
}

CheckReport RunChecks(const CheckOptions& o,
                      const std::function<void(int, int, const std::string&)>& on_stage) {
  ClaimScale scale;
  if (!StringToClaimScale(o.scale, &scale))
    throw io::InputError(fmt::format("CheckOptions::scale = '{}' is not a scale (allowed: {})",
                                     o.scale, ClaimScaleNamesText()));
  const std::vector<std::string> ids = o.claims.empty() ? ClaimIds() : o.claims;
  for (const auto& id : ids)
    if (!IsClaimId(id))
      throw io::InputError(
          fmt::format("CheckOptions::claims = '{}' is not a claim (allowed: C1..C9, C19)", id));
  CheckReport report;
  report.meta = io::Metadata("check", {{"scale", o.scale}, {"seed", o.seed}});
  const int n = static_cast<int>(ids.size());
  for (int k = 0; k < n; ++k) {
    if (on_stage) on_stage(k + 1, n, "claim " + ids[k]);
    report.results.push_back(CheckClaim(ids[k], scale, o.seed));
  }
  if (!o.out_dir.empty()) {
    io::EnsureDirectory(o.out_dir);
    const std::filesystem::path dir(o.out_dir);
    io::WriteFileAtomically(dir / "check.json", report.ToJson().dump(2) + "\n");
    io::WriteFileAtomically(dir / "check.md", report.Markdown());
  }
  return report;
}

}  // namespace valleys::claims
