// The single-step LibTorch commands of valleys-realnets (train, sgd-after-swa, profile, line,
// hessian): options -> one realnets call -> CSVs with sidecars and a result table.
#include <filesystem>

#include <fmt/format.h>

#include "progress.hpp"
#include "realnets_options.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/asymmetry_json.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::cli {

namespace {

void AddScore(Json& result, const char* prefix, const realnets::ProfileScore& s) {
  const Json score = realnets::ScoreJson(s);
  for (auto it = score.cbegin(); it != score.cend(); ++it) result[prefix + it.key()] = *it;
}

}  // namespace

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
  Json result = {{"parameters", s.parameters},
                 {"sgd_train_loss", s.sgd_train_loss},
                 {"sgd_test_loss", s.sgd_test_loss},
                 {"sgd_test_acc", s.sgd_test_acc}};
  if (s.has_swa) {
    result["swa_train_loss"] = s.swa_train_loss;
    result["swa_test_loss"] = s.swa_test_loss;
    result["swa_test_acc"] = s.swa_test_acc;
  }
  result["train_images_per_s"] = s.train_images_per_s;
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
  Json result = {
      {"swa_train_loss", r.swa_train_loss},       {"swa_test_loss", r.swa_test_loss},
      {"accepted_epoch", r.accepted_epoch},       {"sgd_train_loss", r.rows.back().train_loss},
      {"sgd_test_loss", r.rows.back().test_loss}, {"checkpoint", "sgd_after_swa.pt"}};
  Emit(Render(result, meta, Format::kTable), "");
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
    result = {{"profile", stem + ".csv"},
              {"sign_agreement", r.sign_agreement},
              {"direction_norm", r.direction_norm},
              {"perturbed_coordinates", r.perturbed}};
    AddScore(result, "train_", r.train_score);
    AddScore(result, "test_", r.test_score);
    const realnets::AsymmetryCriterion criterion;
    result["train_asymmetry"] = realnets::AsymmetryReportJson(r.train_asymmetry, criterion);
    result["test_asymmetry"] = realnets::AsymmetryReportJson(r.test_asymmetry, criterion);
  } else {
    const realnets::HeightProfileResult r = realnets::ProfileAtHeights(o, c.search);
    meta = realnets::HeightProfileMeta(o, c.search, r);
    realnets::WriteCsv(o.probe.base.out_dir, stem + "_heights", realnets::HeightCsv(r), meta);
    realnets::WriteCsv(o.probe.base.out_dir, stem + "_search", realnets::SearchTraceCsv(r), meta);
    result = {{"profile", stem + "_heights.csv"},
              {"evaluations", r.search.evaluations},
              {"sign_agreement", r.sign_agreement},
              {"direction_norm", r.direction_norm},
              {"perturbed_coordinates", r.perturbed}};
    Json widths = Json::array();
    const std::size_t n = c.search.heights.size();
    for (std::size_t i = 0; i < n; ++i) {
      const realnets::HeightPoint& plus = r.points[i];
      const realnets::HeightPoint& minus = r.points[n + i];
      // A censored side has no width (null), and the ratio is then only a bound (null).
      const bool censored = plus.censored || minus.censored;
      widths.push_back({{"height", plus.height},
                        {"width_plus", plus.censored ? Json() : Json(plus.offset)},
                        {"width_minus", minus.censored ? Json() : Json(minus.offset)},
                        {"ratio", censored ? Json() : Json(plus.offset / minus.offset)},
                        {"censored", censored}});
    }
    result["width_ratio_at"] = widths;
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
  Json meta = realnets::ProbeMeta("line", o.probe);
  meta["from"] = o.from;
  meta["to"] = o.to;
  meta["from_sha256"] = r.from_sha256;
  meta["to_sha256"] = r.to_sha256;
  meta["direction_law"] = "line (w_to - w_from, unnormalized; alpha = 0 at from, 1 at to)";
  meta["distance"] = r.distance;
  const std::string stem =
      fmt::format("line_{}_{}_{}", realnets::CheckpointName(o.from), realnets::CheckpointName(o.to),
                  realnets::BnModeToString(o.probe.bn_mode));
  realnets::WriteCsv(o.probe.base.out_dir, stem, realnets::CurveCsv(r.curve, "alpha"), meta);
  Json result = {{"line", stem + ".csv"},
                 {"distance", r.distance},
                 {"slope_beyond_to", r.slope_beyond_to},
                 {"slope_beyond_from", r.slope_beyond_from}};
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
