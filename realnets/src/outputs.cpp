#include "valleys/realnets/outputs.hpp"

#include <cctype>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "saved_direction.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/realnets/asymmetry_json.hpp"

namespace valleys::realnets {

Json RunMeta(const std::string& command, const TrainOptions& o) {
  Json params = {
      {"model", o.model.Describe()},
      {"parameters", CountParameters(o.model)},
      {"bn", o.model.batch_norm},
      {"set", SubsetToString(o.subset)},
      {"train_size", o.train_size},
      {"test_size", o.test_size},
      {"batch", o.batch},
      {"bn_recompute", o.bn_batches == 0 ? std::string("exact (one full pass)")
                                         : fmt::format("first {} batches", o.bn_batches)},
      {"seed", o.seed},
      {"threads", o.threads},
      {"device", DeviceToString(o.device)},
      {"fingerprint", o.Fingerprint()}};
  return Json(io::Metadata("realnets " + command, params));
}

Json ProbeMeta(const std::string& command, const ProbeOptions& p) {
  Json m = RunMeta(command, p.base);
  m["bn_mode"] = BnModeToString(p.bn_mode);
  m["eval_size"] = p.eval_size;
  m["train_eval"] = p.augmented_train_eval ? "augmented" : "clean";
  return m;
}

void WriteCsv(const std::string& dir, const std::string& stem, const std::string& csv,
              const Json& meta) {
  const std::filesystem::path base = std::filesystem::path(dir) / stem;
  io::WriteFileAtomically(base.string() + ".csv", csv);
  io::WriteFileAtomically(base.string() + ".csv.json", meta.dump(2) + "\n");
}

std::string CurveCsv(const ProbeCurve& c, const char* x_name) {
  std::string csv = fmt::format("{},train_loss,train_acc,test_loss,test_acc\n", x_name);
  for (std::size_t i = 0; i < c.t.size(); ++i)
    csv += fmt::format("{},{},{},{},{}\n", c.t[i], c.train_loss[i], c.train_acc[i], c.test_loss[i],
                       c.test_acc[i]);
  return csv;
}

const char* const kEpochCsvHeader =
    "epoch,lr,train_loss,train_acc,test_loss,test_acc,seconds,swa_averaged\n";

std::string EpochCsvRow(const EpochRow& r) {
  return fmt::format("{},{},{},{},{},{},{},{}\n", r.epoch, r.lr, r.train_loss, r.train_acc,
                     r.test_loss, r.test_acc, r.seconds, r.swa_averaged ? 1 : 0);
}

Json TrainMeta(const TrainOptions& o) {
  Json m = RunMeta("train", o);
  m["schedule"] = ScheduleToString(o.schedule);
  m["epochs"] = o.epochs;
  m["lr"] = o.lr_init;
  m["momentum"] = o.momentum;
  m["weight_decay"] = o.weight_decay;
  m["augment"] = o.augment;
  m["batch"] = o.batch;
  if (o.schedule == Schedule::kAirbench) {
    m["swa_epochs"] = o.swa_epochs;
    m["swa_lr_factor"] = o.swa_lr_factor;
    m["centre_eval_size"] = o.centre_eval_size;
    m["micro_batch"] = o.micro_batch;
    if (o.adaptive_clip > 0) m["adaptive_gradient_clip"] = o.adaptive_clip;
  }
  return m;
}

std::string SgdAfterSwaCsv(const SgdAfterSwaResult& r) {
  std::string csv = "epoch,train_loss,test_loss,test_acc,accepted\n";
  for (const auto& row : r.rows)
    csv += fmt::format("{},{},{},{},{}\n", row.epoch, row.train_loss, row.test_loss, row.test_acc,
                       row.accepted ? 1 : 0);
  return csv;
}

Json SgdAfterSwaMeta(const SgdAfterSwaOptions& o) {
  Json m = RunMeta("sgd-after-swa", o.base);
  m["lr"] = o.lr;
  m["max_epochs"] = o.max_epochs;
  m["criterion"] =
      "first epoch with training loss below and test loss above the SWA model's (eval mode, BN "
      "recomputed, clean training images)";
  return m;
}

namespace {
// A TorchScript module measured in place of valleys' network: the metadata names it (file, type,
// parameter count) instead of the model flags, and records where its data came from.
void DescribeScripted(Json& m, const std::string& file, const std::string& description,
                      long long parameters, const TrainOptions& base) {
  if (file.empty()) return;
  m["model"] = description;
  m["model_file"] = file;
  m["parameters"] = parameters;
  for (const char* key : {"bn", "fingerprint"}) m.erase(key);
  m["bn_recompute_rule"] =
      "torch.optim.swa_utils.update_bn: statistics reset, one train-mode pass, cumulative average "
      "of the batch mean and unbiased variance";
  if (!base.train_data.empty()) {
    m["train_data"] = base.train_data;
    m["test_data"] = base.test_data;
    m.erase("set");
  }
}

}  // namespace

Json ProfileDirectionMeta(const ProfileOptions& o, const std::string& checkpoint_sha256,
                          const std::string& description, long long parameters,
                          const std::string& command) {
  Json m = ProbeMeta(command, o.probe);
  m["checkpoint"] = o.model.empty() ? o.checkpoint : o.model;
  m["checkpoint_sha256"] = checkpoint_sha256;
  DescribeScripted(m, o.model, description, parameters, o.probe.base);
  m["direction_law"] = DirectionLabel(o);
  m["direction_index"] = o.direction;
  m["direction_mask"] = ParameterMaskToString(o.mask);
  if (o.remove_radial) m["direction_radial_component"] = "removed per tensor";
  if (!o.exclude_pattern.empty()) m["direction_excludes"] = o.exclude_pattern;
  m["bn_in_direction"] = o.mask != ParameterMask::kExcludeBn;
  if (o.law == DirectionLaw::kFilter) m["filter_1d_policy"] = o.filter_copy_1d ? "copy" : "zero";
  if (!o.eigenvector_file.empty()) {
    m["eigenvector_file"] = o.eigenvector_file;
    m["eigenvector_key"] = detail::SavedDirectionKey(o);
    m["eigenvector_sign"] = "chosen so that cos(d, w) >= 0";
  }
  return m;
}

Json ProfileMeta(const ProfileOptions& o, const ProfileResult& r) {
  Json m = ProfileDirectionMeta(o, r.checkpoint_sha256, r.model_description, r.parameter_count);
  m["range"] = o.range;
  m["points"] = o.points;
  m["bracket_rise"] = o.bracket_rise;
  m["bracket_limit"] = o.bracket_limit;
  m["points_evaluated"] = r.curve.t.size();
  m["direction_norm"] = r.direction_norm;
  m["sign_agreement"] = r.sign_agreement;
  m["weights_norm"] = r.weights_norm;
  m["direction_weight_cosine"] = r.direction_weight_cosine;
  if (!r.direction_file_sha256.empty()) m["eigenvector_file_sha256"] = r.direction_file_sha256;
  return m;
}

Json HeightProfileMeta(const ProfileOptions& o, const HeightSearchOptions& search,
                       const HeightProfileResult& r) {
  Json m = ProfileDirectionMeta(o, r.checkpoint_sha256, r.model_description, r.parameter_count);
  m["mode"] = "height search";
  m["heights"] = search.heights;
  m["max_offset"] = search.max_offset;
  m["first_step"] = search.first_step > 0 ? search.first_step : search.max_offset / 16;
  m["tolerance"] = search.tolerance;
  m["max_refinements"] = search.max_refinements;
  m["search_rule"] =
      "training loss; offsets step outward from first_step to where a power law through the "
      "last two points reaches the next height (1.05x..4x the last offset; max_offset beyond half "
      "of it), then each height's bracket narrows (false position on log rise vs log t, else "
      "bisection) until a point's rise is within tolerance x height or the bracket's relative "
      "width is below tolerance";
  m["evaluations"] = r.search.evaluations;
  m["direction_norm"] = r.direction_norm;
  m["sign_agreement"] = r.sign_agreement;
  return m;
}

namespace {
std::string CsvNumber(double v) {
  return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string();
}
}  // namespace

std::string HeightCsv(const HeightProfileResult& r) {
  std::string csv = kHeightCsvHeader;
  csv += fmt::format("0,0,0,0,0,0,{},{},{},{}\n", CsvNumber(r.search.centre_loss),
                     CsvNumber(r.centre_train_acc), CsvNumber(r.centre_test_loss),
                     CsvNumber(r.centre_test_acc));
  for (const HeightPoint& p : r.points)
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", p.side, CsvNumber(p.height),
                       CsvNumber(p.offset), CsvNumber(p.side * p.offset), CsvNumber(p.rise),
                       p.censored ? 1 : 0, CsvNumber(p.train_loss), CsvNumber(p.train_acc),
                       CsvNumber(p.test_loss), CsvNumber(p.test_acc));
  return csv;
}

