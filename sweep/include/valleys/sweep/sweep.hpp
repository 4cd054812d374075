// The sweep engine: the CSV schema of a sweep (header, rows from typed results, the id that names
// a sweep, the check of kept rows), and the runner that computes a list of configurations and
// hands their rows, in configuration order, to a writer. Rows of other workers (MPI ranks) arrive
// through a RowTransport; the engine itself knows no MPI, prints nothing and parses no flags.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "valleys/io/grid.hpp"
#include "valleys/io/sweep_csv.hpp"
#include "valleys/sim/options.hpp"
#include "valleys/sim/prediction.hpp"
#include "valleys/sim/summary.hpp"

namespace valleys::sweep {

// The statistics columns, after `index` and one column per axis: mean_avg, mean_avg_se, ...,
// theory_mean_avg, theory_p_flat, z_mean_avg, z_p_flat.
const std::vector<std::string>& StatColumns();

// "index,<axis names>,<StatColumns>,row_check" (axis names CSV-quoted when needed).
std::string CsvHeader(const std::vector<io::GridAxis>& axes);

// One row: the index, the axis values of the configuration, then the statistics (`nan` where a
// statistic does not apply; theory and z columns empty without a prediction), then `row_check`:
// 16 hex digits of FNV-1a over the row's text before it, so that an edit of any field (a result as
// much as an axis value) is caught when the row is kept on --resume or merged.

std::string CsvRow(long long index, const std::vector<io::GridAxis>& axes,
                   const sim::SimSummary& summary,
                   const std::optional<sim::Prediction>& prediction);

// The id of a sweep from the canonical text of its specification: 16 hex digits (FNV-1a).
std::string SweepId(const std::string& canonical_specification);

// True when `row`'s last field is the row_check of the text before it.
bool RowCheckMatches(const std::string& row);

// Throws io::InputError naming `path` and the row when a row's index is beyond `total`, the row
// does not start with its configuration's index and axis values, or its row_check does not match
// its fields (the row was edited).
void CheckRowAxes(const io::SweepCsv& csv, const std::vector<io::GridAxis>& axes, long long total,
                  const std::string& path);

// How the rows of other workers reach the writer (rank 0). A single process uses LocalTransport.
class RowTransport {
 public:
  virtual ~RowTransport() = default;
  virtual int Rank() const = 0;
  virtual int Size() const = 0;
  virtual void SendRow(long long index, const std::string& row) = 0;   // rank > 0
  virtual bool TryReceiveRow(long long* index, std::string* row) = 0;  // rank 0
  virtual void ReceiveRow(long long* index, std::string* row) = 0;     // rank 0
  virtual void Barrier() {}  // every rank waits here until all have arrived
};

class LocalTransport final : public RowTransport {
 public:
  int Rank() const override { return 0; }
  int Size() const override { return 1; }
  void SendRow(long long, const std::string&) override {}
  bool TryReceiveRow(long long*, std::string*) override { return false; }
  void ReceiveRow(long long*, std::string*) override;  // never called with one rank; throws
};

struct SweepJob {
  std::vector<io::GridAxis> axes;
  std::vector<sim::SimOptions> configurations;  // every configuration, by index
  std::vector<long long> remaining;             // the indices still to run, in order
  bool with_theory = true;                      // exact predictions where possible
};

// Runs the remaining configurations. Rank r of the transport computes every Size()-th of them;
// rank 0 also receives the others' rows and calls write_row(row) for each in the order of
// `remaining`, and progress(rows written). The predictions of a batch of 2 x threads
// configurations are solved in parallel (each single-threaded), then the batch is simulated with
// every thread: every row is the same for any thread count and any number of ranks.
void RunSweep(const SweepJob& job, RowTransport& transport,
              const std::function<void(const std::string& row)>& write_row,
              const std::function<void(long long rows_written)>& progress);

}  // namespace valleys::sweep
