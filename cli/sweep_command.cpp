// `valleys sweep`: a grid of simulator configurations into one tidy CSV (+ JSON sidecar), resumable
// after a kill, shardable for job arrays, spread over MPI ranks.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "mpi_context.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "sim_options_cli.hpp"
#include "strict_option.hpp"
#include "valleys/io/grid.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/sim_spec.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/sweep_file.hpp"
#include "valleys/sweep/plan.hpp"
#include "valleys/sweep/sweep.hpp"
#include "valleys/sweep/sweep_file.hpp"

namespace valleys::cli {

namespace {

using io::InputError;

struct SweepArgs {
  io::SimSpec base;
  std::vector<std::string> grid;
  std::string file, out, shard = "1/1";
  bool resume = false, quiet = false, no_theory = false;
};

// Rows of the other MPI ranks, for the sweep engine.
class MpiTransport final : public sweep::RowTransport {
 public:
  explicit MpiTransport(MpiContext& mpi) : mpi_(mpi) {}
  int Rank() const override { return mpi_.rank(); }
  int Size() const override { return mpi_.size(); }
  void SendRow(long long index, const std::string& row) override { mpi_.SendRow(index, row); }
  bool TryReceiveRow(long long* index, std::string* row) override {
    return mpi_.TryReceiveRow(index, row);
  }
  void ReceiveRow(long long* index, std::string* row) override { mpi_.ReceiveRow(index, row); }
  void Barrier() override { mpi_.Barrier(); }

 private:
  MpiContext& mpi_;
};

void Run(const SweepArgs& args) {
  MpiContext mpi;
  io::SimSpec base = args.base;
  std::vector<io::GridAxis> axes;
  if (!args.file.empty()) {
    const io::SweepFile file = io::ReadSweepToml(args.file);
    io::ApplySweepBase(base, file, args.file);
    axes = file.grid;
  }
  for (const auto& g : args.grid) axes.push_back(io::ParseGridAxis(g, "--grid"));
  if (axes.empty())
    throw InputError("sweep: no grid axes (use --grid NAME=SPEC or a --file with a [grid] table)");
  if (args.out.empty()) throw InputError("sweep: --out FILE.csv is required");
  sweep::SweepFileOptions options;
  options.out = args.out;
  options.shard = io::ParseShard(args.shard, "--shard");
  options.resume = args.resume;
  options.meta = io::Metadata("sweep", {{"seed", base.seed}});
  const sweep::SweepPlan plan = sweep::PlanSweep(base, axes, !args.no_theory);
  MpiTransport transport(mpi);
  auto progress = ProgressCallback();
  const sweep::SweepFileSummary s =
      sweep::RunSweepIntoFile(plan, options, transport, [&](long long done, long long total) {
        if (!args.quiet) progress("sweep configurations", done, total);
      });
  if (mpi.rank() == 0)
    fmt::print("wrote {} ({} rows; sidecar {})\n", args.out, s.rows_in_file, s.sidecar);
}

}  // namespace

void RegisterSweepCommand(CLI::App& app) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* s = app.add_subcommand(
      "sweep", "A grid of simulations into one tidy CSV (resumable, shardable, MPI)");
  AddSimOptions(*s, args->base);
  s->get_option("--profile")->required(false);
  AddOption(*s, "--grid", args->grid,
            "Axis NAME=lo:hi:count[:lin|log] or NAME=v1,v2,... (repeatable)");
  AddOption(*s, "--file", args->file, "TOML sweep file with [base] and [grid] tables");
  AddOption(*s, "--out", args->out, "Output CSV (a JSON sidecar is written beside it)")->required();
  s->add_flag("--resume", args->resume, "Keep the completed rows of --out and run the rest");
  AddOption(*s, "--shard", args->shard,
            "Run configurations i with i % n == k - 1 (k/n, for job arrays)");
  s->add_flag("--no-theory", args->no_theory, "Skip the exact theory predictions (faster)");
  s->add_flag("--quiet", args->quiet, "No progress line");
  s->callback([args] {
    if (args->base.profiles.empty() && args->file.empty())
      throw InputError("sweep: --profile (or a --file with one) is required");
    Run(*args);
  });
}

}  // namespace valleys::cli
