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

void RunTrain(realnets::TrainOptions& o, const std::string& subset) {
  FinishTrainOptions(o, subset);
  PrepareOutDir(o.out_dir);
  std::string csv = realnets::kEpochCsvHeader;
  const Json meta = realnets::TrainMeta(o);
  Progress progress("epochs", o.epochs);
  const realnets::TrainSummary s = realnets::Train(o, [&](const realnets::EpochRow& r) {
    csv += realnets::EpochCsvRow(r);
    io::WriteFileAtomically(std::filesystem::path(o.out_dir) / "epochs.csv", csv);
    progress.Update(r.epoch);
  });
  progress.Finish();
  realnets::WriteCsv(o.out_dir, "epochs", csv, meta);
  const Json result = realnets::TrainResultJson(s);
  io::WriteFileAtomically(std::filesystem::path(o.out_dir) / "summary.json",
                          Json({{"result", result}, {"meta", meta}}).dump(2) + "\n");
  Emit(Render(result, meta, Format::kTable), "");
}

void RunSgdAfterSwa(realnets::SgdAfterSwaOptions& o, const std::string& subset) {
  FinishTrainOptions(o.base, subset);
  PrepareOutDir(o.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const Json meta = realnets::SgdAfterSwaMeta(o);
  Progress progress("epochs", o.max_epochs);
  const auto r = realnets::SgdAfterSwa(
      o, [&](const realnets::SgdAfterSwaRow& row) { progress.Update(row.epoch); });
  progress.Finish();
  realnets::WriteCsv(o.base.out_dir, "sgd_after_swa", realnets::SgdAfterSwaCsv(r), meta);
  Emit(Render(realnets::SgdAfterSwaResultJson(r), meta, Format::kTable), "");
}

void RunProfile(ProfileCommand& c) {
  realnets::ProfileOptions& o = c.options;
  FinishTrainOptions(o.probe.base, c.subset);
  std::string why;
  if (!realnets::ParseDirectionLabel(c.law, &o, &why)) throw io::InputError(why);
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
    const realnets::ProfileResult r = realnets::Profile(o);
    meta = realnets::ProfileMeta(o, r);
    realnets::WriteCsv(o.probe.base.out_dir, stem, realnets::CurveCsv(r.curve, "t"), meta);
    result = realnets::ProfileResultJson(r, stem + ".csv");
  } else {
    const realnets::HeightProfileResult r = realnets::ProfileAtHeights(o, c.search);
    meta = realnets::HeightProfileMeta(o, c.search, r);
    realnets::WriteCsv(o.probe.base.out_dir, stem + "_heights", realnets::HeightCsv(r), meta);
    realnets::WriteCsv(o.probe.base.out_dir, stem + "_search", realnets::SearchTraceCsv(r), meta);
    result = realnets::HeightProfileResultJson(r, stem + "_heights.csv");
  }
  if (!c.save_direction.empty()) {
    io::WriteFileAtomically(c.save_direction, realnets::DirectionFileBytes(o));
    result["direction_file"] = c.save_direction;
  }
  Emit(Render(result, meta, Format::kTable), "");
}

void RunLine(realnets::LineOptions& o, const std::string& subset) {
  FinishTrainOptions(o.probe.base, subset);
  PrepareOutDir(o.probe.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const realnets::LineResult r = realnets::Line(o);
  const Json meta = realnets::LineMeta(o, r);
  const std::string stem = realnets::LineStem(o);
  realnets::WriteCsv(o.probe.base.out_dir, stem, realnets::CurveCsv(r.curve, "alpha"), meta);
  const Json result = realnets::LineResultJson(r, stem + ".csv");
  Emit(Render(result, meta, Format::kTable), "");
}

void RunHessian(realnets::HessianOptions& o, const std::string& subset) {
  FinishTrainOptions(o.base, subset);
  PrepareOutDir(o.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const realnets::HessianResult r = realnets::TopHessianEigenvalue(o);
  const Json file = realnets::HessianJson(o, r);
  io::WriteFileAtomically(std::filesystem::path(o.base.out_dir) /
                              ("hessian_" + realnets::CheckpointName(o.checkpoint) + ".json"),
                          file.dump(2) + "\n");
  Emit(Render(file["result"], file["meta"], Format::kTable), "");
}

}  // namespace valleys::cli
