#include "experiment_job.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "hessian_directions.hpp"
#include "profile_resume.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/csv_field.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/realnets/outputs.hpp"
#include "valleys/realnets/valley_measure.hpp"

namespace valleys::realnets::detail {

const char* const kProfileSummaryHeader =
    "seed,variant,checkpoint,law,direction,sign_agreement,direction_norm,asymmetric,flat_side,"
    "detrended_ratio,signed_log10_ratio,tilt,min_offset,rise_plus,rise_minus,width_ratio_0.1,"
    "width_ratio_0.5,slope_ratio,test_asymmetric,test_flat_side,test_detrended_ratio,"
    "shift_delta,shift_ratio,width_rule_flat_side,width_rule_ratio,matched_height,"
    "log10_width_ratio_matched,points,valley_bracketed,valley_height,valley_log10_ratio,"
    "valley_flat_side,valley_min_offset,valley_reference,weights_norm,direction_weight_cosine\n";
const char* const kProfileCurvesHeader =
    "variant_id,law_id,direction,t,train_rise,test_rise,variant,law,checkpoint\n";
const char* const kDirectionGroupsHeader =
    "seed,variant,checkpoint,law,directions,n_eff,mean_cosine\n";
const char* const kSwaBiasHeader =
    "seed,direction,snapshots,mean,sd,skewness,range,minimum,ratio,flat_side,measured_bias,"
    "measured_p_flat,eta_eff,noise_std,predicted,predicted_bias,predicted_p_flat,predicted_sd,"
    "why_not,folded_bias,folded_p_flat,folded_sd,window_half_width,window_below,window_above,"
    "halves_shift,sd_ratio,admitted,not_admitted\n";
const char* const kSwaBiasFigureHeader =
    "seed,kind,measured_bias_sd,predicted_bias_sd,measured_p_flat,predicted_p_flat,flat_side,"
    "direction\n";

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

struct ProfileJob {
  std::string checkpoint;
  DirectionLaw law;
  int direction;
  std::string family = "";            // a direction label (Variant::families); empty: `law`
  double range = 0;                   // 0: the preset's for the law
  std::string eigenvector_file = "";  // the hessian laws
};

// A profile's row of profiles_summary.csv and, when drawn, its rows of figures/profiles.csv.
void AddProfileRows(JobRecord& rec, const Variant& v, const ProfileOptions& o,
                    const ProfileResult& r, const ShiftFit& shift, bool drawn) {
  const auto& c = r.curve;
  const std::size_t centre = c.t.size() / 2;
  const std::string law = DirectionLabel(o);
  if (drawn)
    for (std::size_t i = 0; i < c.t.size(); ++i)
      rec.curve_rows += fmt::format("{},{},{},{},{},{},{},{},{}\n", v.code, DirectionLawCode(o.law),
                                    o.direction, c.t[i], c.train_loss[i] - c.train_loss[centre],
                                    c.test_loss[i] - c.test_loss[centre], v.id, law, o.checkpoint);
  const AsymmetryReport& a = r.train_asymmetry;
  const AsymmetryReport& at = r.test_asymmetry;
  double matched_height = 0;
  const double log_width = MatchedHeightLogWidthRatio(a, &matched_height);
  rec.summary_rows += fmt::format(
      "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
      rec.seed, v.id, o.checkpoint, law, o.direction, r.sign_agreement, r.direction_norm,
      a.asymmetric ? 1 : 0, theory::SideName(a.flat_side), ShortNumber(a.detrended_ratio),
      SignedLogRatio(a), a.tilt, a.min_offset, a.rise_ratio_at.back().rise_plus,
      a.rise_ratio_at.back().rise_minus, ShortNumber(a.width_ratio_at[1].ratio),
      ShortNumber(a.width_ratio_at[3].ratio), ShortNumber(a.slope_ratio), at.asymmetric ? 1 : 0,
      theory::SideName(at.flat_side), ShortNumber(at.detrended_ratio), shift.delta,
      ShortNumber(shift.ratio), theory::SideName(r.train_score.score.flat_side),
      ShortNumber(r.train_score.score.width_ratio), ShortNumber(matched_height),
      ShortNumber(log_width));
  const ValleyMeasure& m = r.train_valley;
  rec.summary_rows.pop_back();  // the row goes on with the valley measured from its minimum
  rec.summary_rows += fmt::format(
      ",{},{},{},{},{},{},{},{},{}\n", c.t.size(), m.bracketed ? 1 : 0, m.comparison_height,
      m.bracketed ? ShortNumber(m.log10_ratio) : std::string("NaN"), theory::SideName(m.flat_side),
      m.min_offset, m.reference, r.weights_norm, r.direction_weight_cosine);
}

// C18's rows as CSV (no header): one per direction, the biases in units of the iterates' spread.
std::string SwaBiasRows(std::uint64_t seed, const SwaBiasResult& r) {
  std::string csv;
  for (const auto& w : r.rows)
    csv += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
        seed, w.direction, w.snapshots, w.mean, w.sd, w.skewness, w.range, w.minimum,
        ShortNumber(w.ratio), theory::SideName(w.flat_side), w.measured_bias, w.measured_p_flat,
        w.eta_eff, w.noise_std, w.predicted ? 1 : 0,
        w.predicted ? fmt::format("{}", w.predicted_bias) : "NaN",
        w.predicted ? fmt::format("{}", w.predicted_p_flat) : "NaN",
        w.predicted ? fmt::format("{}", w.predicted_sd) : "NaN", io::CsvField(w.why_not),
        w.folded ? fmt::format("{}", w.folded_bias) : "NaN",
        w.folded ? fmt::format("{}", w.folded_p_flat) : "NaN",
        w.folded ? fmt::format("{}", w.folded_sd) : "NaN", w.window_half_width, w.window_below,
        w.window_above, w.halves_shift, w.sd_ratio, w.admitted ? 1 : 0,
        io::CsvField(w.not_admitted));
  return csv;
}

