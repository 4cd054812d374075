// Merging the shards of one sweep (`k/n` runs of the same specification) into the file one
// process would have written, and the resume rule of a shard's CSV.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/io/grid.hpp"
#include "valleys/io/sweep_csv.hpp"

namespace valleys::sweep {

struct MergedSweep {
  std::string csv;                 // the id line, the header and every row in index order
  nlohmann::ordered_json sidecar;  // the first shard's sidecar, as a whole sweep (shard 1/1)
  long long rows = 0;
};

// Reads every shard CSV and its sidecar (PATH.json) and checks that each is complete, that the
// CSV's id line, the sidecar's id and the hash of the sidecar's spec agree, that all belong to the
// same sweep, that every row matches its configuration, and that every configuration appears
// exactly once. Throws io::InputError naming the file at fault.
MergedSweep MergeShards(const std::vector<std::string>& shard_paths);

// MergeShards into `out` and its sidecar `out`.json, both written atomically. Refuses
// (io::InputError naming MergeOptions::out) an output that is one of the shards or their sidecars,
// and, unless `force`, one that exists; nothing is written then.
struct MergeOptions {
  std::vector<std::string> shards;
  std::string out;
  bool force = false;
};
MergedSweep MergeShardsIntoFile(const MergeOptions& options);

// The axes of a sweep from its specification (a sidecar's "spec"); `where` names it in errors.
std::vector<io::GridAxis> AxesOfSpec(const nlohmann::ordered_json& spec, const std::string& where);

// The configurations still to run: `owned` (a shard's indices, in order) after the rows already
// in `existing`, which must be exactly its first ones. Throws io::InputError naming `path`.
std::vector<long long> RemainingAfter(const io::SweepCsv& existing,
                                      const std::vector<long long>& owned, const std::string& path);

}  // namespace valleys::sweep
