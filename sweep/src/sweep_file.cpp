#include "valleys/sweep/sweep_file.hpp"

#include <chrono>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/sweep_csv.hpp"
#include "valleys/sweep/merge.hpp"

namespace valleys::sweep {

SweepFileSummary RunSweepIntoFile(const SweepPlan& plan, const SweepFileOptions& o,
                                  RowTransport& transport,
                                  const std::function<void(long long, long long)>& progress) {
  if (o.out.empty()) throw io::InputError("SweepFileOptions::out is empty (allowed: a CSV path)");
  const long long total = static_cast<long long>(plan.configurations.size());
  SweepFileSummary summary;
  summary.sidecar = o.out + ".json";
  std::vector<long long> owned;
  for (long long i = 0; i < total; ++i)
    if (o.shard.Owns(i)) owned.push_back(i);
  summary.rows_in_file = static_cast<long long>(owned.size());

  const bool writer_rank = transport.Rank() == 0;
  std::unique_ptr<io::OutputLock> lock;
  io::SweepCsvWriter writer;
  io::SweepCsv existing;
  if (writer_rank) {
    lock = std::make_unique<io::OutputLock>(o.out);
    // The CSV's own id line decides whether it belongs to this sweep, whatever state the sidecar
    // is in; then every kept row is checked against its configuration.
    if (o.resume && std::filesystem::exists(o.out)) {
      const io::SweepCsv before = io::ReadSweepCsv(o.out);
      if (before.sweep_id == plan.sweep_id) CheckRowAxes(before, plan.axes, total, o.out);
    }
    existing = writer.Open(o.out, plan.sweep_id, plan.header, o.resume);
  }
  transport.Barrier();
  if (!writer_rank && o.resume) existing = io::ReadSweepCsv(o.out);
  SweepJob job;
  job.axes = plan.axes;
  job.configurations = plan.configurations;
  job.with_theory = plan.with_theory;
  job.remaining = RemainingAfter(existing, owned, o.out);
  summary.rows_run = static_cast<long long>(job.remaining.size());

  const std::string started = io::UtcTimestamp();
  auto write_sidecar = [&](const char* status) {
    // One sidecar schema for every CSV: the run's metadata at the top level (as JSON output's
    // `meta`), then the sweep's own state.
    const nlohmann::ordered_json state = {{"sweep_id", plan.sweep_id},
                                          {"spec", plan.specification},
                                          {"configurations", total},
                                          {"shard", fmt::format("{}/{}", o.shard.k, o.shard.n)},
                                          {"rows_in_file", summary.rows_in_file},
                                          {"status", status},
                                          {"started", started},
                                          {"seconds", summary.seconds},
                                          {"mpi_ranks", transport.Size()}};
    nlohmann::ordered_json side = o.meta;
    for (const auto& [key, value] : state.items()) side[key] = value;
    if (std::string(status) == "complete") side["finished"] = io::UtcTimestamp();
    io::WriteFileAtomically(summary.sidecar, side.dump(2) + "\n");
  };
  const auto t0 = std::chrono::steady_clock::now();
  if (writer_rank) {
    write_sidecar("running");
    if (progress) progress(0, summary.rows_run);
    RunSweep(
        job, transport, [&](const std::string& row) { writer.Append(row); },
        [&](long long written) {
          if (progress) progress(written, summary.rows_run);
        });
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    write_sidecar("complete");
  } else {
    RunSweep(job, transport, {}, {});
  }
  transport.Barrier();
  return summary;
}

}  // namespace valleys::sweep
