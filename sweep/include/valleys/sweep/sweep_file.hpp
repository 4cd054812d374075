// A planned sweep into one CSV file and its JSON sidecar (`out` + ".json"): the output lock, the
// resume check (the file's sweep id, then every kept row against its configuration, then that the
// kept rows are exactly the first owned configurations, in order), the shard's configurations,
// and the sidecar's status ("running", then "complete" with the wall time). Every rank of the
// transport calls it; rank 0 writes, the others compute and send their rows.
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "valleys/io/grid.hpp"
#include "valleys/sweep/plan.hpp"
#include "valleys/sweep/sweep.hpp"

namespace valleys::sweep {

struct SweepFileOptions {
  std::string out;              // the CSV (required); its sidecar is out + ".json"
  io::Shard shard;              // run configurations i with shard.Owns(i)
  bool resume = false;          // keep the completed rows of `out` and run the rest
  nlohmann::ordered_json meta;  // io::Metadata of the run: the sidecar's top-level fields
};

struct SweepFileSummary {
  std::string sidecar;     // its path
  long long rows_in_file;  // the shard's configurations
  long long rows_run;      // of them, run now (the rest were kept)
  double seconds = 0;      // wall time of the run (rank 0)
};

// Throws io::InputError for a kept file that does not belong to this sweep or whose rows are not
// the first owned configurations, and std::runtime_error when the lock is held or a file cannot be
// written. progress(rows written, rows to run) on rank 0, with 0 first.
SweepFileSummary RunSweepIntoFile(
    const SweepPlan& plan, const SweepFileOptions& options, RowTransport& transport,
    const std::function<void(long long done, long long total)>& progress = {});

}  // namespace valleys::sweep
