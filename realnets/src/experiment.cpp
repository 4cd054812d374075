#include "valleys/realnets/experiment.hpp"

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "experiment_report.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/logistic2d.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::realnets {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Wall time of each stage: in stages.log as each begins (a cut-short run shows how far it got),
// and in the summary at the end.
class StageClock {
 public:
  StageClock(fs::path log, int count, const ExperimentCallbacks& callbacks)
      : log_(std::move(log)), count_(count), callbacks_(callbacks) {}

  void Begin(int index, const std::string& key, const std::string& name) {
    const auto now = Clock::now();
    Close(now);
    seconds_.emplace_back(key, 0.0);
    begin_ = now;
    text_ += fmt::format("{:.1f} s: stage {}/{} {}\n", Seconds(start_, now), index, count_, name);
    io::WriteFileAtomically(log_, text_);
    if (callbacks_.on_stage) callbacks_.on_stage(index, count_, name);
  }
  // Closes the last stage; returns the wall time since construction.
  double Finish() {
    const auto now = Clock::now();
    Close(now);
    return Seconds(start_, now);
  }
  const std::vector<std::pair<std::string, double>>& seconds() const { return seconds_; }

 private:
  void Close(Clock::time_point now) {
    if (!seconds_.empty()) seconds_.back().second = Seconds(begin_, now);
  }
  fs::path log_;
  int count_;
  const ExperimentCallbacks& callbacks_;
  Clock::time_point start_ = Clock::now(), begin_ = start_;
  std::vector<std::pair<std::string, double>> seconds_;
  std::string text_;
};

void Progress(const ExperimentCallbacks& cb, const char* unit, long long done, long long total) {
  if (cb.on_progress) cb.on_progress(unit, done, total);
}

struct ProfileJob {
  const Variant* variant;
  std::string checkpoint;
  DirectionLaw law;
  int direction;
  std::string family;  // a direction label (Variant::families); empty: `law`
};

// The figure data and summary rows of the profiles, as they are measured.
struct ProfileTables {
  std::string curves =
      "variant_id,law_id,direction,t,train_rise,test_rise,variant,law,checkpoint\n";
  std::string summary =
      "variant,checkpoint,law,direction,sign_agreement,direction_norm,asymmetric,flat_side,"
      "detrended_ratio,signed_log10_ratio,tilt,min_offset,rise_plus,rise_minus,width_ratio_0.1,"
      "width_ratio_0.5,slope_ratio,test_asymmetric,test_flat_side,test_detrended_ratio,"
      "shift_delta,shift_ratio,width_rule_flat_side,width_rule_ratio,matched_height,"
      "log10_width_ratio_matched\n";
  std::string asymmetry =
      "variant_id,law_id,direction,signed_log10_ratio,sign_agreement,variant,law\n";

  void Add(const ProfileJob& job, const ProfileOptions& o, const ProfileResult& r,
           const ShiftFit& shift) {
    const auto& c = r.curve;
    const std::size_t centre = c.t.size() / 2;
    const bool swa = job.checkpoint == "swa";
    const bool drawn = swa && job.family.empty();  // the figures show the four laws at SWA
    const std::string law = DirectionLabel(o);
    if (drawn)
      for (std::size_t i = 0; i < c.t.size(); ++i)
        curves +=
            fmt::format("{},{},{},{},{},{},{},{},{}\n", job.variant->code, DirectionLawCode(o.law),
                        o.direction, c.t[i], c.train_loss[i] - c.train_loss[centre],
                        c.test_loss[i] - c.test_loss[centre], job.variant->id, law, o.checkpoint);
    const AsymmetryReport& a = r.train_asymmetry;
    const AsymmetryReport& at = r.test_asymmetry;
    double matched_height = 0;
    const double log_width = MatchedHeightLogWidthRatio(a, &matched_height);
    summary += fmt::format(
        "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
        job.variant->id, o.checkpoint, law, o.direction, r.sign_agreement, r.direction_norm,
        a.asymmetric ? 1 : 0, theory::SideName(a.flat_side), ShortNumber(a.detrended_ratio),
        SignedLogRatio(a), a.tilt, a.min_offset, a.rise_ratio_at.back().rise_plus,
        a.rise_ratio_at.back().rise_minus, ShortNumber(a.width_ratio_at[1].ratio),
        ShortNumber(a.width_ratio_at[3].ratio), ShortNumber(a.slope_ratio), at.asymmetric ? 1 : 0,
        theory::SideName(at.flat_side), ShortNumber(at.detrended_ratio), shift.delta,
        ShortNumber(shift.ratio), theory::SideName(r.train_score.score.flat_side),
        ShortNumber(r.train_score.score.width_ratio), ShortNumber(matched_height),
        ShortNumber(log_width));
    if (drawn)
      asymmetry +=
          fmt::format("{},{},{},{},{},{},{}\n", job.variant->code, DirectionLawCode(o.law),
                      o.direction, SignedLogRatio(a), r.sign_agreement, job.variant->id, law);
  }
};