std::string SearchTraceCsv(const HeightProfileResult& r) {
  std::string csv = "t,train_loss\n";
  for (std::size_t k = 0; k < r.search.t.size(); ++k)
    csv += fmt::format("{},{}\n", CsvNumber(r.search.t[k]), CsvNumber(r.search.loss[k]));
  return csv;
}

namespace {
Json Finite(double v) {
  return std::isfinite(v) ? Json(v) : Json(std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
}
}  // namespace

Json ScoreJson(const ProfileScore& s) {
  return {{"flat_side", theory::SideName(s.score.flat_side)},
          {"width_ratio", Finite(s.score.width_ratio)},
          {"asymmetric_kappa2", s.score.asymmetric},
          {"height_delta", s.delta},
          {"width_pos", Finite(s.score.width_pos)},
          {"width_neg", Finite(s.score.width_neg)},
          {"fitted_p", s.score.fitted_p},
          {"fitted_c", s.score.fitted_c},
          {"curvature_pos", Finite(s.curvature_pos)},
          {"curvature_neg", Finite(s.curvature_neg)}};
}

namespace {
// The metadata every Hessian output has: the network measured, its sample and BN state.
Json HessianMeta(const HessianOptions& o, const std::string& sha256, const std::string& description,
                 long long parameters) {
  Json meta = RunMeta("hessian", o.base);
  meta["checkpoint"] = o.model.empty() ? o.checkpoint : o.model;
  meta["checkpoint_sha256"] = sha256;
  DescribeScripted(meta, o.model, description, parameters, o.base);
  meta["sample_size"] = o.sample_size;
  meta["bn_mode"] = "frozen (eval mode)";
  meta["parameter_set"] = "every learnable parameter (BN gamma/beta included, BN buffers excluded)";
  return meta;
}
}  // namespace

Json HessianJson(const HessianOptions& o, const HessianResult& r) {
  Json meta = HessianMeta(o, r.checkpoint_sha256, r.model_description, r.parameter_count);
  meta["start_vector"] =
      fmt::format("N(0, 1) per coordinate, unit norm, generator seed 7919 x {} + 17", o.base.seed);
  Json result = Json::object();
  if (r.converged) result["top_eigenvalue"] = r.top_eigenvalue;
  result["converged"] = r.converged;
  result["summary"] = HessianSummary(o, r);
  result["last_rayleigh_quotient"] = r.top_eigenvalue;
  result["iterations"] = r.iterations;
  result["iteration_cap"] = o.iterations;
  result["tolerance"] = o.tolerance;
  result["last_change"] = std::isfinite(r.last_change) ? Json(r.last_change) : Json("nan");
  result["sample_size"] = o.sample_size;
  result["history"] = r.history;
  return Json({{"result", result}, {"meta", meta}});
}

Json HessianSpectrumJson(const HessianSpectrumOptions& o, const HessianSpectrumResult& r,
                         const std::string& density_csv) {
  const HessianOptions& h = o.hessian;
  Json meta = HessianMeta(h, r.checkpoint_sha256, r.model_description, r.parameter_count);
  meta["loss"] = "mean cross-entropy over the sample";
  Json result = Json::object();
  if (o.top_k > 0) {
    // Only the leading converged eigenvalues of each end are results; the rest are listed as not
    // converged. prefix "": top_eigenvalues, residuals, eigenpairs; "bottom_": the smallest.
    const auto list = [&](const std::vector<Eigenpair>& ends, const std::string& prefix) {
      Json values = Json::array(), residuals = Json::array(), pairs = Json::array();
      bool leading = true;
      for (std::size_t i = 0; i < ends.size(); ++i) {
        const Eigenpair& p = ends[i];
        leading = leading && p.converged;
        if (leading) {
          values.push_back(p.value);
          residuals.push_back(p.residual);
        }
        Json e = {{"rank", i + 1},
                  {"residual", p.residual},
                  {"relative_residual", p.residual / std::abs(p.value)},
                  {"converged", p.converged}};
        if (p.converged)
          e["eigenvalue"] = p.value;
        else
          e["status"] =
              fmt::format("not converged: Ritz value {:.6g}, residual {:.3g} above {} x |value|",
                          p.value, p.residual, h.tolerance);
        pairs.push_back(e);
      }
      result[prefix.empty() ? "top_eigenvalues" : prefix + "eigenvalues"] = values;
      result[prefix + "residuals"] = residuals;
      result[prefix + "eigenpairs"] = pairs;
    };
    list(r.top, "");
    if (o.bottom_k > 0) list(r.bottom, "bottom_");
    result["lanczos_steps"] =
        o.lanczos_steps > 0 ? o.lanczos_steps : std::max(2 * (o.top_k + o.bottom_k) + 20, 40);
    result["tolerance"] = h.tolerance;
    meta["top_k_method"] = fmt::format(
        "Lanczos with full reorthogonalization from an N(0, 1) start (seed 7919 x {} + "
        "17); residual ||Hv - lambda v|| from one more product per pair",
        h.base.seed);
    if (!o.save_eigenvectors.empty()) result["eigenvectors_file"] = o.save_eigenvectors;
  }
  if (r.has_trace) {
    result["trace"] = {{"estimate", r.trace.estimate},
                       {"se", r.trace.se},
                       {"ci95", {r.trace.ci_lo, r.trace.ci_hi}},
                       {"probes", r.trace.probes}};
    meta["trace_method"] = fmt::format(
        "Hutchinson, Rademacher probes (seed 7919 x {} + 29); 95% interval: estimate "
        "-+ t(0.975, probes - 1) x se",
        h.base.seed);
  }
  if (r.has_density) {
    result["density_csv"] = density_csv;
    result["density_kernel_variance"] = r.density.variance;
    result["density_probes"] = o.density_options.probes;
    result["density_lanczos_steps"] = r.density.nodes.empty() ? 0 : r.density.nodes.front().size();
    meta["density_method"] = fmt::format(
        "stochastic Lanczos quadrature, Rademacher starts (seed 7919 x {} + 41); Gaussian kernel "
        "of variance {} x max(1, range of the nodes); grid of {} points over the nodes' range "
        "+- 1%",
        h.base.seed, o.density_options.variance_scale, o.density_options.bins);
  }
  result["hessian_vector_products"] = r.products;
  result["sample_size"] = h.sample_size;
  return Json({{"result", result}, {"meta", meta}});
}

std::string ProfileStem(const ProfileOptions& o) {
  std::string law = DirectionLawToString(o.law);
  if (o.law == DirectionLaw::kShiftedGaussian) law += fmt::format("-m{}", o.shift_mean);
  if (o.law == DirectionLaw::kSignAgreement) law += fmt::format("-r{}", o.agreement);
  const char* mask = o.mask == ParameterMask::kExcludeBn ? "_nobn-dir"
                     : o.mask == ParameterMask::kOnlyBn  ? "_bn-only-dir"
                                                         : "";
  std::string excluded;  // the pattern's letters, digits, '-' and '_'; others as '-'
  for (const char ch : o.exclude_pattern)
    excluded += std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' ? ch : '-';
  return fmt::format("profile_{}_{}_d{}_{}{}{}{}",
                     o.model.empty() ? CheckpointName(o.checkpoint)
                                     : std::filesystem::path(o.model).stem().string(),
                     law, o.direction, BnModeToString(o.probe.bn_mode), mask,
                     excluded.empty() ? "" : "_excl-" + excluded,
                     o.remove_radial ? "_no-radial" : "");
}

Json TrainResultJson(const TrainSummary& s) {
  Json result = {{"parameters", s.parameters},
                 {"sgd_train_loss", s.sgd_train_loss},
                 {"sgd_train_acc", s.sgd_train_acc},
                 {"sgd_test_loss", s.sgd_test_loss},
                 {"sgd_test_acc", s.sgd_test_acc}};
  if (!std::isnan(s.sgd_test_acc_tta)) result["sgd_test_acc_tta"] = s.sgd_test_acc_tta;
  if (s.has_swa) {
    result["swa_train_loss"] = s.swa_train_loss;
    result["swa_train_acc"] = s.swa_train_acc;
    result["swa_test_loss"] = s.swa_test_loss;
    result["swa_test_acc"] = s.swa_test_acc;
    if (!std::isnan(s.swa_test_acc_tta)) result["swa_test_acc_tta"] = s.swa_test_acc_tta;
  }
  result["train_images_per_s"] = s.train_images_per_s;
  result["train_seconds"] = s.train_seconds;
  result["run_seconds"] = s.run_seconds;
  return result;
}

Json SgdAfterSwaResultJson(const SgdAfterSwaResult& r) {
  return {{"swa_train_loss", r.swa_train_loss},       {"swa_test_loss", r.swa_test_loss},
          {"accepted_epoch", r.accepted_epoch},       {"sgd_train_loss", r.rows.back().train_loss},
          {"sgd_test_loss", r.rows.back().test_loss}, {"checkpoint", "sgd_after_swa.pt"}};
}

Json ProfileResultJson(const ProfileResult& r, const std::string& file) {
  Json result = {{"profile", file},
                 {"sign_agreement", r.sign_agreement},
                 {"direction_norm", r.direction_norm},
                 {"perturbed_coordinates", r.perturbed}};
  for (const auto& [prefix, score] :
       {std::pair{"train_", &r.train_score}, {"test_", &r.test_score}}) {
    const Json fields = ScoreJson(*score);
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) result[prefix + it.key()] = *it;
  }
  const AsymmetryCriterion criterion;
  result["train_asymmetry"] = AsymmetryReportJson(r.train_asymmetry, criterion);
  result["test_asymmetry"] = AsymmetryReportJson(r.test_asymmetry, criterion);
  ValleyCriterion valley;
  valley.distance_unit = r.train_valley.distance_unit;
  result["train_valley"] = ValleyMeasureJson(r.train_valley, valley);
  result["test_valley"] = ValleyMeasureJson(r.test_valley, valley);
  result["weights_norm"] = r.weights_norm;
  result["direction_weight_cosine"] = r.direction_weight_cosine;
  return result;
}

