// `valleys check`: the claims C1-C9 as a user-facing command (table, JSON and Markdown).
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "claim_scale_flag.hpp"
#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "strict_option.hpp"
#include "valleys/claims/check_report.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"

namespace valleys::cli {

namespace {
struct CheckArgs {
  std::string scale = "quick", out;
  std::vector<std::string> claims;
  unsigned long long seed = 1;
  Format format = Format::kTable;
};

void Run(const CheckArgs& a) {
  const claims::ClaimScale scale = ScaleFromFlag(a.scale);
  std::vector<std::string> ids = a.claims.empty() ? claims::ClaimIds() : a.claims;
  for (const auto& id : ids)
    if (!claims::IsClaimId(id))
      throw io::InputError(fmt::format("--claim = '{}' is not a claim (allowed: C1..C9)", id));
  claims::CheckReport report;
  report.meta = io::Metadata("check", {{"scale", a.scale}, {"seed", a.seed}});
  int k = 0;
  for (const auto& id : ids) {
    Stage(++k, static_cast<int>(ids.size()), "claim " + id);
    report.results.push_back(claims::CheckClaim(id, scale, a.seed));
  }
  if (!a.out.empty()) {
    io::EnsureDirectory(a.out);
    io::WriteFileAtomically(std::filesystem::path(a.out) / "check.json",
                            report.ToJson().dump(2) + "\n");
    io::WriteFileAtomically(std::filesystem::path(a.out) / "check.md", report.Markdown());
  }
  const std::string text = a.format == Format::kJson  ? report.ToJson().dump(2) + "\n"
                           : a.format == Format::kCsv ? report.Csv()
                                                      : report.Table();
  fmt::print("{}", text);
}
}  // namespace

void RegisterCheckCommand(CLI::App& app) {
  auto args = std::make_shared<CheckArgs>();
  CLI::App* c = app.add_subcommand(
      "check", "Check the claims C1-C9: simulator vs exact theory over random draws");
  AddOption(*c, "--scale", args->scale, "quick | full");
  AddOption(*c, "--seed", args->seed, "Seed of the draws and simulations");
  std::string list;
  for (const auto& id : claims::ClaimIds()) list += "\n    " + id + ": " + claims::ClaimTitle(id);
  AddOption(*c, "--claim", args->claims,
            "Only these claims (repeatable or comma-separated, e.g. C1,C6):" + list)
      ->delimiter(',');
  AddOption(*c, "--out", args->out, "Also write check.json and check.md into this folder");
  AddFormatOption(*c, args->format);
  c->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