int SideCode(theory::Side s) {
  return s == theory::Side::kPositive ? 1 : s == theory::Side::kNegative ? -1 : 0;
}

}  // namespace

TrainOptions JobTrainOptions(const JobContext& c) {
  TrainOptions o = c.base;
  o.seed = c.seed;
  o.model = c.variant->model;
  if (o.schedule != Schedule::kAirbench) o.schedule = c.variant->schedule;
  o.lr_init *= c.variant->lr_factor;
  o.adaptive_clip = c.variant->adaptive_clip;
  o.out_dir = (fs::path(SeedDirectory(*c.options, c.seed)) / c.variant->id).string();
  o.record_every = c.variant->id == "bn" ? c.options->preset.record_every : 0;
  return o;
}

JobRecord RunJob(const JobContext& c) {
  const Preset& preset = c.options->preset;
  const Variant& v = *c.variant;
  const auto start = Clock::now();
  auto begin = start;
  JobRecord rec;
  rec.seed = c.seed;
  rec.variant = v.id;
  const auto stage = [&](const std::string& name) {
    const auto now = Clock::now();
    if (!rec.stage_seconds.empty()) rec.stage_seconds.back().second = Seconds(begin, now);
    begin = now;
    rec.stage_seconds.emplace_back(name, 0.0);
    if (c.on_stage) c.on_stage(name);
  };
  const auto progress = [&](const char* unit, long long done, long long total) {
    if (c.on_progress) c.on_progress(unit, done, total);
  };

  // 1. Training (resumed from its saved state).
  stage("training");
  const TrainOptions run = JobTrainOptions(c);
  // A finished training is read back from trained.json (its summary and the fingerprint of the
  // options that produced it) instead of being finalized again, provided its checkpoints are
  // there. A run folder restored from an archive without checkpoints trains again; the profiles
  // it holds are reused only where the new checkpoint's SHA-256 equals the one they name.
  const fs::path trained_path = fs::path(run.out_dir) / "trained.json";
  bool trained = false;
  if (fs::exists(trained_path) && fs::exists(fs::path(run.out_dir) / "swa.pt") &&
      fs::exists(fs::path(run.out_dir) / "sgd.pt")) {
    const Json j = Json::parse(io::ReadFile(trained_path.string()), nullptr, false);
    if (j.is_object() && j.value("fingerprint", "") == run.Fingerprint() && j.contains("record")) {
      rec.trained = JobRecordFromJson(j["record"], trained_path.string()).trained;
      trained = true;
    }
  }
  if (!trained) {
    std::string csv = kEpochCsvHeader;
    bool started = false;
    rec.trained = Train(
        run, [&](const EpochRow& r) { csv += EpochCsvRow(r); },
        [&](long long done, long long total) {
          if (!started) progress("optimizer steps", 0, total);
          started = true;
          progress("optimizer steps", done, total);
        });
    WriteCsv(run.out_dir, "epochs", csv, TrainMeta(run));
    Json training = {{"metadata", TrainMeta(run)}, {"result", TrainResultJson(rec.trained)}};
    io::WriteFileAtomically(fs::path(run.out_dir) / "training.json", training.dump(2) + "\n");
    JobRecord only_training;
    only_training.seed = rec.seed;
    only_training.variant = rec.variant;
    only_training.trained = rec.trained;
    const Json t = {{"fingerprint", run.Fingerprint()}, {"record", JobRecordToJson(only_training)}};
    io::WriteFileAtomically(trained_path, t.dump(1) + "\n");
  }
  if (c.options->train_only) return rec;

  // 2. SGD after SWA (the BN network).
  SgdAfterSwaResult after;
  if (v.id == "bn") {
    stage("sgd_after_swa");
    SgdAfterSwaOptions a;
    a.base = run;
    a.lr = preset.after_lr;
    a.max_epochs = preset.after_max_epochs;
    a.stop_when_accepted = !preset.paper_regime;  // the pre-registered rules: exactly max_epochs
    after = SgdAfterSwa(a);
    WriteCsv(run.out_dir, "sgd_after_swa", SgdAfterSwaCsv(after), SgdAfterSwaMeta(a));
    rec.after = {after.accepted_epoch, static_cast<int>(after.rows.size())};
  }

  // 3. The Hessian's extreme eigenvectors at the SWA solution, profiled below like the laws.
  std::vector<ProfileJob> jobs;
  if (v.hessian_directions && preset.hessian_directions > 0) {
    stage("hessian_directions");
    const HessianDirections h = HessianDirectionsOrResume(run, preset);
    rec.hessian_directions = h.rows;
    for (const auto& row : h.rows)
      jobs.push_back({"swa",
                      row.end == "top" ? DirectionLaw::kHessianTop : DirectionLaw::kHessianBottom,
                      row.rank - 1, "", row.range, h.vectors_file});
  }

  // 4. Profiles: the laws and families at the SWA solution; C10: the SGD solution of bn and
  // bn-sgd.
  stage("profiles");
  for (const auto& law : v.laws)
    for (int k = 0; k < preset.directions; ++k) jobs.push_back({"swa", law, k, ""});
  for (const auto& family : v.families)
    for (int k = 0;
         k < (family == "ones" || family == "logit-scale" ? 1 : preset.family_directions); ++k)
      jobs.push_back({"swa", DirectionLaw::kUniform01, k, family});
  if (v.id == "bn" || v.id == "bn-sgd")
    for (int k = 0; k < preset.directions; ++k)
      jobs.push_back({"sgd", DirectionLaw::kUniform01, k, ""});
  std::map<std::pair<std::string, std::string>, std::vector<ProfileOptions>> group_options;
  std::vector<ProbeCurve> swa_uniform;  // C12's mismatched pairs (bn)
  {
    const long long total = static_cast<long long>(jobs.size());
    long long done = 0;
    progress("profiles", 0, total);
    for (const auto& job : jobs) {
      ProfileOptions o;
      o.probe.base = run;
      o.probe.eval_size = preset.eval_size;
      o.checkpoint = job.checkpoint;
      o.law = job.law;
      std::string family_why;
      if (!job.family.empty() && !ParseDirectionLabel(job.family, &o, &family_why))
        throw std::invalid_argument("Variant::families: " + family_why);
      o.direction = job.direction;
      o.eigenvector_file = job.eigenvector_file;
      o.range = job.range > 0                    ? job.range
                : o.law == DirectionLaw::kFilter ? preset.filter_range
                                                 : preset.range;
      o.points = preset.points;
      o.bracket_rise = preset.bracket_rise;
      o.bracket_limit = preset.bracket_limit;
      const ProfileResult r = ProfileOrResume(run.out_dir, o);
      const auto& curve = r.curve;
      const ShiftFit shift = FitShift(curve.t, curve.train_loss, curve.test_loss, o.range / 2);
      WriteCsv(run.out_dir, ProfileStem(o), CurveCsv(curve, "t"), ProfileMeta(o, r));
      AddProfileRows(rec, v, o, r, shift, c.first_seed && job.family.empty());
      const std::string label = DirectionLabel(o);
      DirectionRecord d{c.seed,
                        v.id,
                        job.checkpoint,
                        label,
                        r.train_asymmetry.asymmetric,
                        r.train_asymmetry.flat_side,
                        SignedLogRatio(r.train_asymmetry),
                        r.sign_agreement,
                        shift.ratio,
                        MatchedHeightLogWidthRatio(r.train_asymmetry)};
      d.direction = job.direction;
      d.valley_log10_ratio = r.train_valley.bracketed ? r.train_valley.log10_ratio : std::nan("");
      d.valley_height = r.train_valley.comparison_height;
      d.direction_weight_cosine = r.direction_weight_cosine;
      rec.directions.push_back(d);
      if (v.id == "bn" && job.checkpoint == "swa" && label == "uniform01")
        swa_uniform.push_back(curve);
      group_options[{job.checkpoint, label}].push_back(o);
      progress("profiles", ++done, total);
    }
  }
  // C12's controls: the test profile of one direction against the training profile of another.
  for (std::size_t i = 0; i < swa_uniform.size(); ++i)
    for (std::size_t j = 0; j < swa_uniform.size(); ++j)
      if (i != j)
        rec.mismatched.push_back(FitShift(swa_uniform[i].t, swa_uniform[i].train_loss,
                                          swa_uniform[j].test_loss, preset.range / 2)
                                     .ratio);
  // How independent the directions of each checkpoint and law are.
  for (const auto& [key, profiles] : group_options) {
    const std::vector<double> gram = DirectionCosines(profiles);
    const int m = static_cast<int>(profiles.size());
    double off = 0;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j)
        if (i != j) off += gram[static_cast<std::size_t>(i * m + j)];
    const double mean_cosine = m > 1 ? off / (m * (m - 1)) : std::nan("");
    DirectionGroup g{v.id, key.first, key.second, EffectiveCount(gram, m), mean_cosine, c.seed};
    rec.groups.push_back(g);
    rec.groups_rows += fmt::format("{},{},{},{},{},{},{}\n", c.seed, v.id, key.first, key.second, m,
                                   g.n_eff, ShortNumber(mean_cosine));
  }

  // 5. The SWA-SGD line and 6. C18 (the BN network).
  if (v.id == "bn") {
    stage("line");
    LineOptions line;
    line.probe.base = run;
    line.probe.eval_size = preset.eval_size;
    line.points = preset.line_points;
    const LineResult line_result = Line(line);
    rec.has_line = true;
    rec.line = LineNumbersOf(line_result, after);
    rec.line_meta = ProbeMeta("line", line.probe);
    rec.line_meta["from"] = line.from;
    rec.line_meta["to"] = line.to;
    rec.line_meta["distance"] = line_result.distance;
    rec.line_csv = CurveCsv(line_result.curve, "alpha");
    WriteCsv(run.out_dir, "line_swa_sgd_after_swa_recompute", rec.line_csv, rec.line_meta);
  }
  // C18 needs one rate for every coordinate: the airbench recipe trains the BN biases at 64x the
  // rate, so its iterates are recorded but not yet measured (docs/realnets.md).
  if (v.id == "bn" && preset.record_every > 0 && run.schedule != Schedule::kAirbench) {
    stage("swa_bias");
    SwaBiasOptions sb;
    sb.probe.base = run;
    sb.probe.eval_size = preset.eval_size;
    for (const DirectionLaw law : {DirectionLaw::kUniform01, DirectionLaw::kGaussian,
                                   DirectionLaw::kSign, DirectionLaw::kFilter})
      for (int k = 0; k < preset.swa_bias_directions; ++k) {
        ProfileOptions p;
        p.law = law;
        p.direction = k;
        sb.directions.push_back(p);
      }
    sb.principal_components = preset.swa_bias_pcs;
    sb.points = preset.swa_bias_points;
    const long long total =
        static_cast<long long>(4 * preset.swa_bias_directions + preset.swa_bias_pcs);
    progress("directions", 0, total);
    const SwaBiasResult r =
        MeasureSwaBias(sb, [&](long long done, long long) { progress("directions", done, total); });
    Json m = ProbeMeta("swa_bias", sb.probe);
    m["snapshots"] = r.snapshots;
    m["epochs_recorded"] = r.epochs;
    m["record_every_steps"] = preset.record_every;
    m["lr"] = r.lr;
    m["momentum"] = r.momentum;
    m["weight_decay"] = r.weight_decay;
    m["admission_gates"] = {{"max_sd_ratio", sb.gates.max_sd_ratio},
                            {"max_halves_shift", sb.gates.max_halves_shift},
                            {"min_side_points", sb.gates.min_side_points},
                            {"fit_window", "symmetric about the fitted t_min"}};
    m["range_sd"] = sb.range_sd;
    m["noise_batches"] = sb.noise_batches;
    m["kappa"] = sb.kappa;
    m["pc_variance_fraction"] = r.pc_variance_fraction;
    SwaBiasPart& part = rec.swa_bias;
    part.csv = SwaBiasRows(c.seed, r);
    WriteCsv(run.out_dir, "swa_bias", kSwaBiasHeader + part.csv, m);
    std::string profiles_csv = "direction,t,train_loss,test_loss\n";
    for (const auto& w : r.rows)
      for (std::size_t i = 0; i < w.curve.t.size(); ++i)
        profiles_csv += fmt::format("{},{},{},{}\n", w.direction, w.curve.t[i],
                                    w.curve.train_loss[i], w.curve.test_loss[i]);
    WriteCsv(run.out_dir, "swa_bias_profiles", profiles_csv, m);
    // n_eff over the directions with a prediction (independent networks add).
    std::vector<int> kept;
    for (std::size_t i = 0; i < r.rows.size(); ++i)
      if (r.rows[i].predicted) kept.push_back(static_cast<int>(i));
    const std::size_t m_all = r.rows.size();
    std::vector<double> gram;
    for (int i : kept)
      for (int j : kept) gram.push_back(r.cosines[static_cast<std::size_t>(i) * m_all + j]);
    if (!kept.empty()) part.n_eff = EffectiveCount(gram, static_cast<int>(kept.size()));
    for (const auto& w : r.rows) {
      const double sd = w.sd > 0 ? w.sd : std::nan("");
      SwaBiasRecord sr{c.seed,
                       w.direction,
                       w.predicted,
                       w.measured_bias / sd,
                       w.predicted ? w.predicted_bias / sd : std::nan(""),
                       w.flat_side,
                       w.measured_p_flat,
                       w.predicted ? w.predicted_p_flat : std::nan(""),
                       w.admitted};
      part.records.push_back(sr);
      part.figure_csv +=
          fmt::format("{},{},{},{},{},{},{},{}\n", c.seed, w.direction.rfind("pc", 0) == 0 ? 2 : 1,
                      sr.measured_bias, sr.predicted_bias, sr.measured_p_flat, sr.predicted_p_flat,
                      SideCode(w.flat_side), w.direction);
    }
    part.result = r;
    for (auto& row : part.result.rows) row.curve = {};
    part.result.cosines.clear();
    rec.has_swa_bias = true;
  }

  // 7. The top Hessian eigenvalue (the first seed's bn and nobn).
  if (c.first_seed && (v.id == "bn" || v.id == "nobn")) {
    stage("hessian");
    HessianOptions h;
    h.base = run;
    h.sample_size = preset.hessian_sample;
    h.iterations = preset.hessian_iterations;
    const HessianResult r = TopHessianEigenvalue(h);
    rec.hessian = HessianSummary(h, r);
    io::WriteFileAtomically(fs::path(h.base.out_dir) / "hessian_swa.json",
                            HessianJson(h, r).dump(2) + "\n");
  }
  const auto now = Clock::now();
  if (!rec.stage_seconds.empty()) rec.stage_seconds.back().second = Seconds(begin, now);
  rec.wall_seconds = Seconds(start, now);
  return rec;
}