Json HeightProfileResultJson(const HeightProfileResult& r, const std::string& file) {
  Json result = {{"profile", file},
                 {"evaluations", r.search.evaluations},
                 {"sign_agreement", r.sign_agreement},
                 {"direction_norm", r.direction_norm},
                 {"perturbed_coordinates", r.perturbed}};
  Json widths = Json::array();
  const std::size_t n = r.points.size() / 2;
  for (std::size_t i = 0; i < n; ++i) {
    const HeightPoint& plus = r.points[i];
    const HeightPoint& minus = r.points[n + i];
    const bool censored = plus.censored || minus.censored;
    widths.push_back({{"height", plus.height},
                      {"width_plus", plus.censored ? Json() : Json(plus.offset)},
                      {"width_minus", minus.censored ? Json() : Json(minus.offset)},
                      {"ratio", censored ? Json() : Json(plus.offset / minus.offset)},
                      {"censored", censored}});
  }
  result["width_ratio_at"] = widths;
  return result;
}

Json LineMeta(const LineOptions& o, const LineResult& r) {
  Json meta = ProbeMeta("line", o.probe);
  meta["from"] = o.from;
  meta["to"] = o.to;
  meta["from_sha256"] = r.from_sha256;
  meta["to_sha256"] = r.to_sha256;
  meta["direction_law"] = "line (w_to - w_from, unnormalized; alpha = 0 at from, 1 at to)";
  meta["distance"] = r.distance;
  if (o.scripted)
    DescribeScripted(meta, o.from, r.model_description, r.parameter_count, o.probe.base);
  return meta;
}

std::string LineStem(const LineOptions& o) {
  return fmt::format("line_{}_{}_{}", CheckpointName(o.from), CheckpointName(o.to),
                     BnModeToString(o.probe.bn_mode));
}

Json LineResultJson(const LineResult& r, const std::string& file) {
  return {{"line", file},
          {"distance", r.distance},
          {"slope_beyond_to", r.slope_beyond_to},
          {"slope_beyond_from", r.slope_beyond_from}};
}

}  // namespace valleys::realnets
