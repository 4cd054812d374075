// `valleys merge`: the shard CSVs of one sweep into the file one process would have written.
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "strict_option.hpp"
#include "valleys/sweep/merge.hpp"

namespace valleys::cli {

void RegisterMergeCommand(CLI::App& app) {
  auto merge = std::make_shared<sweep::MergeOptions>();
  CLI::App* m = app.add_subcommand(
      "merge", "Combine the shard CSVs of one sweep, checking that none is missing");
  AddOption(*m, "shards", merge->shards, "Shard CSV files (each with its .json sidecar)")
      ->required();
  AddOption(*m, "--out", merge->out, "Merged CSV (a new file; see --force)")->required();
  m->add_flag("--force", merge->force, "Replace an existing --out (never one of the shards)");
  m->callback([merge] {
    const sweep::MergedSweep merged = sweep::MergeShardsIntoFile(*merge);
    fmt::print("wrote {} ({} rows from {} shards)\n", merge->out, merged.rows,
               merge->shards.size());
  });
}

}  // namespace valleys::cli
