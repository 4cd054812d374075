// `valleys check`: the claims C1-C9 as a user-facing command (table, JSON and Markdown).
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "claim_scale_flag.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"

namespace valleys::cli {

namespace {
struct CheckArgs {
  std::string scale = "quick", out;
  std::vector<std::string> claims;
  unsigned long long seed = 1;
  std::string format = "table";
};

void Run(const CheckArgs& a) {
  const claims::ClaimScale scale = ScaleFromFlag(a.scale);
  const Format format = ParseFormat(a.format);
  std::vector<std::string> ids = a.claims.empty() ? claims::ClaimIds() : a.claims;
  for (const auto& id : ids)
    if (!claims::IsClaimId(id))
      throw io::InputError(fmt::format("--claim = '{}' is not a claim (allowed: C1..C9)", id));
  std::vector<claims::ClaimResult> results;
  int k = 0;
  for (const auto& id : ids) {
    Stage(++k, static_cast<int>(ids.size()), "claim " + id);
    results.push_back(claims::CheckClaim(id, scale, a.seed));
  }
  const Json meta = io::Metadata("check", {{"scale", a.scale}, {"seed", a.seed}});
  Json all = Json::array();
  std::string md = fmt::format(
      "# valleys check\n\nversion {} (git {}), scale {}, seed {}\n\n| claim | verdict | draws ok | "
      "resolved |\n|---|---|---|---|\n",
      meta["version"].get<std::string>(), meta["git"].get<std::string>(), a.scale, a.seed);
  std::string table = fmt::format("{:<4} {:<34} {:<13} {:>9} {:>9} {:>8}\n", "id", "claim",
                                  "verdict", "draws ok", "resolved", "seconds");
  for (const auto& r : results) {
    all.push_back(r.ToJson());
    int pass = 0, resolved = 0;
    for (const auto& d : r.draws) pass += d.pass, resolved += d.resolved;
    md +=
        fmt::format("| {} {} | **{}** | {}/{} | {}/{} |\n", r.id, r.title,
                    claims::VerdictName(r.verdict), pass, r.draws.size(), resolved, r.draws.size());
    table += fmt::format("{:<4} {:<34} {:<13} {:>4}/{:<4} {:>4}/{:<4} {:>8.1f}\n", r.id, r.title,
                         claims::VerdictName(r.verdict), pass, r.draws.size(), resolved,
                         r.draws.size(), r.seconds);
  }
  md += "\n";
  for (const auto& r : results) md += r.Markdown(true);
  Json doc = {{"claims", all}, {"meta", meta}};
  if (!a.out.empty()) {
    io::EnsureDirectory(a.out);
    io::WriteFileAtomically(std::filesystem::path(a.out) / "check.json", doc.dump(2) + "\n");
    io::WriteFileAtomically(std::filesystem::path(a.out) / "check.md", md);
  }
  switch (format) {
    case Format::kJson:
      fmt::print("{}\n", doc.dump(2));
      break;
    case Format::kCsv: {
      std::string csv = "claim,verdict,draws,draws_pass,draws_resolved,seconds\n";
      for (const auto& j : all)
        csv += fmt::format("{},{},{},{},{},{}\n", j["claim"].get<std::string>(),
                           j["verdict"].get<std::string>(), j["draws_total"].get<int>(),
                           j["draws_pass"].get<int>(), j["draws_resolved"].get<int>(),
                           j["seconds"].get<double>());
      fmt::print("{}", csv);
      break;
    }
    case Format::kTable:
      fmt::print("{}", table);
      break;
  }
}
}  // namespace

void RegisterCheckCommand(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* c = app.add_subcommand(
      "check", "Check the claims C1-C9: simulator vs exact theory over random draws");
  AddOption(*c, "--scale", args->scale, "quick | full")->capture_default_str();
  AddOption(*c, "--seed", args->seed, "Seed of the draws and simulations")->capture_default_str();
  AddOption(*c, "--claim", args->claims, "Only these claims (repeatable), e.g. C6");
  AddOption(*c, "--out", args->out, "Also write check.json and check.md into this folder");
  AddOption(*c, "--format", args->format, "table | csv | json")->capture_default_str();
  c->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
