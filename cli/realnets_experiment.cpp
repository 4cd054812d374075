#include "realnets_experiment.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>

#include "output.hpp"
#include "progress.hpp"
#include "realnets_options.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"
#include "valleys/plots/realnets_figures.hpp"
#include "valleys/realnets/logistic2d.hpp"

namespace valleys::cli {

std::string ProfileStem(const realnets::ProfileOptions& o) {
  return fmt::format("profile_{}_{}_d{}_{}{}", realnets::CheckpointName(o.checkpoint), o.law,
                     o.direction, o.probe.bn_mode, o.include_bn ? "" : "_nobn-dir");
}

namespace {

namespace fs = std::filesystem;

// A preset: everything that sets the size of the experiment. Defaults documented in
// docs/realnets.md.
struct Preset {
  std::string name;
  realnets::ModelSpec model;
  realnets::Subset subset = realnets::Subset::kSmall;
  int train_size = 0, test_size = 0, epochs = 0;
  double lr = 0.05;
  int directions = 3;  // per law and variant
  int points = 13;
  double range = 0, filter_range = 1;
  int eval_size = 1000;
  int line_points = 41;  // alpha from -2 to 3
  double after_lr = 0.005;
  int after_max_epochs = 3;
  int hessian_sample = 500, hessian_iterations = 10;
  bool softplus = false;  // C16 variant
};

Preset MakePreset(const std::string& name) {
  Preset p;
  p.name = name;
  p.model.arch = "preresnet";
  if (name == "tiny") {
    p.model.depth = 8, p.model.width = 8;
    p.train_size = 5000, p.test_size = 1000, p.epochs = 6;
    p.directions = 3, p.points = 13, p.range = 6, p.eval_size = 1000;
    p.line_points = 41, p.after_max_epochs = 3;
    p.hessian_sample = 500, p.hessian_iterations = 10;
  } else if (name == "small") {
    p.model.depth = 8, p.model.width = 16;
    p.train_size = 10000, p.test_size = 2000, p.epochs = 12;
    p.directions = 4, p.points = 15, p.range = 6, p.eval_size = 1000;
    p.line_points = 41, p.after_max_epochs = 5;
    p.hessian_sample = 1000, p.hessian_iterations = 15;
    p.softplus = true;
  } else if (name == "gpu") {
    p.model.depth = 20, p.model.width = 16;
    p.subset = realnets::Subset::kFull;
    p.train_size = 0, p.test_size = 0, p.epochs = 12;
    p.directions = 4, p.points = 17, p.range = 8, p.eval_size = 5000;
    p.line_points = 81, p.after_max_epochs = 5;
    p.hessian_sample = 2000, p.hessian_iterations = 15;
    p.softplus = true;
  } else {
    throw io::InputError(fmt::format("--preset = '{}' (allowed: tiny, small, gpu)", name));
  }
  return p;
}

struct Variant {
  std::string id, title;
  int code;  // figure id: 1 bn, 2 nobn, 3 gamma, 4 softplus
  realnets::ModelSpec model;
  std::vector<std::string> laws;  // profiled at the SWA solution
};

std::vector<Variant> Variants(const Preset& p) {
  std::vector<Variant> v;
  Variant bn{"bn", "BN", 1, p.model, {"uniform01", "gaussian", "sign", "filter"}};
  v.push_back(bn);
  Variant nobn{"nobn", "BN-free twin", 2, p.model, {"uniform01", "gaussian", "sign", "filter"}};
  nobn.model.batch_norm = false;
  v.push_back(nobn);
  Variant gamma{"gamma", "BN, gamma init N(0, 0.1)", 3, p.model, {"uniform01", "sign"}};
  gamma.model.bn_init = "normal01";
  v.push_back(gamma);
  if (p.softplus) {
    Variant soft{"softplus", "BN, softplus", 4, p.model, {"uniform01"}};
    soft.model.activation = "softplus";
    v.push_back(soft);
  }
  return v;
}

struct ProfileRecord {
  std::string variant, checkpoint, law;
  int variant_code = 0, direction = 0;
  realnets::ProfileResult result;
  realnets::ShiftFit shift;
};

double SignedLogRatio(const theory::AsymmetryScore& s) {
  // log10(w+/w-): > 0 when the positive side is flatter; censored sides clipped at +-1.5.
  const double wp = s.width_pos, wn = s.width_neg;
  if (std::isinf(wp) && std::isinf(wn)) return 0.0;
  if (std::isinf(wp)) return 1.5;
  if (std::isinf(wn)) return -1.5;
  if (wp <= 0 || wn <= 0) return 0.0;
  return std::clamp(std::log10(wp / wn), -1.5, 1.5);
}

double Median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct LawStats {
  int n = 0, asymmetric = 0, flat_pos = 0, flat_neg = 0;
  double median_abs_log_ratio = 0, median_sign_agreement = 0;
  double Fraction() const { return n ? static_cast<double>(asymmetric) / n : 0.0; }
};

LawStats Stats(const std::vector<ProfileRecord>& records, const std::string& variant,
               const std::string& checkpoint, const std::string& law) {
  LawStats s;
  std::vector<double> ratios, agreements;
  for (const auto& r : records) {
    if (r.variant != variant || r.checkpoint != checkpoint || r.law != law) continue;
    const auto& score = r.result.train_score.score;
    ++s.n;
    s.asymmetric += score.asymmetric;
    s.flat_pos += score.flat_side == theory::Side::kPositive;
    s.flat_neg += score.flat_side == theory::Side::kNegative;
    ratios.push_back(std::abs(SignedLogRatio(score)));
    agreements.push_back(r.result.sign_agreement);
  }
  s.median_abs_log_ratio = Median(ratios);
  s.median_sign_agreement = Median(agreements);
  return s;
}

const char* Word(bool holds, bool fails) {
  return holds ? "holds" : fails ? "fails" : "inconclusive";
}

std::string Num(double v) {
  return std::isfinite(v) ? fmt::format("{:.4g}", v) : (std::isnan(v) ? "nan" : "inf");
}

void Run(const ExperimentArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  Preset preset = MakePreset(args.preset);
  if (!args.set.empty()) {
    if (args.set != "small" && args.set != "full")
      throw io::InputError(fmt::format("--set = '{}' (allowed: small, full)", args.set));
    const auto subset = args.set == "small" ? realnets::Subset::kSmall : realnets::Subset::kFull;
    if (subset != preset.subset) preset.train_size = preset.test_size = 0;
    preset.subset = subset;
  }
  // Absolute: gnuplot runs from the figures folder.
  const fs::path dir =
      fs::absolute(args.out.empty() ? fs::path("results") / ("realnets-" + io::CompactTimestamp())
                                    : fs::path(args.out));
  io::EnsureDirectory(dir);
  io::EnsureDirectory(dir / "figures");
  realnets::TrainOptions base;
  base.data_dir = args.data;
  base.subset = preset.subset;
  base.train_size = preset.train_size;
  base.test_size = preset.test_size;
  base.epochs = preset.epochs;
  base.lr_init = preset.lr;
  base.seed = args.seed;
  base.threads = args.threads;
  base.device = args.device;
  base.resume = true;
  FinishTrainOptions(base, preset.subset == realnets::Subset::kSmall ? "small" : "full");
  const std::vector<Variant> variants = Variants(preset);
  Json meta = io::Metadata("realnets experiment",
                           {{"preset", preset.name},
                            {"seed", args.seed},
                            {"threads", args.threads},
                            {"device", args.device},
                            {"model", preset.model.Describe()},
                            {"epochs", preset.epochs},
                            {"train_size", preset.train_size},
                            {"test_size", preset.test_size},
                            {"set", preset.subset == realnets::Subset::kSmall ? "small" : "full"},
                            {"directions_per_law", preset.directions},
                            {"points", preset.points},
                            {"range_unit_norm", preset.range},
                            {"range_filter", preset.filter_range},
                            {"eval_size", preset.eval_size},
                            {"bn_mode", "recompute"},
                            {"train_eval", "clean"}});
  const int stages = 6;
  // Wall time of each stage, in stages.log as each begins (a cut-short run shows how far it got)
  // and in metadata.json and the report at the end.
  std::vector<std::pair<std::string, double>> stage_seconds;
  auto stage_begin = std::chrono::steady_clock::now();
  std::string stage_log;
  auto begin_stage = [&](int index, const std::string& key, const std::string& name) {
    const auto now = std::chrono::steady_clock::now();
    if (!stage_seconds.empty())
      stage_seconds.back().second = std::chrono::duration<double>(now - stage_begin).count();
    stage_seconds.emplace_back(key, 0.0);
    stage_begin = now;
    stage_log +=
        fmt::format("{:.1f} s: stage {}/{} {}\n",
                    std::chrono::duration<double>(now - start).count(), index, stages, name);
    io::WriteFileAtomically(dir / "stages.log", stage_log);
    Stage(index, stages, name);
  };

  // 1. Training (SWA recipe) of every variant.
  begin_stage(1, "training", "training (SWA recipe)");
  std::map<std::string, realnets::TrainOptions> runs;
  std::map<std::string, realnets::TrainSummary> trained;
  {
    Progress progress("epochs", static_cast<long long>(variants.size()) * preset.epochs);
    long long done = 0;
    for (const auto& v : variants) {
      realnets::TrainOptions o = base;
      o.model = v.model;
      o.out_dir = (dir / v.id).string();
      std::string csv = kEpochCsvHeader;
      trained[v.id] = realnets::Train(o, [&](const realnets::EpochRow& r) {
        csv += EpochCsvRow(r);
        progress.Update(++done);
      });
      WriteCsv(o.out_dir, "epochs", csv, TrainMeta(o));
      runs[v.id] = o;
    }
    progress.Finish();
  }

  // 2. SGD after SWA (BN network).
  begin_stage(2, "sgd_after_swa", "SGD restarted from the SWA solution");
  realnets::SgdAfterSwaOptions after;
  after.base = runs["bn"];
  after.lr = preset.after_lr;
  after.max_epochs = preset.after_max_epochs;
  const realnets::SgdAfterSwaResult after_result = realnets::SgdAfterSwa(after);
  WriteCsv(after.base.out_dir, "sgd_after_swa", SgdAfterSwaCsv(after_result),
           SgdAfterSwaMeta(after));

  // 3. Profiles.
  begin_stage(3, "profiles", "profiles along random directions (BN recomputed at every point)");
  struct Job {
    const Variant* variant;
    std::string checkpoint, law;
    int direction;
  };
  std::vector<Job> jobs;
  for (const auto& v : variants)
    for (const auto& law : v.laws)
      for (int k = 0; k < preset.directions; ++k) jobs.push_back({&v, "swa", law, k});
  for (int k = 0; k < preset.directions; ++k) jobs.push_back({&variants[0], "sgd", "uniform01", k});
  std::vector<ProfileRecord> records;
  std::string curves =
      "variant_id,law_id,direction,t,train_rise,test_rise,variant,law,checkpoint\n";
  std::string summary_csv =
      "variant,checkpoint,law,direction,sign_agreement,direction_norm,flat_side,width_ratio,"
      "asymmetric,signed_log10_ratio,height,fitted_p,fitted_c,curvature_pos,curvature_neg,"
      "test_flat_side,test_width_ratio,shift_delta,shift_ratio\n";
  std::string asym_csv =
      "variant_id,law_id,direction,signed_log10_ratio,sign_agreement,variant,law\n";
  {
    Progress progress("profiles", static_cast<long long>(jobs.size()));
    long long done = 0;
    for (const auto& job : jobs) {
      realnets::ProfileOptions o;
      o.probe.base = runs[job.variant->id];
      o.probe.eval_size = preset.eval_size;
      o.checkpoint = job.checkpoint;
      o.law = job.law;
      o.direction = job.direction;
      o.range = job.law == "filter" ? preset.filter_range : preset.range;
      o.points = preset.points;
      ProfileRecord rec{job.variant->id, job.checkpoint,       job.law, job.variant->code,
                        job.direction,   realnets::Profile(o), {}};
      const auto& c = rec.result.curve;
      rec.shift = realnets::FitShift(c.t, c.train_loss, c.test_loss, o.range / 2);
      const Json m = ProfileMeta(o, rec.result);
      WriteCsv(o.probe.base.out_dir, ProfileStem(o), CurveCsv(c, "t"), m);
      const std::size_t centre = c.t.size() / 2;
      if (job.checkpoint == "swa")
        for (std::size_t i = 0; i < c.t.size(); ++i)
          curves += fmt::format(
              "{},{},{},{},{},{},{},{},{}\n", rec.variant_code, realnets::DirectionLawCode(o.law),
              o.direction, c.t[i], c.train_loss[i] - c.train_loss[centre],
              c.test_loss[i] - c.test_loss[centre], rec.variant, o.law, o.checkpoint);
      const auto& s = rec.result.train_score;
      summary_csv += fmt::format(
          "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", rec.variant, o.checkpoint,
          o.law, o.direction, rec.result.sign_agreement, rec.result.direction_norm,
          theory::SideName(s.score.flat_side), Num(s.score.width_ratio), s.score.asymmetric ? 1 : 0,
          SignedLogRatio(s.score), s.delta, s.score.fitted_p, s.score.fitted_c,
          Num(s.curvature_pos), Num(s.curvature_neg),
          theory::SideName(rec.result.test_score.score.flat_side),
          Num(rec.result.test_score.score.width_ratio), rec.shift.delta, Num(rec.shift.ratio));
      if (job.checkpoint == "swa")
        asym_csv += fmt::format(
            "{},{},{},{},{},{},{}\n", rec.variant_code, realnets::DirectionLawCode(o.law),
            o.direction, SignedLogRatio(s.score), rec.result.sign_agreement, rec.variant, o.law);
      records.push_back(std::move(rec));
      progress.Update(++done);
    }
    progress.Finish();
  }
  WriteCsv(dir.string(), "profiles_summary", summary_csv, meta);
  WriteCsv((dir / "figures").string(), "profiles", curves, meta);
  WriteCsv((dir / "figures").string(), "asymmetry", asym_csv, meta);

  // 4. The line.
  begin_stage(4, "line", "the SWA-SGD line");
  realnets::LineOptions line;
  line.probe.base = runs["bn"];
  line.probe.eval_size = preset.eval_size;
  line.points = preset.line_points;
  const realnets::LineResult line_result = realnets::Line(line);
  {
    Json m = ProbeMeta("line", line.probe);
    m["from"] = line.from;
    m["to"] = line.to;
    m["distance"] = line_result.distance;
    const std::string csv = CurveCsv(line_result.curve, "alpha");
    WriteCsv(line.probe.base.out_dir, "line_swa_sgd_after_swa_recompute", csv, m);
    WriteCsv((dir / "figures").string(), "line", csv, m);
  }

  // 5. Hessian, logistic model.
  begin_stage(5, "hessian_logistic2d",
              "top Hessian eigenvalues and the 2-parameter logistic model");
  std::map<std::string, realnets::HessianResult> hessians;
  for (const char* id : {"bn", "nobn"}) {
    realnets::HessianOptions h;
    h.base = runs[id];
    h.sample_size = preset.hessian_sample;
    h.iterations = preset.hessian_iterations;
    hessians[id] = realnets::TopHessianEigenvalue(h);
    Json m = RunMeta("hessian", h.base);
    m["checkpoint"] = h.checkpoint;
    m["sample_size"] = h.sample_size;
    m["bn_mode"] = "frozen (eval mode)";
    io::WriteFileAtomically(fs::path(h.base.out_dir) / "hessian_swa.json",
                            Json({{"top_eigenvalue", hessians[id].top_eigenvalue},
                                  {"iterations", hessians[id].iterations},
                                  {"converged", hessians[id].converged},
                                  {"history", hessians[id].history},
                                  {"meta", m}})
                                    .dump(2) +
                                "\n");
  }
  realnets::Logistic2dOptions logistic;
  logistic.first_seed = 0;
  const realnets::Logistic2dSummary logistic_result = realnets::RunLogistic2d(logistic);
  {
    std::string csv = "seed,t,loss_rise,asymmetric\n";
    for (const auto& r : logistic_result.runs)
      for (std::size_t i = 0; i < r.t.size(); ++i)
        csv += fmt::format("{},{},{},{}\n", r.seed, r.t[i], r.loss[i] - r.loss[r.t.size() / 2],
                           r.score.score.asymmetric ? 1 : 0);
    WriteCsv(
        (dir / "figures").string(), "logistic2d", csv,
        io::Metadata("realnets logistic2d", {{"seeds", "0..49"},
                                             {"steps", logistic.steps},
                                             {"lr", logistic.lr},
                                             {"range", logistic.range},
                                             {"grid_points", logistic.grid_points},
                                             {"direction_law", "uniform01 (2-D, unit norm)"}}));
  }

  // 6. Figures and the report section.
  begin_stage(6, "figures_report", "figures and report");
  if (!args.no_figures)
    for (const auto& f : plots::RealnetsFigures()) {
      plots::RenderFigure(dir / "figures", f.id, [&](const std::string& stem) {
        return plots::RealnetsGnuplotScript(f.id, f.id + ".csv", stem);
      });
    }

  // Verdicts (rules stated in the report).
  const LawStats sgd_u = Stats(records, "bn", "sgd", "uniform01");
  const LawStats bn_u = Stats(records, "bn", "swa", "uniform01");
  const LawStats bn_g = Stats(records, "bn", "swa", "gaussian");
  const LawStats bn_s = Stats(records, "bn", "swa", "sign");
  const LawStats nobn_u = Stats(records, "nobn", "swa", "uniform01");
  const LawStats gamma_u = Stats(records, "gamma", "swa", "uniform01");
  const LawStats soft_u = Stats(records, "softplus", "swa", "uniform01");
  const auto& lc = line_result.curve;
  auto at = [&](const std::vector<double>& y, double alpha) {
    for (std::size_t i = 0; i < lc.t.size(); ++i)
      if (std::abs(lc.t[i] - alpha) < 1e-9) return y[i];
    return std::nan("");
  };
  const double tr0 = at(lc.train_loss, 0), tr1 = at(lc.train_loss, 1);
  const double te0 = at(lc.test_loss, 0), te1 = at(lc.test_loss, 1);
  const double te_past = at(lc.test_loss, -0.25);
  std::vector<double> shift_ratios;
  for (const auto& r : records)
    if (r.variant == "bn" && r.checkpoint == "swa" && r.law == "uniform01" &&
        r.result.train_score.score.asymmetric)
      shift_ratios.push_back(r.shift.ratio);
  const double shift_median = Median(shift_ratios);
  const bool c13_train = tr1 < tr0;  // training loss lower at SGD
  const bool c13_test = te0 < te1;   // test loss lower at SWA
  const bool c13_slope = line_result.slope_beyond_to > line_result.slope_beyond_from;
  struct VerdictRow {
    std::string id, claim, verdict, numbers, figure;
  };
  std::vector<VerdictRow> verdicts;
  verdicts.push_back(
      {"C10", "asymmetric directions exist at SGD solutions of BN networks",
       Word(2 * sgd_u.asymmetric >= sgd_u.n && sgd_u.n > 0, sgd_u.asymmetric == 0),
       fmt::format("{}/{} uniform01 directions at the BN network's last SGD iterate asymmetric "
                   "(kappa = 2); at the SWA solution {}/{}",
                   sgd_u.asymmetric, sgd_u.n, bn_u.asymmetric, bn_u.n),
       "profiles"});
  verdicts.push_back(
      {"C11", "the 2-parameter logistic model is asymmetric",
       Word(2 * logistic_result.asymmetric >= logistic.seeds, logistic_result.asymmetric == 0),
       fmt::format("{}/{} seeds asymmetric (kappa = 2; flat side + {}, - {})",
                   logistic_result.asymmetric, logistic.seeds, logistic_result.flat_pos,
                   logistic_result.flat_neg),
       "logistic2d"});
  verdicts.push_back(
      {"C12", "test loss ~ training loss shifted along the direction",
       shift_ratios.empty() ? "inconclusive" : Word(shift_median <= 0.5, shift_median >= 0.9),
       shift_ratios.empty()
           ? std::string("no asymmetric uniform01 profile at the BN SWA solution to fit")
           : fmt::format("median mismatch ratio xi(delta*)/xi(0) = {} over {} asymmetric uniform01 "
                         "profiles (authors: about 0.15)",
                         Num(shift_median), shift_ratios.size()),
       "profiles"});
  verdicts.push_back(
      {"C13", "SWA sits on the flat side of the SWA-SGD line",
       Word(c13_train && c13_test && c13_slope, !c13_train && !c13_test),
       fmt::format(
           "train loss SWA {} vs SGD {} ({}); test loss SWA {} vs SGD {} ({}); slope beyond "
           "SGD {} vs beyond SWA {} ({}); SGD-after-SWA accepted at epoch {} (0: none, "
           "last epoch used); distance {}",
           Num(tr0), Num(tr1), c13_train ? "lower at SGD" : "not lower at SGD", Num(te0), Num(te1),
           c13_test ? "lower at SWA" : "not lower at SWA", Num(line_result.slope_beyond_to),
           Num(line_result.slope_beyond_from),
           c13_slope ? "steeper beyond SGD" : "not steeper beyond SGD", after_result.accepted_epoch,
           Num(line_result.distance)),
       "line"});
  verdicts.push_back(
      {"C14", "moving past SWA toward the flat side does not hurt",
       Word(te_past <= te0 * 1.01, te_past > te0 * 1.05),
       fmt::format(
           "test loss at alpha = -0.25: {} vs {} at SWA (holds within +1%, fails beyond +5%)",
           Num(te_past), Num(te0)),
       "line"});
  verdicts.push_back(
      {"C15", "BN is a major cause (no-BN profiles closer to symmetric)",
       Word(bn_u.Fraction() > nobn_u.Fraction() &&
                bn_u.median_abs_log_ratio > nobn_u.median_abs_log_ratio,
            bn_u.Fraction() < nobn_u.Fraction() &&
                bn_u.median_abs_log_ratio < nobn_u.median_abs_log_ratio),
       fmt::format(
           "uniform01 at SWA: BN {}/{} asymmetric, median |log10 ratio| {}; no BN {}/{}, {}",
           bn_u.asymmetric, bn_u.n, Num(bn_u.median_abs_log_ratio), nobn_u.asymmetric, nobn_u.n,
           Num(nobn_u.median_abs_log_ratio)),
       "asymmetry"});
  // C16 compares the softplus network with the ReLU one along the same law: without asymmetry in
  // the ReLU network there is nothing for softplus to reproduce.
  verdicts.push_back(
      {"C16", "not a ReLU artefact (softplus)",
       soft_u.n == 0 ? "not run"
       : bn_u.asymmetric == 0
           ? "inconclusive"
           : Word(2 * soft_u.Fraction() >= bn_u.Fraction(), soft_u.asymmetric == 0),
       soft_u.n == 0
           ? std::string("this preset trains no softplus network (presets small, gpu do)")
           : fmt::format("uniform01 at SWA, asymmetric: softplus BN network {}/{} (median "
                         "|log10 ratio| {}), ReLU BN network {}/{} ({})",
                         soft_u.asymmetric, soft_u.n, Num(soft_u.median_abs_log_ratio),
                         bn_u.asymmetric, bn_u.n, Num(bn_u.median_abs_log_ratio)),
       "asymmetry"});
  const bool c17_laws = bn_u.Fraction() > bn_g.Fraction() && bn_s.Fraction() > bn_g.Fraction();
  const bool c17_init = gamma_u.Fraction() < bn_u.Fraction();
  verdicts.push_back(
      {"C17", "sign agreement drives the asymmetry (Li et al. 2024)",
       Word(c17_laws && c17_init,
            bn_u.Fraction() < bn_g.Fraction() && bn_s.Fraction() < bn_g.Fraction()),
       fmt::format("BN at SWA, asymmetric: uniform01 {}/{} (sign agreement {}), sign {}/{} ({}), "
                   "gaussian {}/{} ({}); gamma ~ N(0, 0.1): uniform01 {}/{}",
                   bn_u.asymmetric, bn_u.n, Num(bn_u.median_sign_agreement), bn_s.asymmetric,
                   bn_s.n, Num(bn_s.median_sign_agreement), bn_g.asymmetric, bn_g.n,
                   Num(bn_g.median_sign_agreement), gamma_u.asymmetric, gamma_u.n),
       "asymmetry"});

  const auto end = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(end - start).count();
  stage_seconds.back().second = std::chrono::duration<double>(end - stage_begin).count();
  std::string stage_times;
  for (const auto& [name, seconds] : stage_seconds)
    stage_times += fmt::format("{}{} {:.0f} s", stage_times.empty() ? "" : "; ", name, seconds);
  std::string md = fmt::format(
      "Preset `{}` ({} of CIFAR-10: {} training / {} test images; {}; {} epochs of the SWA recipe; "
      "seed {}; {} thread(s), device {}). Wall time {:.0f} s ({}). Regenerate: `valleys "
      "realnets experiment --preset {} --seed {} --out DIR`.\n\n",
      preset.name,
      preset.subset == realnets::Subset::kSmall ? "the balanced subset" : "the full set",
      preset.train_size ? std::to_string(preset.train_size) : "all",
      preset.test_size ? std::to_string(preset.test_size) : "all", preset.model.Describe(),
      preset.epochs, args.seed, args.threads, args.device, wall, stage_times, preset.name,
      args.seed);
  md +=
      "| network | parameters | SGD test acc | SWA test acc | SWA test loss | top Hessian "
      "eigenvalue (SWA) |\n|---|---|---|---|---|---|\n";
  for (const auto& v : variants) {
    const auto& s = trained[v.id];
    const auto h = hessians.find(v.id);
    md += fmt::format("| {} (`{}`) | {} | {:.3f} | {:.3f} | {:.4f} | {} |\n", v.title, v.id,
                      s.parameters, s.sgd_test_acc, s.swa_test_acc, s.swa_test_loss,
                      h == hessians.end()
                          ? std::string("-")
                          : fmt::format("{:.4g} ({} it., {} images)", h->second.top_eigenvalue,
                                        h->second.iterations, preset.hessian_sample));
  }
  md += fmt::format(
      "\nEvery profile: {} offsets over [-{}, {}] along a unit-norm direction (filter law: [-{}, "
      "{}] in filter units), BN statistics recomputed at every point on {} clean training images, "
      "training loss on those images, test loss on the test images. A profile is asymmetric when "
      "the widths at which the training loss first rises by the stated height differ by a factor "
      ">= 2 (height: half the smaller end rise; a quarter of the larger when one side never "
      "rises).\n\n",
      preset.points, preset.range, preset.range, preset.filter_range, preset.filter_range,
      preset.eval_size);
  md += "| claim | verdict | numbers | figure |\n|---|---|---|---|\n";
  for (const auto& v : verdicts)
    md += fmt::format("| {} {} | **{}** | {} | [{}](figures/{}.png) |\n", v.id, v.claim, v.verdict,
                      v.numbers, v.figure, v.figure);
  md +=
      "\nVerdict rules: C10 and C11 hold when at least half of the directions (seeds) are "
      "asymmetric and fail when none is; C16 holds when the softplus network's asymmetric fraction "
      "is at least half the ReLU network's, fails when it has none while the ReLU network has "
      "some, "
      "and is inconclusive when the ReLU network has none; C12 holds when the median mismatch "
      "ratio is <= 0.5 and "
      "fails when >= 0.9; C13 holds when all three of its conditions hold, fails when neither loss "
      "ordering does; C14 as stated; C15 holds when the BN network has both the larger asymmetric "
      "fraction and the larger median |log10 ratio|, fails when both are smaller; C17 holds when "
      "uniform01 and sign directions are asymmetric more often than gaussian ones and the N(0, "
      "0.1) "
      "gamma init lowers the uniform01 fraction. Otherwise inconclusive. Small presets give few "
      "directions: read the counts, not only the words.\n\n";
  md +=
      "| network | checkpoint | law | directions | asymmetric | flat + / - | median abs log10 "
      "ratio | median sign agreement |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& v : variants)
    for (const char* ck : {"swa", "sgd"})
      for (const char* law : {"uniform01", "gaussian", "sign", "filter"}) {
        const LawStats s = Stats(records, v.id, ck, law);
        if (s.n == 0) continue;
        md += fmt::format("| {} | {} | {} | {} | {} | {} / {} | {} | {} |\n", v.id, ck, law, s.n,
                          s.asymmetric, s.flat_pos, s.flat_neg, Num(s.median_abs_log_ratio),
                          Num(s.median_sign_agreement));
      }
  md +=
      "\n![profiles](figures/profiles.png)\n![asymmetry](figures/asymmetry.png)\n"
      "![line](figures/line.png)\n![logistic2d](figures/logistic2d.png)\n\n"
      "Data: `profiles_summary.csv` (every profile's scores, shift fit and curvatures), "
      "`<network>/profile_*.csv`, `bn/line_*.csv`, `<network>/epochs.csv`, "
      "`<network>/hessian_swa.json`, `figures/*.csv` (each CSV with a `.json` sidecar).\n";
  io::WriteFileAtomically(dir / "section.md", md);
  io::WriteFileAtomically(
      dir / "report.md",
      fmt::format("# valleys real-network experiment\n\n- version: {} (git {})\n- created: {}\n- "
                  "host: {}\n\n## Real networks (C10-C17)\n\n{}",
                  meta["version"].get<std::string>(), meta["git"].get<std::string>(),
                  meta["created"].get<std::string>(), meta["host"].get<std::string>(), md));
  Json full = meta;
  full["wall_time_s"] = wall;
  Json sj = Json::object();
  for (const auto& [name, seconds] : stage_seconds) sj[name] = seconds;
  full["stage_seconds"] = sj;
  Json vj = Json::array();
  for (const auto& v : verdicts)
    vj.push_back({{"claim", v.id}, {"verdict", v.verdict}, {"numbers", v.numbers}});
  full["verdicts"] = vj;
  io::WriteFileAtomically(dir / "metadata.json", full.dump(2) + "\n");
  fmt::print("wrote {}\n", (dir / "report.md").string());
}

}  // namespace

void RegisterExperimentCommand(CLI::App& app, ExperimentArgs& a) {
  CLI::App* e =
      app.add_subcommand("experiment",
                         "The whole protocol (train, SWA, SGD-after-SWA, profiles, line, shift, "
                         "Hessian, logistic model) with figures and a C10-C17 report");
  AddOption(*e, "--preset", a.preset,
            "tiny (~5 min, 2 CPU cores) | small (~40 min) | gpu (full set)")
      ->capture_default_str();
  AddOption(*e, "--out", a.out, "Run folder (default results/realnets-<UTC time>)");
  AddOption(*e, "--data", a.data, "CIFAR-10 folder (default: found as in `valleys realnets data`)");
  AddOption(*e, "--device", a.device, "cpu | cuda")->capture_default_str();
  AddOption(*e, "--set", a.set, "small | full: override the preset's data set (all of it)");
  AddOption(*e, "--threads", a.threads, "LibTorch threads")->capture_default_str();
  AddOption(*e, "--seed", a.seed, "Seed of training, directions and the logistic model")
      ->capture_default_str();
  e->add_flag("--no-figures", a.no_figures, "Skip gnuplot");
}

void RunExperimentIfParsed(const CLI::App& app, const ExperimentArgs& args) {
  const CLI::App* e = app.get_subcommand_ptr("experiment").get();
  if (e && e->parsed()) Run(args);
}

}  // namespace valleys::cli
