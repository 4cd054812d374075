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
#include "valleys/realnets/verdicts.hpp"

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
          realnets::SignedLogRatio(s.score), s.delta, s.score.fitted_p, s.score.fitted_c,
          Num(s.curvature_pos), Num(s.curvature_neg),
          theory::SideName(rec.result.test_score.score.flat_side),
          Num(rec.result.test_score.score.width_ratio), rec.shift.delta, Num(rec.shift.ratio));
      if (job.checkpoint == "swa")
        asym_csv += fmt::format("{},{},{},{},{},{},{}\n", rec.variant_code,
                                realnets::DirectionLawCode(o.law), o.direction,
                                realnets::SignedLogRatio(s.score), rec.result.sign_agreement,
                                rec.variant, o.law);
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
  std::vector<realnets::DirectionRecord> directions;
  for (const auto& r : records)
    directions.push_back({r.variant, r.checkpoint, r.law, r.result.train_score.score,
                          r.result.sign_agreement, r.shift.ratio});
  const auto& lc = line_result.curve;
  auto at = [&](const std::vector<double>& y, double alpha) {
    for (std::size_t i = 0; i < lc.t.size(); ++i)
      if (std::abs(lc.t[i] - alpha) < 1e-9) return y[i];
    return std::nan("");
  };
  realnets::LineNumbers line_numbers;
  line_numbers.train_at_swa = at(lc.train_loss, 0);
  line_numbers.train_at_sgd = at(lc.train_loss, 1);
  line_numbers.test_at_swa = at(lc.test_loss, 0);
  line_numbers.test_at_sgd = at(lc.test_loss, 1);
  line_numbers.test_past_swa = at(lc.test_loss, -0.25);
  line_numbers.slope_beyond_sgd = line_result.slope_beyond_to;
  line_numbers.slope_beyond_swa = line_result.slope_beyond_from;
  line_numbers.accepted_epoch = after_result.accepted_epoch;
  line_numbers.distance = line_result.distance;
  const realnets::LogisticNumbers logistic_numbers{logistic.seeds, logistic_result.asymmetric,
                                                   logistic_result.flat_pos,
                                                   logistic_result.flat_neg};
  const std::vector<realnets::VerdictRow> verdicts =
      realnets::EvaluateVerdicts(directions, line_numbers, logistic_numbers);

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
  md += fmt::format("\n{}\n\n", realnets::kVerdictRules);
  md +=
      "| network | checkpoint | law | directions | asymmetric | flat + / - | median abs log10 "
      "ratio | median sign agreement |\n|---|---|---|---|---|---|---|---|\n";
  for (const auto& v : variants)
    for (const char* ck : {"swa", "sgd"})
      for (const char* law : {"uniform01", "gaussian", "sign", "filter"}) {
        const realnets::LawStats s = realnets::Stats(directions, v.id, ck, law);
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
  io::WriteFileAtomically(dir / "report.md",
                          io::ReportHeader("valleys real-network experiment", meta) +
                              "\n## Real networks (C10-C17)\n\n" + md);
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