// The line's numbers that the verdicts read.
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
  return n;
}

std::string SubsetName(Subset s) {
  return s == Subset::kSmall ? "small" : "full";
}

}  // namespace

ExperimentSummary RunExperiment(const ExperimentOptions& options,
                                const ExperimentCallbacks& callbacks) {
  std::string why;
  if (!options.IsValid(&why)) throw io::InputError(why);
  const Preset& preset = options.preset;
  const fs::path dir = options.out_dir;
  io::EnsureDirectory(dir);
  io::EnsureDirectory(dir / "figures");
  const std::string figures = (dir / "figures").string();
  TrainOptions base;
  base.data_dir = options.data_dir;
  base.subset = preset.subset;
  base.train_size = preset.train_size;
  base.test_size = preset.test_size;
  base.epochs = preset.epochs;
  base.lr_init = preset.lr;
  base.seed = options.seed;
  base.threads = options.threads;
  base.device = options.device;
  base.resume = true;
  if (!base.IsValid(&why)) throw io::InputError(why);
  detail::ExperimentFacts facts;
  facts.options = &options;
  facts.variants = Variants(preset);
  const std::vector<Variant>& variants = facts.variants;
  const Json meta = io::Metadata("realnets experiment", {{"preset", preset.name},
                                                         {"seed", options.seed},
                                                         {"threads", options.threads},
                                                         {"device", DeviceToString(options.device)},
                                                         {"model", preset.model.Describe()},
                                                         {"epochs", preset.epochs},
                                                         {"train_size", preset.train_size},
                                                         {"test_size", preset.test_size},
                                                         {"set", SubsetName(preset.subset)},
                                                         {"directions_per_law", preset.directions},
                                                         {"points", preset.points},
                                                         {"range_unit_norm", preset.range},
                                                         {"range_filter", preset.filter_range},
                                                         {"eval_size", preset.eval_size},
                                                         {"bn_mode", "recompute"},
                                                         {"train_eval", "clean"}});
  StageClock stages(dir / "stages.log", 6, callbacks);

  // 1. Training of every variant (the SWA recipe; bn-sgd: plain SGD).
  stages.Begin(1, "training", "training (SWA recipe; plain SGD for bn-sgd)");
  std::map<std::string, TrainOptions> runs;
  {
    const long long total = static_cast<long long>(variants.size()) * preset.epochs;
    long long done = 0;
    Progress(callbacks, "epochs", 0, total);
    for (const auto& v : variants) {
      TrainOptions o = base;
      o.model = v.model;
      o.schedule = v.schedule;
      o.out_dir = (dir / v.id).string();
      std::string csv = kEpochCsvHeader;
      facts.trained[v.id] = Train(o, [&](const EpochRow& r) {
        csv += EpochCsvRow(r);
        Progress(callbacks, "epochs", ++done, total);
      });
      WriteCsv(o.out_dir, "epochs", csv, TrainMeta(o));
      runs[v.id] = o;
    }
  }

  // 2. SGD after SWA (BN network).
  stages.Begin(2, "sgd_after_swa", "SGD restarted from the SWA solution");
  SgdAfterSwaOptions after;
  after.base = runs["bn"];
  after.lr = preset.after_lr;
  after.max_epochs = preset.after_max_epochs;
  const SgdAfterSwaResult after_result = SgdAfterSwa(after);
  WriteCsv(after.base.out_dir, "sgd_after_swa", SgdAfterSwaCsv(after_result),
           SgdAfterSwaMeta(after));

  // 3. Profiles.
  stages.Begin(3, "profiles", "profiles along random directions (BN recomputed at every point)");
  std::vector<ProfileJob> jobs;
  for (const auto& v : variants)
    for (const auto& law : v.laws)
      for (int k = 0; k < preset.directions; ++k) jobs.push_back({&v, "swa", law, k, ""});
  for (const auto& v : variants)
    for (const auto& family : v.families)
      for (int k = 0; k < (family == "ones" ? 1 : preset.directions); ++k)
        jobs.push_back({&v, "swa", DirectionLaw::kUniform01, k, family});
  // C10: the decayed-rate plain-SGD solution, and beside it the SWA run's last constant-rate
  // iterate.
  for (const auto& v : variants)
    for (int k = 0; k < preset.directions; ++k)
      if (v.id == "bn" || v.id == "bn-sgd")
        jobs.push_back({&v, "sgd", DirectionLaw::kUniform01, k, ""});
  ProfileTables tables;
  std::map<std::array<std::string, 3>, std::vector<ProfileOptions>> group_options;
  std::vector<ProbeCurve> bn_swa_uniform;  // for C12's mismatched train/test pairs
  {
    const long long total = static_cast<long long>(jobs.size());
    long long done = 0;
    Progress(callbacks, "profiles", 0, total);
    for (const auto& job : jobs) {
      ProfileOptions o;
      o.probe.base = runs[job.variant->id];
      o.probe.eval_size = preset.eval_size;
      o.checkpoint = job.checkpoint;
      o.law = job.law;
      std::string family_why;
      if (!job.family.empty() && !ParseDirectionLabel(job.family, &o, &family_why))
        throw std::invalid_argument("Variant::families: " + family_why);
      o.direction = job.direction;
      o.range = o.law == DirectionLaw::kFilter ? preset.filter_range : preset.range;
      o.points = preset.points;
      const ProfileResult r = Profile(o);
      const auto& c = r.curve;
      const ShiftFit shift = FitShift(c.t, c.train_loss, c.test_loss, o.range / 2);
      WriteCsv(o.probe.base.out_dir, ProfileStem(o), CurveCsv(c, "t"), ProfileMeta(o, r));
      tables.Add(job, o, r, shift);
      const std::string label = DirectionLabel(o);
      facts.directions.push_back({job.variant->id, job.checkpoint, label,
                                  r.train_asymmetry.asymmetric, r.train_asymmetry.flat_side,
                                  SignedLogRatio(r.train_asymmetry), r.sign_agreement, shift.ratio,
                                  MatchedHeightLogWidthRatio(r.train_asymmetry)});
      if (job.variant->id == "bn" && job.checkpoint == "swa" && label == "uniform01")
        bn_swa_uniform.push_back(c);
      group_options[{job.variant->id, job.checkpoint, label}].push_back(o);
      Progress(callbacks, "profiles", ++done, total);
    }
  }
  // C12's controls: the test profile of one direction against the training profile of another.
  ShiftControls controls;
  for (std::size_t i = 0; i < bn_swa_uniform.size(); ++i)
    for (std::size_t j = 0; j < bn_swa_uniform.size(); ++j)
      if (i != j)
        controls.mismatched.push_back(FitShift(bn_swa_uniform[i].t, bn_swa_uniform[i].train_loss,
                                               bn_swa_uniform[j].test_loss, preset.range / 2)
                                          .ratio);
  // How independent the directions of each network, checkpoint and law are.
  std::string groups_csv = "variant,checkpoint,law,directions,n_eff,mean_cosine\n";
  for (const auto& [key, profiles] : group_options) {
    const std::vector<double> gram = DirectionCosines(profiles);
    const int m = static_cast<int>(profiles.size());
    double off = 0;
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j)
        if (i != j) off += gram[static_cast<std::size_t>(i * m + j)];
    const double mean_cosine = m > 1 ? off / (m * (m - 1)) : std::nan("");
    facts.groups.push_back({key[0], key[1], key[2], EffectiveCount(gram, m), mean_cosine});
    groups_csv += fmt::format("{},{},{},{},{},{}\n", key[0], key[1], key[2], m,
                              facts.groups.back().n_eff, ShortNumber(mean_cosine));
  }
  WriteCsv(dir.string(), "direction_groups", groups_csv, meta);
  WriteCsv(dir.string(), "profiles_summary", tables.summary, meta);
  WriteCsv(figures, "profiles", tables.curves, meta);
  WriteCsv(figures, "asymmetry", tables.asymmetry, meta);

  // 4. The line.
  stages.Begin(4, "line", "the SWA-SGD line");
  LineOptions line;
  line.probe.base = runs["bn"];
  line.probe.eval_size = preset.eval_size;
  line.points = preset.line_points;
  const LineResult line_result = Line(line);
  {
    Json m = ProbeMeta("line", line.probe);
    m["from"] = line.from;
    m["to"] = line.to;
    m["distance"] = line_result.distance;
    const std::string csv = CurveCsv(line_result.curve, "alpha");
    WriteCsv(line.probe.base.out_dir, "line_swa_sgd_after_swa_recompute", csv, m);
    WriteCsv(figures, "line", csv, m);
  }

  // 5. Hessian, logistic model.
  stages.Begin(5, "hessian_logistic2d",
               "top Hessian eigenvalues and the 2-parameter logistic model");
  for (const char* id : {"bn", "nobn"}) {
    HessianOptions h;
    h.base = runs[id];
    h.sample_size = preset.hessian_sample;
    h.iterations = preset.hessian_iterations;
    const HessianResult r = TopHessianEigenvalue(h);
    facts.hessians[id] = HessianSummary(h, r);
    io::WriteFileAtomically(fs::path(h.base.out_dir) / "hessian_swa.json",
                            HessianJson(h, r).dump(2) + "\n");
  }
  Logistic2dOptions logistic;
  logistic.first_seed = 0;
  const Logistic2dSummary logistic_result = RunLogistic2d(logistic);
  {
    // Through the GD average (the authors' centre) and through the minimizer (C11's; NaN where
    // the seed has none).
    std::string csv = "seed,t,loss_rise,asymmetric,loss_rise_minimizer,asymmetric_minimizer\n";
    for (const auto& r : logistic_result.runs) {
      const std::size_t centre = r.t.size() / 2;
      const bool has = r.minimum.converged;
      for (std::size_t i = 0; i < r.t.size(); ++i)
        csv += fmt::format(
            "{},{},{},{},{},{}\n", r.seed, r.t[i], r.loss[i] - r.loss[centre],
            r.asymmetry.asymmetric ? 1 : 0,
            has ? fmt::format("{}", r.loss_at_minimum[i] - r.loss_at_minimum[centre]) : "NaN",
            has ? (r.asymmetry_at_minimum.asymmetric ? "1" : "0") : "NaN");
    }
    WriteCsv(
        figures, "logistic2d", csv,
        io::Metadata("realnets logistic2d", {{"seeds", "0..49"},
                                             {"steps", logistic.steps},
                                             {"lr", logistic.lr},
                                             {"range", logistic.range},
                                             {"grid_points", logistic.grid_points},
                                             {"direction_law", "uniform01 (2-D, unit norm)"}}));
  }

  // 6. Figures and the report section.
  stages.Begin(6, "figures_report", "figures and report");
  if (callbacks.render_figures) callbacks.render_figures(figures);
  facts.verdicts = EvaluateVerdicts(
      facts.directions, facts.groups, LineNumbersOf(line_result, after_result),
      {logistic.seeds, logistic_result.asymmetric, logistic_result.flat_pos,
       logistic_result.flat_neg, logistic_result.minimizers, logistic_result.asymmetric_at_minimum,
       logistic_result.flat_pos_at_minimum, logistic_result.flat_neg_at_minimum},
      controls, options.seed);
  facts.wall_seconds = stages.Finish();
  facts.stage_seconds = stages.seconds();
  const std::string md = detail::ExperimentSection(facts);
  io::WriteFileAtomically(dir / "section.md", md);
  ExperimentSummary summary;
  summary.report_path = (dir / "report.md").string();
  io::WriteFileAtomically(summary.report_path,
                          io::ReportHeader("valleys real-network experiment", meta) +
                              "\n## Real networks (C10-C17)\n\n" + md);
  Json full = meta;
  full["wall_time_s"] = facts.wall_seconds;
  Json sj = Json::object();
  for (const auto& [name, seconds] : facts.stage_seconds) sj[name] = seconds;
  full["stage_seconds"] = sj;
  Json vj = Json::array();
  for (const auto& v : facts.verdicts)
    vj.push_back({{"claim", v.id}, {"verdict", v.verdict}, {"numbers", v.numbers}});
  full["verdicts"] = vj;
  io::WriteFileAtomically(dir / "metadata.json", full.dump(2) + "\n");
  summary.verdicts = facts.verdicts;
  summary.wall_seconds = facts.wall_seconds;
  summary.stage_seconds = facts.stage_seconds;
  return summary;
}

}  // namespace valleys::realnets
