// `valleys sweep`: a grid of simulator configurations into one tidy CSV (+ JSON sidecar), resumable
// after a kill, shardable for job arrays, spread over MPI ranks.
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "mpi_context.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "sim_options_cli.hpp"
#include "strict_option.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/sweep/plan.hpp"
#include "valleys/sweep/sweep.hpp"
#include "valleys/sweep/sweep_file.hpp"

namespace valleys::cli {

namespace {

struct SweepArgs {
  sweep::SweepRequest request;
  std::string out, shard = "1/1";
  bool resume = false, quiet = false, no_theory = false;
};

void Run(SweepArgs args) {
  MpiContext mpi;
  args.request.with_theory = !args.no_theory;
  const sweep::SweepPlan plan = sweep::PlanSweep(args.request);
  if (args.out.empty()) throw io::InputError("sweep: --out FILE.csv is required");
  sweep::SweepFileOptions options;
  options.out = args.out;
  options.shard = io::ParseShard(args.shard, "--shard");
  options.resume = args.resume;
  options.meta = io::Metadata("sweep", {{"seed", plan.specification["base"]["seed"]}});
  ProgressByUnit progress;
  const sweep::SweepFileSummary s =
      sweep::RunSweepIntoFile(plan, options, mpi, [&](long long done, long long total) {
        if (!args.quiet) progress("sweep configurations", done, total);
      });
  if (mpi.Rank() == 0)
    fmt::print("wrote {} ({} rows; sidecar {})\n", args.out, s.rows_in_file, s.sidecar);
}

}  // namespace

void RegisterSweepCommand(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* s = app.add_subcommand(
      "sweep", "A grid of simulations into one tidy CSV (resumable, shardable, MPI)");
  AddSimOptions(*s, args->request.base);
  s->get_option("--profile")->required(false);
  AddOption(*s, "--grid", args->request.grid,
            "Axis NAME=lo:hi:count[:lin|log] or NAME=v1,v2,... (repeatable)");
  AddOption(*s, "--file", args->request.file, "TOML sweep file with [base] and [grid] tables");
  AddOption(*s, "--out", args->out, "Output CSV (a JSON sidecar is written beside it)")->required();
  s->add_flag("--resume", args->resume, "Keep the completed rows of --out and run the rest");
  AddOption(*s, "--shard", args->shard,
            "Run configurations i with i % n == k - 1 (k/n, for job arrays)");
  s->add_flag("--no-theory", args->no_theory, "Skip the exact theory predictions (faster)");
  s->add_flag("--quiet", args->quiet, "No progress line");
  s->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
