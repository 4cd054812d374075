// The single-step LibTorch commands of valleys-realnets (train, sgd-after-swa, profile, line,
// hessian): options -> one realnets call -> CSVs with sidecars and a result table.
#include <filesystem>

#include "progress.hpp"
#include "realnets_options.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::cli {

void RunTrain(realnets::TrainOptions& o, const RunFlags& flags) {
  FinishTrainOptions(o, flags.subset);
  PrepareOutDir(o.out_dir);
  std::string csv = realnets::kEpochCsvHeader;
  const Json meta = realnets::TrainMeta(o);
  Progress progress("optimizer steps", 0);
  const realnets::TrainSummary s = realnets::Train(
      o,
      [&](const realnets::EpochRow& r) {
        csv += realnets::EpochCsvRow(r);
        io::WriteFileAtomically(std::filesystem::path(o.out_dir) / "epochs.csv", csv);
      },
      [&](long long done, long long total) { progress.Update(done, total); });
  progress.Finish();
  realnets::WriteCsv(o.out_dir, "epochs", csv, meta);
  const Json result = realnets::TrainResultJson(s);
  io::WriteFileAtomically(std::filesystem::path(o.out_dir) / "summary.json",
                          Json({{"result", result}, {"meta", meta}}).dump(2) + "\n");
  Emit(Render(result, meta, flags.format), "");
}

void RunSgdAfterSwa(realnets::SgdAfterSwaOptions& o, const RunFlags& flags) {
  FinishTrainOptions(o.base, flags.subset);
  PrepareOutDir(o.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const Json meta = realnets::SgdAfterSwaMeta(o);
  Progress progress("epochs", o.max_epochs);
  const auto r = realnets::SgdAfterSwa(
      o, [&](const realnets::SgdAfterSwaRow& row) { progress.Update(row.epoch); });
  progress.Finish();
  realnets::WriteCsv(o.base.out_dir, "sgd_after_swa", realnets::SgdAfterSwaCsv(r), meta);
  Emit(Render(realnets::SgdAfterSwaResultJson(r), meta, flags.format), "");
}

void RunProfile(ProfileCommand& c) {
  realnets::ProfileOptions& o = c.options;
  FinishTrainOptions(o.probe.base, c.flags.subset);
  std::string why;
  if (!realnets::ParseDirectionLabel(c.law, &o, &why)) throw io::InputError(why);
  if (c.exclude_bn && c.only_bn)
    throw io::InputError("--exclude-bn and --only-bn were both given (allowed: one of them)");
  o.mask = c.exclude_bn ? realnets::ParameterMask::kExcludeBn
           : c.only_bn  ? realnets::ParameterMask::kOnlyBn
                        : realnets::ParameterMask::kAll;
  if (!c.heights.empty()) c.search.heights = ParseNumberList(c.heights, "--heights");
  if (!o.IsValid(&why) || (!c.heights.empty() && !c.search.IsValid(&why)))
    throw io::InputError(why);
  PrepareOutDir(o.probe.base.out_dir);
  const std::filesystem::path out(o.probe.base.out_dir);
  const std::string stem = realnets::ProfileStem(o);
  Json result;
  Json meta;
  if (c.heights.empty()) {
    Progress progress("profile points", o.points);
    const realnets::ProfileResult r =
        realnets::Profile(o, [&](long long done, long long) { progress.Update(done); });
    progress.Finish();
    meta = realnets::ProfileMeta(o, r);
    realnets::WriteCsv(o.probe.base.out_dir, stem, realnets::CurveCsv(r.curve, "t"), meta);
    result = realnets::ProfileResultJson(r, stem + ".csv");
  } else {
    Progress progress("heights found (both sides)",
                      2 * static_cast<long long>(c.search.heights.size()));
    const realnets::HeightProfileResult r = realnets::ProfileAtHeights(
        o, c.search, [&](long long done, long long) { progress.Update(done); });
    progress.Finish();
    meta = realnets::HeightProfileMeta(o, c.search, r);
    realnets::WriteCsv(o.probe.base.out_dir, stem + "_heights", realnets::HeightCsv(r), meta);
    realnets::WriteCsv(o.probe.base.out_dir, stem + "_search", realnets::SearchTraceCsv(r), meta);
    result = realnets::HeightProfileResultJson(r, stem + "_heights.csv");
  }
  if (!c.save_direction.empty()) {
    io::WriteFileAtomically(c.save_direction, realnets::DirectionFileBytes(o));
    result["direction_file"] = c.save_direction;
  }
  Emit(Render(result, meta, c.flags.format), "");
}

void RunLine(realnets::LineOptions& o, const RunFlags& flags) {
  FinishTrainOptions(o.probe.base, flags.subset);
  PrepareOutDir(o.probe.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  Progress progress("line points", o.points);
  const realnets::LineResult r =
      realnets::Line(o, [&](long long done, long long) { progress.Update(done); });
  progress.Finish();
  const Json meta = realnets::LineMeta(o, r);
  const std::string stem = realnets::LineStem(o);
  realnets::WriteCsv(o.probe.base.out_dir, stem, realnets::CurveCsv(r.curve, "alpha"), meta);
  const Json result = realnets::LineResultJson(r, stem + ".csv");
  Emit(Render(result, meta, flags.format), "");
}

void RunHessian(realnets::HessianOptions& o, const RunFlags& flags) {
  FinishTrainOptions(o.base, flags.subset);
  PrepareOutDir(o.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  Progress progress("Hessian power iterations (at most)", o.iterations);
  const realnets::HessianResult r =
      realnets::TopHessianEigenvalue(o, [&](long long done, long long) { progress.Update(done); });
  progress.Finish();
  const Json file = realnets::HessianJson(o, r);
  io::WriteFileAtomically(
      std::filesystem::path(o.base.out_dir) /
          ("hessian_" + realnets::CheckpointName(o.model.empty() ? o.checkpoint : o.model) +
           ".json"),
      file.dump(2) + "\n");
  Emit(Render(file["result"], file["meta"], flags.format), "");
}

}  // namespace valleys::cli