LineNumbers LineNumbersOf(const LineResult& line, const SgdAfterSwaResult& after) {
  const auto& lc = line.curve;
  auto at = [&](const std::vector<double>& y, double alpha) {
    for (std::size_t i = 0; i < lc.t.size(); ++i)
      if (std::abs(lc.t[i] - alpha) < 1e-9) return y[i];
    return std::nan("");
  };
  LineNumbers n;
  n.train_at_swa = at(lc.train_loss, 0);
  n.train_at_sgd = at(lc.train_loss, 1);
  n.test_at_swa = at(lc.test_loss, 0);
  n.test_at_sgd = at(lc.test_loss, 1);
  n.test_past_swa = at(lc.test_loss, -0.25);
  n.slope_beyond_sgd = line.slope_beyond_to;
  n.slope_beyond_swa = line.slope_beyond_from;
  n.accepted_epoch = after.accepted_epoch;
  n.distance = line.distance;
  // C13 / C14: the training profile along t = -alpha x distance (+ toward SWA).
  if (!(line.distance > 0) || lc.t.size() < 3) return n;
  std::vector<double> t, train;
  for (std::size_t i = lc.t.size(); i-- > 0;) {
    t.push_back(-lc.t[i] * line.distance);
    train.push_back(lc.train_loss[i]);
  }
  const ValleyMeasure v = MeasureValley(t, train, ValleyCriterion{});
  if (!v.bracketed) return n;
  n.valley_log10_ratio = v.log10_ratio;
  n.flat_width = v.width_plus;
  const double alpha = -v.width_plus / line.distance;
  const double swa = at(lc.test_loss, 0);
  for (std::size_t i = 0; i + 1 < lc.t.size(); ++i)
    if (lc.t[i] <= alpha && alpha <= lc.t[i + 1]) {
      const double w = (alpha - lc.t[i]) / (lc.t[i + 1] - lc.t[i]);
      n.test_past_swa_by_width =
          (lc.test_loss[i] + w * (lc.test_loss[i + 1] - lc.test_loss[i])) / swa - 1;
      break;
    }
  return n;
}

}  // namespace valleys::realnets::detail
