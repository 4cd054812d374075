// `valleys check`: the claims C1-C9 and C19 as a user-facing command (table, JSON and Markdown).
#include <memory>

#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "strict_option.hpp"
#include "valleys/claims/check_report.hpp"

namespace valleys::cli {

void RegisterCheckCommand(CLI::App& app) {
  struct Args {
    claims::CheckOptions options;
    Format format = Format::kTable;
  };
  auto args = std::make_shared<Args>();
  CLI::App* c = app.add_subcommand(
      "check", "Check the claims C1-C9 and C19: simulator vs exact theory over random draws");
  AddOption(*c, "--scale", args->options.scale,
            "quick | full | smoke (smoke: every stage at its smallest size, numbers meaningless)");
  AddOption(*c, "--seed", args->options.seed, "Seed of the draws and simulations");
  std::string list;
  for (const auto& id : claims::ClaimIds()) list += "\n    " + id + ": " + claims::ClaimTitle(id);
  AddOption(*c, "--claim", args->options.claims,
            "Only these claims (repeatable or comma-separated, e.g. C1,C6):" + list)
      ->delimiter(',');
  AddOption(*c, "--out", args->options.out_dir,
            "Also write check.json and check.md into this folder");
  AddFormatOption(*c, args->format);
  c->callback([args] { Emit(claims::RunChecks(args->options, Stage).Render(args->format), ""); });
}

}  // namespace valleys::cli
