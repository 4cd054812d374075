#include "valleys/realnets/commands.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::realnets {

namespace {

namespace fs = std::filesystem;

template <class Options>
void Check(const Options& options) {
  std::string why;
  if (!options.IsValid(&why)) throw io::InputError(why);
}

// Refuses an empty run folder and creates it, before any work.
void PrepareRunFolder(const std::string& out_dir) {
  if (out_dir.empty())
    throw io::InputError(
        "TrainOptions::out_dir is empty (allowed: a folder, created when missing)");
  io::EnsureDirectory(out_dir);
}

// The probes' progress in `unit`s.
ProbeProgress Counting(const RunProgress& progress, const char* unit) {
  if (!progress) return {};
  return [progress, unit](long long done, long long total) { progress(unit, done, total); };
}

}  // namespace

RunOutput TrainCommand(const TrainOptions& o, const RunProgress& progress) {
  Check(o);
  PrepareRunFolder(o.out_dir);
  std::string csv = kEpochCsvHeader;
  RunOutput out;
  out.meta = TrainMeta(o);
  const TrainSummary s = Train(
      o,
      [&](const EpochRow& r) {
        csv += EpochCsvRow(r);
        io::WriteFileAtomically(fs::path(o.out_dir) / "epochs.csv", csv);
      },
      Counting(progress, "optimizer steps"));
  WriteCsv(o.out_dir, "epochs", csv, out.meta);
  out.result = TrainResultJson(s);
  io::WriteFileAtomically(fs::path(o.out_dir) / "summary.json",
                          Json({{"result", out.result}, {"meta", out.meta}}).dump(2) + "\n");
  return out;
}

RunOutput SgdAfterSwaCommand(const SgdAfterSwaOptions& o, const RunProgress& progress) {
  Check(o);
  PrepareRunFolder(o.base.out_dir);
  RunOutput out;
  out.meta = SgdAfterSwaMeta(o);
  const SgdAfterSwaResult r = SgdAfterSwa(o, [&](const SgdAfterSwaRow& row) {
    if (progress) progress("epochs", row.epoch, o.max_epochs);
  });
  WriteCsv(o.base.out_dir, "sgd_after_swa", SgdAfterSwaCsv(r), out.meta);
  out.result = SgdAfterSwaResultJson(r);
  return out;
}

RunOutput ProfileCommand(const ProfileCommandOptions& options, const RunProgress& progress) {
  const ProfileOptions& o = options.profile;
  Check(o);
  if (options.heights) Check(*options.heights);
  const std::string& dir = o.probe.base.out_dir;
  PrepareRunFolder(dir);
  const std::string stem = ProfileStem(o);
  RunOutput out;
  if (!options.heights) {
    const ProfileResult r = Profile(o, Counting(progress, "profile points"));
    out.meta = ProfileMeta(o, r);
    WriteCsv(dir, stem, CurveCsv(r.curve, "t"), out.meta);
    out.result = ProfileResultJson(r, stem + ".csv");
  } else {
    const HeightProfileResult r =
        ProfileAtHeights(o, *options.heights, Counting(progress, "heights found (both sides)"));
    out.meta = HeightProfileMeta(o, *options.heights, r);
    WriteCsv(dir, stem + "_heights", HeightCsv(r), out.meta);
    WriteCsv(dir, stem + "_search", SearchTraceCsv(r), out.meta);
    out.result = HeightProfileResultJson(r, stem + "_heights.csv");
  }
  if (!options.save_direction.empty()) {
    io::WriteFileAtomically(options.save_direction, DirectionFileBytes(o),
                            io::LinkPolicy::kFollow);  // the path the user named
    out.result["direction_file"] = options.save_direction;
  }
  return out;
}

RunOutput LineCommand(const LineOptions& o, const RunProgress& progress) {
  Check(o);
  PrepareRunFolder(o.probe.base.out_dir);
  const LineResult r = Line(o, Counting(progress, "line points"));
  RunOutput out;
  out.meta = LineMeta(o, r);
  const std::string stem = LineStem(o);
  WriteCsv(o.probe.base.out_dir, stem, CurveCsv(r.curve, "alpha"), out.meta);
  out.result = LineResultJson(r, stem + ".csv");
  return out;
}

RunOutput HessianCommand(const HessianOptions& o, const RunProgress& progress) {
  Check(o);
  PrepareRunFolder(o.base.out_dir);
  const HessianResult r =
      TopHessianEigenvalue(o, Counting(progress, "Hessian power iterations (at most)"));
  const Json file = HessianJson(o, r);
  const std::string name = CheckpointName(o.model.empty() ? o.checkpoint : o.model);
  io::WriteFileAtomically(fs::path(o.base.out_dir) / ("hessian_" + name + ".json"),
                          file.dump(2) + "\n");
  return {file["result"], file["meta"]};
}

RunOutput HessianSpectrumCommand(const HessianSpectrumOptions& o, const RunProgress& progress) {
  Check(o);
  PrepareRunFolder(o.hessian.base.out_dir);
  const HessianSpectrumResult r =
      HessianSpectrum(o, Counting(progress, "Hessian-vector products (at most)"));
  const std::string name =
      CheckpointName(o.hessian.model.empty() ? o.hessian.checkpoint : o.hessian.model);
  const std::string density_stem = "hessian_density_" + name;
  Json file = HessianSpectrumJson(o, r, r.has_density ? density_stem + ".csv" : "");
  if (r.has_density) {
    std::string csv = "lambda,density\n";
    for (std::size_t i = 0; i < r.density.lambda.size(); ++i)
      csv += fmt::format("{:.17g},{:.17g}\n", r.density.lambda[i], r.density.density[i]);
    WriteCsv(o.hessian.base.out_dir, density_stem, csv, file["meta"]);
  }
  io::WriteFileAtomically(fs::path(o.hessian.base.out_dir) / ("hessian_spectrum_" + name + ".json"),
                          file.dump(2) + "\n");
  return {file["result"], file["meta"]};
}

}  // namespace valleys::realnets
