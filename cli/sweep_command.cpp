// `valleys sweep`: a grid of simulator configurations into one tidy CSV (+ JSON sidecar), resumable
// after a kill, shardable for job arrays, spread over MPI ranks.
#include <chrono>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "mpi_context.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "sim_options_cli.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/grid.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/sim_spec.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/sweep_csv.hpp"
#include "valleys/io/sweep_file.hpp"
#include "valleys/sim/simulator.hpp"
#include "valleys/sweep/merge.hpp"
#include "valleys/sweep/plan.hpp"
#include "valleys/sweep/sweep.hpp"

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
  const io::Shard shard = io::ParseShard(args.shard, "--shard");
  const sweep::SweepPlan plan = sweep::PlanSweep(base, axes, !args.no_theory);
  const long long total = static_cast<long long>(plan.configurations.size());
  const std::string& sweep_id = plan.sweep_id;
  const std::string sidecar = args.out + ".json";

  std::vector<long long> owned;
  for (long long i = 0; i < total; ++i)
    if (shard.Owns(i)) owned.push_back(i);

  std::unique_ptr<io::OutputLock> lock;
  io::SweepCsvWriter writer;
  io::SweepCsv existing;
  if (mpi.rank() == 0) {
    lock = std::make_unique<io::OutputLock>(args.out);
    // The CSV's own id line decides whether it belongs to this sweep, whatever state the sidecar
    // is in; then every kept row is checked against its configuration.
    if (args.resume && std::filesystem::exists(args.out)) {
      const io::SweepCsv before = io::ReadSweepCsv(args.out);
      if (before.sweep_id == sweep_id) sweep::CheckRowAxes(before, axes, total, args.out);
    }
    existing = writer.Open(args.out, sweep_id, plan.header, args.resume);
  }
  mpi.Barrier();
  if (mpi.rank() != 0 && args.resume) existing = io::ReadSweepCsv(args.out);
  // Completed rows must be exactly the first owned configurations, in order.
  const std::vector<long long> remaining = sweep::RemainingAfter(existing, owned, args.out);

  const std::string started = io::UtcTimestamp();
  auto write_sidecar = [&](const char* status, double seconds) {
    Json meta = io::Metadata("sweep", {{"seed", base.seed}});
    Json side = {{"meta", meta},
                 {"sweep_id", sweep_id},
                 {"spec", plan.specification},
                 {"configurations", total},
                 {"shard", args.shard},
                 {"rows_in_file", owned.size()},
                 {"status", status},
                 {"started", started},
                 {"seconds", seconds},
                 {"mpi_ranks", mpi.size()}};
    if (std::string(status) == "complete") side["finished"] = io::UtcTimestamp();
    io::WriteFileAtomically(sidecar, side.dump(2) + "\n");
  };
  if (mpi.rank() == 0) write_sidecar("running", 0.0);

  const auto t0 = std::chrono::steady_clock::now();
  sweep::SweepJob job;
  job.axes = axes;
  job.remaining = remaining;
  job.with_theory = !args.no_theory;
  job.configurations = plan.configurations;
  MpiTransport transport(mpi);
  if (mpi.rank() == 0) {
    Progress progress("sweep configurations", static_cast<long long>(remaining.size()), args.quiet);
    sweep::RunSweep(
        job, transport, [&](const std::string& row) { writer.Append(row); },
        [&](long long written) { progress.Update(written); });
    progress.Finish();
    write_sidecar("complete",
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    fmt::print("wrote {} ({} rows; sidecar {})\n", args.out, owned.size(), sidecar);
  } else {
    sweep::RunSweep(job, transport, {}, {});
  }
  mpi.Barrier();
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
            "Run configurations i with i % n == k - 1 (k/n, for job arrays)")
      ->capture_default_str();
  s->add_flag("--no-theory", args->no_theory, "Skip the exact theory predictions (faster)");
  s->add_flag("--quiet", args->quiet, "No progress line");
  s->callback([args] {
    if (args->base.profiles.empty() && args->file.empty())
      throw InputError("sweep: --profile (or a --file with one) is required");
    Run(*args);
  });
}

}  // namespace valleys::cli
