#include "valleys/sweep/merge.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/sweep/sweep.hpp"

namespace valleys::sweep {

using io::InputError;
using Json = nlohmann::ordered_json;  // key order kept: the id hashes the spec as written

std::vector<io::GridAxis> AxesOfSpec(const Json& spec, const std::string& where) {
  std::vector<io::GridAxis> axes;
  try {
    for (const auto& a : spec.at("axes"))
      axes.push_back(
          {a.at("name").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
  } catch (const Json::exception&) {
    throw InputError(fmt::format("merge: '{}' has no readable axes in its spec", where));
  }
  return axes;
}

MergedSweep MergeShards(const std::vector<std::string>& inputs) {
  if (inputs.empty()) throw InputError("merge: no shard files given");
  std::string header, sweep_id;
  long long total = -1;
  std::map<long long, std::string> rows;
  std::set<std::string> shards;
  std::vector<io::GridAxis> merge_axes;
  for (const auto& path : inputs) {
    const io::SweepCsv csv = io::ReadSweepCsv(path);
    if (csv.had_partial_line)
      throw InputError(
          fmt::format("merge: '{}' ends in a partial row (resume that shard first)", path));
    const Json side = Json::parse(std::ifstream(path + ".json"), nullptr, false);
    if (side.is_discarded() || !side.contains("sweep_id") || !side.contains("spec"))
      throw InputError(
          fmt::format("merge: '{}.json' (the sidecar of {}) is missing or unreadable", path, path));
    const std::string spec_id = SweepId(side["spec"].dump());
    if (csv.sweep_id.empty() || csv.sweep_id != side["sweep_id"] || spec_id != csv.sweep_id)
      throw InputError(fmt::format(
          "merge: '{}' (sweep id '{}') and its sidecar (sweep id {}, spec hash {}) disagree: an "
          "edited or foreign file",
          path, csv.sweep_id, side["sweep_id"].dump(), spec_id));
    if (side.value("status", "") != "complete")
      throw InputError(fmt::format("merge: shard '{}' is not complete", path));
    if (header.empty()) {
      header = csv.header;
      sweep_id = side["sweep_id"];
      total = side["configurations"];
      merge_axes = AxesOfSpec(side["spec"], path + ".json");
      if (io::GridSize(merge_axes) != total)
        throw InputError(fmt::format("merge: '{}.json' says {} configurations but its axes hold {}",
                                     path, total, io::GridSize(merge_axes)));
    } else if (csv.header != header || side["sweep_id"] != sweep_id) {
      throw InputError(
          fmt::format("merge: '{}' belongs to a different sweep than '{}'", path, inputs.front()));
    }
    CheckRowAxes(csv, merge_axes, total, path);
    if (!shards.insert(side.value("shard", "")).second)
      throw InputError(
          fmt::format("merge: shard {} is given twice ('{}')", side.value("shard", ""), path));
    for (std::size_t k = 0; k < csv.rows.size(); ++k)
      if (!rows.emplace(csv.indices[k], csv.rows[k]).second)
        throw InputError(
            fmt::format("merge: configuration {} appears in two shards", csv.indices[k]));
  }
  for (long long i = 0; i < total; ++i)
    if (!rows.count(i))
      throw InputError(fmt::format(
          "merge: configuration {} of {} is missing (a shard is missing or incomplete)", i, total));
  MergedSweep merged;
  merged.csv = io::SweepIdLine(sweep_id) + "\n" + header + "\n";
  for (const auto& [i, r] : rows) merged.csv += r + "\n";
  merged.sidecar = Json::parse(std::ifstream(inputs.front() + ".json"));
  merged.sidecar["shard"] = "1/1";
  merged.sidecar["merged_from"] = inputs;
  merged.sidecar["rows_in_file"] = total;
  // The merge's metadata over the shards', at the top level (one sidecar schema for every CSV).
  const auto merge_meta = io::Metadata("merge", {{"inputs", inputs}});
  for (const auto& [key, value] : merge_meta.items()) merged.sidecar[key] = value;
  merged.rows = total;
  return merged;
}

std::vector<long long> RemainingAfter(const io::SweepCsv& existing,
                                      const std::vector<long long>& owned,
                                      const std::string& path) {
  for (std::size_t k = 0; k < existing.indices.size(); ++k)
    if (k >= owned.size() || existing.indices[k] != owned[k])
      throw InputError(
          fmt::format("'{}' row {} has index {} where {} was expected: not a prefix of this sweep",
                      path, k + 1, existing.indices[k], k < owned.size() ? owned[k] : -1));
  return {owned.begin() + static_cast<long>(existing.indices.size()), owned.end()};
}

MergedSweep MergeShardsIntoFile(const MergeOptions& o) {
  for (const auto& target : {o.out, o.out + ".json"}) {
    std::error_code ec;
    for (const auto& path : o.shards)
      for (const auto& input : {path, path + ".json"})
        if (std::filesystem::equivalent(target, input, ec))
          throw io::InputError(fmt::format(
              "merge: MergeOptions::out '{}' would overwrite the input '{}' (allowed: a new file)",
              o.out, input));
    if (std::filesystem::exists(target) && !o.force)
      throw io::InputError(fmt::format(
          "merge: MergeOptions::out '{}' exists ('{}'): pass MergeOptions::force to replace it, or "
          "choose another MergeOptions::out",
          o.out, target));
  }
  MergedSweep merged = MergeShards(o.shards);
  io::WriteFileAtomically(o.out, merged.csv, io::LinkPolicy::kFollow);  // the path the user named
  io::WriteFileAtomically(o.out + ".json", merged.sidecar.dump(2) + "\n");
  return merged;
}

}  // namespace valleys::sweep
