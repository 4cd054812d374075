// `valleys merge`: the shard CSVs of one sweep into the file one process would have written.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/sweep/merge.hpp"

namespace valleys::cli {

namespace {

using io::InputError;

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out;
  bool force = false;
};

void RunMerge(const MergeArgs& a) {
  for (const auto& target : {a.out, a.out + ".json"}) {
    std::error_code ec;
    for (const auto& path : a.inputs)
      for (const auto& input : {path, path + ".json"})
        if (std::filesystem::equivalent(target, input, ec))
          throw InputError(
              fmt::format("merge: --out '{}' would overwrite the input '{}' (allowed: a new file)",
                          a.out, input));
    if (std::filesystem::exists(target) && !a.force)
      throw InputError(fmt::format(
          "merge: --out '{}' exists ('{}'): pass --force to replace it, or choose another --out",
          a.out, target));
  }
  const sweep::MergedSweep merged = sweep::MergeShards(a.inputs);
  io::WriteFileAtomically(a.out, merged.csv);
  io::WriteFileAtomically(a.out + ".json", merged.sidecar.dump(2) + "\n");
  fmt::print("wrote {} ({} rows from {} shards)\n", a.out, merged.rows, a.inputs.size());
}

}  // namespace

void RegisterMergeCommand(CLI::App& app) {
  auto merge = std::make_shared<MergeArgs>();
  CLI::App* m = app.add_subcommand(
      "merge", "Combine the shard CSVs of one sweep, checking that none is missing");
  AddOption(*m, "shards", merge->inputs, "Shard CSV files (each with its .json sidecar)")
      ->required();
  AddOption(*m, "--out", merge->out, "Merged CSV (a new file; see --force)")->required();
  m->add_flag("--force", merge->force, "Replace an existing --out (never one of the shards)");
  m->callback([merge] { RunMerge(*merge); });
}

}  // namespace valleys::cli
