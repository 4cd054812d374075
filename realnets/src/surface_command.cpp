// `valleys realnets surface`: the surface's files (commands.hpp). While the grid is evaluated,
// STEM.partial.csv and its sidecar hold the points so far (rewritten atomically after each); a
// run with the same options on the same checkpoint resumes from them. At the end STEM.csv and
// STEM.csv.json are written and the partial files removed.
#include <filesystem>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/commands.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::realnets {

namespace {

namespace fs = std::filesystem;

// The sidecar's fields that name the run rather than the surface; the rest must be equal for a
// partial surface to be resumed.
Json ResumeKey(Json meta) {
  for (const char* key : {"command_line", "created", "host", "processor", "checkpoint_sha256",
                          "resumed_points", "points_evaluated", "complete"})
    meta.erase(key);
  // A TorchScript model's description and size come from its file, which the SHA-256 covers.
  if (meta.contains("model_file")) meta.erase("model"), meta.erase("parameters");
  return meta;
}

Json Meta(const SurfaceOptions& o, const SurfaceResult& r) {
  Json m = ProfileDirectionMeta(o.first, r.checkpoint_sha256, r.model_description,
                                r.parameter_count, "surface");
  m["direction_index_2"] = o.SecondDirection();
  m["grid"] = "w(a, b) = w_centre + a d1 + b d2; a outer, b inner, both ascending";
  m["range_a"] = o.first.range, m["points_a"] = o.first.points;
  m["range_b"] = o.RangeB(), m["points_b"] = o.PointsB();
  m["columns"] = Json::array();
  for (const SurfaceField& f : SurfacePointFields())
    m["columns"].push_back({{"name", f.name}, {"unit", f.unit}, {"meaning", f.meaning}});
  return m;
}

Json ResultJson(const SurfaceResult& r, const std::string& csv) {
  Json j = {{"surface", csv},
            {"points", r.points.size()},
            {"resumed_points", r.resumed},
            {"range_a", r.range_a},
            {"range_b", r.range_b},
            {"points_a", r.points_a},
            {"points_b", r.points_b},
            {"norm_d1", r.norm_d1},
            {"norm_d2", r.norm_d2},
            {"cosine_d1_d2", r.cosine_d1_d2},
            {"sign_agreement_d1", r.sign_agreement_d1},
            {"sign_agreement_d2", r.sign_agreement_d2},
            {"perturbed", r.perturbed}};
  const SurfacePoint* lowest = nullptr;
  for (const SurfacePoint& p : r.points)
    if (!lowest || p.train_loss < lowest->train_loss) lowest = &p;
  for (const SurfacePoint& p : r.points)
    if (p.a == 0 && p.b == 0)
      j["centre"] = {{"train_loss", p.train_loss},
                     {"test_loss", p.test_loss},
                     {"train_acc", p.train_acc},
                     {"test_acc", p.test_acc}};
  if (lowest)
    j["lowest_train_loss"] = {{"a", lowest->a},
                              {"b", lowest->b},
                              {"train_loss", lowest->train_loss},
                              {"test_loss", lowest->test_loss}};
  if (r.has_mark)
    j["mark"] = {{"source", r.mark.source},
                 {"sha256", r.mark.sha256},
                 {"a", r.mark.a},
                 {"b", r.mark.b},
                 {"out_of_plane", r.mark.out_of_plane},
                 {"distance", r.mark.distance},
                 {"inside_grid", r.mark.inside_grid}};
  return j;
}

std::string Csv(const std::vector<SurfacePoint>& points) {
  std::string csv = SurfaceCsvHeader();
  for (const SurfacePoint& p : points) csv += SurfaceCsvRow(p);
  return csv;
}

}  // namespace

std::string SurfaceStem(const SurfaceOptions& o) {
  // The profile's stem of d1 with both indices: surface_<checkpoint>_<law>_d<i>-<j>_<bn mode>...
  std::string stem = ProfileStem(o.first).substr(std::string("profile_").size());
  const std::string index = fmt::format("_d{}_", o.first.direction);
  const std::size_t at = stem.find(index);
  return "surface_" + stem.replace(at, index.size(),
                                   fmt::format("_d{}-{}_", o.first.direction, o.SecondDirection()));
}

RunOutput SurfaceCommand(const SurfaceCommandOptions& options, const RunProgress& progress) {
  const SurfaceOptions& o = options.surface;
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const std::string& dir = o.first.probe.base.out_dir;
  if (dir.empty())
    throw io::InputError(
        "TrainOptions::out_dir is empty (allowed: a folder, created when missing)");
  io::EnsureDirectory(dir);
  const std::string stem = SurfaceStem(o);
  const fs::path partial = fs::path(dir) / (stem + ".partial.csv");
  const fs::path partial_meta = fs::path(dir) / (stem + ".partial.csv.json");

  // The partial surface of an earlier run, when its options are these.
  std::vector<SurfacePoint> known;
  std::string known_sha256;
  const Json key = ResumeKey(Meta(o, SurfaceResult{}));
  if (fs::exists(partial) && fs::exists(partial_meta)) {
    Json stored;
    try {
      stored = Json::parse(io::ReadFile(partial_meta));
    } catch (const Json::exception&) {
      stored = Json::object();  // cut short: the points are evaluated again
    }
    if (stored.is_object() && stored.contains("checkpoint_sha256") && ResumeKey(stored) == key) {
      known = ParseSurfaceCsv(io::ReadFile(partial), partial.string());
      known_sha256 = stored["checkpoint_sha256"].get<std::string>();
    }
  }
  const SurfaceResult r = Surface(
      o, known, known_sha256,
      [&](const SurfaceResult& so_far) {
        Json m = Meta(o, so_far);
        m["complete"] = false;
        m["points_evaluated"] = so_far.points.size();
        io::WriteFileAtomically(partial.string(), Csv(so_far.points));
        io::WriteFileAtomically(partial_meta.string(), m.dump(2) + "\n");
      },
      [&](long long done, long long total) {
        if (progress) progress("surface points", done, total);
      });
  RunOutput out;
  out.meta = Meta(o, r);
  out.meta["points_evaluated"] = r.points.size() - static_cast<std::size_t>(r.resumed);
  out.meta["resumed_points"] = r.resumed;
  if (r.has_mark) out.meta["mark"] = ResultJson(r, "")["mark"];
  WriteCsv(dir, stem, Csv(r.points), out.meta);
  std::error_code ignored;
  fs::remove(partial, ignored);
  fs::remove(partial_meta, ignored);
  out.result = ResultJson(r, stem + ".csv");
  if (!options.save_directions.empty()) {
    io::WriteFileAtomically(options.save_directions, SurfaceDirectionsFileBytes(o),
                            io::LinkPolicy::kFollow);  // the path the user named
    out.result["directions_file"] = options.save_directions;
  }
  return out;
}

}  // namespace valleys::realnets
