// The experiment driver as a library: a miniature preset runs every stage in order, reports its
// progress through the callbacks, writes every file with the documented headers (the plots'
// schema), judges C10-C18, refuses invalid options by field name, and a second run in the same
// folder reuses the training and ends with the same numbers. The run folder's name holds quotes,
// a command substitution, a semicolon, a backquote and a newline, and the figures are rendered by
// gnuplot as the command line renders them: no shell may run any of it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "data_dir.hpp"
#include "experiment_job.hpp"
#include "support/files.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"
#include "valleys/plots/realnets_figures.hpp"
#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/realnets/experiment.hpp"
#include "valleys/realnets/outputs.hpp"
#include "valleys/realnets/probes.hpp"

using namespace valleys::realnets;
namespace fs = std::filesystem;

namespace {

using valleys::testing::Slurp;
std::string FirstLine(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  return line;
}
long long Lines(const fs::path& p) {
  const std::string s = Slurp(p);
  return std::count(s.begin(), s.end(), '\n');
}

// The smoke preset: every stage at the smallest size that still runs it.
ExperimentOptions Miniature(const fs::path& dir) {
  ExperimentOptions o;
  REQUIRE(StringToPreset("smoke", &o.preset));
  o.out_dir = dir.string();
  o.data_dir = valleys::cli::FindDataDir("");
  o.threads = 1;
  return o;
}

}  // namespace

TEST_CASE("presets by name; unknown names refused; a new data set means all of it",
          "[realnets][experiment]") {
  for (const auto& name : PresetNames()) {
    Preset p;
    REQUIRE(StringToPreset(name, &p));
    CHECK(p.name == name);
    std::string why;
    CHECK(p.IsValid(&why));
  }
  Preset p;
  CHECK_FALSE(StringToPreset("huge", &p));
  CHECK(p.name.empty());
  REQUIRE(StringToPreset("tiny", &p));
  CHECK(p.train_size == 5000);
  OverrideSubset(Subset::kFull, &p);
  CHECK(p.subset == Subset::kFull);
  CHECK(p.train_size == 0);
  CHECK(p.test_size == 0);
  // Variants: BN, the BN-free twin, the gamma ablation, BN by plain SGD (C10); softplus only
  // where the preset asks.
  REQUIRE(Variants(p).size() == 4);
  CHECK_FALSE(Variants(p)[1].model.batch_norm);
  CHECK(Variants(p)[2].model.bn_init == BnInit::kNormal01);
  CHECK(Variants(p)[3].id == "bn-sgd");
  CHECK(Variants(p)[3].schedule == Schedule::kSgd);
  CHECK(Variants(p)[3].laws.empty());
  CHECK(Variants(p)[0].schedule == Schedule::kSwa);
  REQUIRE(StringToPreset("small", &p));
  REQUIRE(Variants(p).size() == 5);
  CHECK(Variants(p)[4].model.activation == Activation::kSoftplus);
}

TEST_CASE("the experiment driver: stages, files, headers, verdicts, resume",
          "[realnets][experiment][torch]") {
  const fs::path base =
      fs::temp_directory_path() / ("valleys_experiment_" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base);
  const fs::path dir = base / "run x'; $(touch PWNED) `touch PWNED` \"q\"\nz";
  ExperimentOptions o = Miniature(dir);

  {
    ExperimentOptions bad = o;
    bad.preset.points = 4;
    CHECK_THROWS_AS(RunExperiment(bad), valleys::io::InputError);
    CHECK_THROWS_WITH(RunExperiment(bad), Catch::Contains("Preset::points = 4"));
    bad = o;
    bad.out_dir.clear();
    CHECK_THROWS_WITH(RunExperiment(bad), Catch::Contains("ExperimentOptions::out_dir"));
    CHECK_FALSE(fs::exists(dir));  // refused before anything was written
  }

  std::vector<std::string> stages;
  std::map<std::string, std::pair<long long, long long>> progress;  // unit -> (calls, last done)
  std::string figures_dir;
  ExperimentCallbacks cb;
  cb.on_stage = [&](int index, int count, const std::string& name) {
    CHECK(index >= 1);
    CHECK(index <= count);
    stages.push_back(name);
  };
  cb.on_progress = [&](const std::string& unit, long long done, long long total) {
    auto& p = progress[unit];
    if (p.first == 0) CHECK(done == 0);
    CHECK(done <= total);
    ++p.first;
    p.second = done;
  };
  cb.render_figures = [&](const std::string& d) {
    figures_dir = d;
    CHECK(fs::exists(fs::path(d) / "profiles.csv"));  // the data is there before the figures
    for (const auto& f : valleys::plots::RealnetsFigures())
      valleys::plots::RenderFigure(d, f.id, [&](const std::string& stem) {
        return valleys::plots::RealnetsGnuplotScript(f.id, f.id + ".csv", stem);
      });
  };
  const ExperimentSummary s = RunExperiment(o, cb);
  // Eight jobs (2 seeds x 4 networks), each its stages, then the merge.
  CHECK(s.jobs_run == std::vector<std::string>{"seed-1/bn", "seed-1/nobn", "seed-1/gamma",
                                               "seed-1/bn-sgd", "seed-2/bn", "seed-2/nobn",
                                               "seed-2/gamma", "seed-2/bn-sgd"});
  CHECK(s.merged);
  REQUIRE_FALSE(stages.empty());
  CHECK(stages.front() == "seed-1/bn: training");
  CHECK(std::find(stages.begin(), stages.end(), "seed-2/bn: swa_bias") != stages.end());
  CHECK(std::find(stages.begin(), stages.end(), "seed-1/nobn: hessian") != stages.end());
  CHECK(std::find(stages.begin(), stages.end(), "seed-2/nobn: hessian") == stages.end());
  CHECK(stages.back() == "verdicts, figures and report");
  // Optimizer steps of the last network: epochs x ceil(256 images / batch 128).
  CHECK(progress["optimizer steps"].second == 2 * 2);
  // Profiles of the last bn job: 4 laws, one direction each, 4 families, one at the last SGD
  // iterate.
  CHECK(progress["profiles"].second == 1);  // the last job: bn-sgd's one profile
  CHECK(figures_dir == (dir / "figures").string());
  for (const auto& f : valleys::plots::RealnetsFigures()) {
    INFO(f.id);
    CHECK(fs::file_size(dir / "figures" / (f.id + ".png")) > 1000);
  }
  CHECK(s.report_path == (dir / "report.md").string());
  REQUIRE(s.verdicts.size() == 9);
  CHECK(s.verdicts.front().id == "C10");
  CHECK(s.verdicts.back().id == "C18");
  for (const auto& v : s.verdicts)
    CHECK((v.verdict == "holds" || v.verdict == "fails" || v.verdict == "inconclusive" ||
           v.verdict == "not run"));
  REQUIRE(s.stage_seconds.size() == 8);
  CHECK(s.stage_seconds.front().first == "training");
  CHECK(s.stage_seconds.back().first == "merge");
  // Each job's record; metadata.json lists every network of every seed.
  CHECK(fs::exists(dir / "seed-2" / "gamma" / "job.json"));
  const auto meta = nlohmann::json::parse(Slurp(dir / "metadata.json"));
  REQUIRE(meta.at("networks").size() == 8);
  CHECK(meta["networks"][0]["variant"] == "bn");
  CHECK(meta["networks"][0]["seed"] == 1);
  for (const char* key : {"network", "train_size", "test_size", "epochs", "sgd_test_acc",
                          "sgd_test_loss", "swa_test_acc", "swa_test_loss", "centre_train_loss",
                          "centre_train_acc", "training_seconds"})
    CHECK(meta["networks"][0].contains(key));
  CHECK_THAT(Slurp(dir / "report.md"), Catch::Contains("Not the paper's regime"));

  // The figure data carries the columns the plots document (and their scripts read).
  for (const auto& f : valleys::plots::RealnetsFigures()) {
    INFO(f.id);
    CHECK(FirstLine(dir / "figures" / (f.id + ".csv")) == f.columns);
    CHECK(fs::exists(dir / "figures" / (f.id + ".csv.json")));
  }
  // Two seeds, each with its own networks: seed-1/ and seed-2/.
  const fs::path s1 = dir / "seed-1", s2 = dir / "seed-2";
  // Per seed: bn 4 laws + 4 families + 1 at SGD + 2 Hessian directions, nobn 4 + 2, gamma 2,
  // bn-sgd 1.
  CHECK(Lines(dir / "profiles_summary.csv") == 1 + 2 * 20);
  // The Hessian's directions: one of each end, from one Lanczos run per job, in the report.
  for (const fs::path& job : {s1 / "bn", s2 / "nobn"}) {
    INFO(job);
    const auto h = nlohmann::json::parse(Slurp(job / "hessian_directions.json"));
    REQUIRE(h.at("rows").size() == 2);
    CHECK(h["rows"][0]["end"] == "top");
    CHECK(h["rows"][1]["end"] == "bottom");
    CHECK(h["rows"][0]["value"].get<double>() > h["rows"][1]["value"].get<double>());
    CHECK(fs::exists(job / "profile_swa_hessian-top_d0_recompute.csv"));
    CHECK(fs::exists(job / "profile_swa_hessian-bottom_d0_recompute.csv"));
  }
  CHECK_FALSE(fs::exists(s1 / "gamma" / "hessian_directions.json"));
  CHECK_THAT(Slurp(dir / "profiles_summary.csv"), Catch::Contains(",nobn,swa,hessian-bottom,0,"));
  CHECK_THAT(Slurp(dir / "report.md"), Catch::Contains("### Along the Hessian's own directions") &&
                                           Catch::Contains("| 2 | nobn | bottom | 1 |"));
  CHECK(fs::exists(s2 / "bn" / "swa.pt"));
  CHECK(fs::exists(s2 / "bn" / "line_swa_sgd_after_swa_recompute.csv"));
  // C18: the iterates of the averaged epoch, one row per direction (4 laws + 1 PC) and seed.
  CHECK(fs::exists(s1 / "bn" / "iterates_e2.pt"));
  CHECK_FALSE(fs::exists(s1 / "nobn" / "iterates_e2.pt"));
  CHECK(Lines(dir / "swa_bias.csv") == 1 + 2 * 5);
  CHECK(Lines(s1 / "bn" / "swa_bias_profiles.csv") == 1 + 5 * 7);
  CHECK_THAT(Slurp(dir / "swa_bias.csv"), Catch::Contains(",pc1,"));
  CHECK(fs::exists(s1 / "bn" / "profile_swa_shifted-gaussian-m2_d0_recompute.csv"));
  CHECK(fs::exists(s1 / "bn" / "profile_swa_sign-agreement-r0.75_d0_recompute.csv"));
  CHECK(fs::exists(s1 / "bn" / "profile_swa_ones_d0_recompute.csv"));
  CHECK(Slurp(dir / "profiles_summary.csv").find(",shifted-gaussian:mean=0.5,") !=
        std::string::npos);
  // The figures draw the four laws only.
  CHECK(Slurp(dir / "figures" / "profiles.csv").find("shifted") == std::string::npos);
  // ... at SWA and at the SGD centres (C10's); the asymmetry figure reads every profile's row.
  CHECK_THAT(Slurp(dir / "figures" / "profiles.csv"), Catch::Contains(",bn-sgd,uniform01,sgd\n"));
  CHECK_THAT(Slurp(dir / "figures" / "profiles.csv"), Catch::Contains(",bn,uniform01,sgd\n"));
  CHECK(Slurp(dir / "figures" / "asymmetry.csv") == Slurp(dir / "profiles_summary.csv"));
  CHECK(fs::exists(s1 / "bn-sgd" / "profile_sgd_uniform01_d0_recompute.csv"));
  CHECK_FALSE(fs::exists(s1 / "bn-sgd" / "swa.pt"));  // plain SGD: no average
  CHECK(Lines(dir / "figures" / "line.csv") == 1 + 6);
  for (const char* net : {"bn", "nobn", "gamma"}) {
    INFO(net);
    CHECK(fs::exists(s1 / net / "swa.pt"));
    CHECK(Lines(s1 / net / "epochs.csv") == 1 + 2);
  }
  CHECK(fs::exists(s1 / "bn" / "hessian_swa.json"));
  CHECK(fs::exists(s1 / "nobn" / "hessian_swa.json"));
  const std::string report = Slurp(dir / "report.md");
  CHECK_THAT(report, Catch::Contains("## Real networks (C10-C18)"));
  CHECK_THAT(report, Catch::Contains("### C18: the SWA average against the exact SGD chain"));
  CHECK_THAT(report, Catch::Contains("seeds 1, 2 (2 per network)"));
  CHECK_THAT(report, Catch::Contains("| C10 "));
  // Every verdict row has the table's four cells: a '|' inside a cell (|log10 ratio|) is escaped.
  {
    std::istringstream lines(report);
    int rows = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("| C1", 0) != 0) continue;
      int bars = 0;
      for (std::size_t i = 0; i < line.size(); ++i)
        bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
      INFO(line);
      CHECK(bars == 5);
      ++rows;
    }
    CHECK(rows == 9);  // C10-C18
  }
  CHECK_THAT(Slurp(dir / "metadata.json"), Catch::Contains("\"verdicts\""));
  // Two power iterations cannot meet the tolerance: no eigenvalue is printed as a result.
  const std::string hessian = Slurp(s1 / "bn" / "hessian_swa.json");
  CHECK_THAT(hessian, Catch::Contains("\"converged\": false"));
  CHECK_THAT(hessian, !Catch::Contains("\"top_eigenvalue\""));
  CHECK_THAT(hessian, Catch::Contains("\"iteration_cap\": 2"));
  CHECK_THAT(hessian, Catch::Contains("\"start_vector\""));
  CHECK_THAT(report, Catch::Contains("not converged after 2 iterations (last change"));

  // Again in the same folder: the training is reused (its epoch rows, wall times included, come
  // back from the saved state) and the numbers repeat.
  const std::string epochs_before = Slurp(s1 / "bn" / "epochs.csv");
  const std::string summary_before = Slurp(dir / "profiles_summary.csv");
  const std::string line_before = Slurp(dir / "figures" / "line.csv");
  progress.clear();
  stages.clear();
  const ExperimentSummary again = RunExperiment(o, cb);
  CHECK(again.jobs_run.empty());  // every job was finished: none is redone
  CHECK(Slurp(s1 / "bn" / "epochs.csv") == epochs_before);
  CHECK(Slurp(dir / "profiles_summary.csv") == summary_before);
  CHECK(Slurp(dir / "figures" / "line.csv") == line_before);
  for (std::size_t i = 0; i < again.verdicts.size(); ++i)
    CHECK(again.verdicts[i].verdict == s.verdicts[i].verdict);
  // Nothing was executed: no file named PWNED anywhere under the base or the working folder.
  for (const auto& entry : fs::recursive_directory_iterator(base)) {
    CHECK(entry.path().filename() != "PWNED");
    CHECK(entry.path().filename().string().find(".partial-") == std::string::npos);
  }
  CHECK_FALSE(fs::exists("PWNED"));

  // In three parts, as a job array runs it: the parts run the jobs i with i % 3 == K - 1.
  const fs::path parts = base / "sharded";
  ExperimentOptions shard = o;
  shard.out_dir = parts.string();
  shard.shard_count = 3;
  shard.shard_index = 1;
  const ExperimentSummary p1 = RunExperiment(shard);
  CHECK(p1.jobs_run == std::vector<std::string>{"seed-1/bn", "seed-1/bn-sgd", "seed-2/gamma"});
  CHECK_FALSE(p1.merged);
  CHECK_FALSE(fs::exists(parts / "report.md"));
  // A part killed inside a job: no record, its training state kept. Run again, it redoes that
  // job only, and resumes the training from its state (the epoch rows, wall times included, come
  // back unchanged).
  const fs::path killed = parts / "seed-1" / "bn-sgd";
  const std::string epochs_kept = Slurp(killed / "epochs.csv");
  fs::remove(killed / "job.json");
  CHECK(RunExperiment(shard).jobs_run == std::vector<std::string>{"seed-1/bn-sgd"});
  CHECK(Slurp(killed / "epochs.csv") == epochs_kept);
  // The merge is refused while parts 2 and 3 are missing, naming their jobs; nothing is written.
  ExperimentOptions merge = o;
  merge.out_dir = parts.string();
  merge.merge = true;
  CHECK_THROWS_AS(RunExperiment(merge), MissingJobsError);
  CHECK_THROWS_WITH(RunExperiment(merge), Catch::Contains("seed-1/nobn") &&
                                              Catch::Contains("seed-2/bn-sgd") &&
                                              !Catch::Contains("seed-2/gamma"));
  CHECK_FALSE(fs::exists(parts / "report.md"));
  for (int k : {3, 2}) {
    shard.shard_index = k;
    CHECK(RunExperiment(shard).jobs_run.size() == (k == 2 ? 3u : 2u));
  }
  const ExperimentSummary merged = RunExperiment(merge);
  CHECK(merged.merged);
  CHECK(merged.jobs_run.empty());
  // The same verdicts, numbers and tables as the run in one call.
  REQUIRE(merged.verdicts.size() == s.verdicts.size());
  for (std::size_t i = 0; i < s.verdicts.size(); ++i) {
    INFO(s.verdicts[i].id);
    CHECK(merged.verdicts[i].verdict == s.verdicts[i].verdict);
    CHECK(merged.verdicts[i].numbers == s.verdicts[i].numbers);
  }
  CHECK(Slurp(parts / "profiles_summary.csv") == summary_before);
  CHECK(Slurp(parts / "figures" / "line.csv") == line_before);
  CHECK(Slurp(parts / "swa_bias.csv") == Slurp(dir / "swa_bias.csv"));
  {
    ExperimentOptions bad = shard;
    bad.shard_index = 4;
    CHECK_THROWS_WITH(RunExperiment(bad), Catch::Contains("ExperimentOptions::shard_index = 4"));
    bad = merge;
    bad.shard_count = 2, bad.shard_index = 1;
    CHECK_THROWS_WITH(RunExperiment(bad), Catch::Contains("ExperimentOptions::merge"));
  }
  // Restored from an archive (scripts/realnets-archive: no *.pt, no state.json) before the job
  // finished: it trains again to the same checkpoint and reads its profiles back instead of
  // evaluating them again (a value altered in one stored curve survives the run).
  {
    const std::string sha_before = Slurp(killed / "swa.pt.sha256");
    fs::path curve_file;
    for (const auto& entry : fs::directory_iterator(killed)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("profile_", 0) == 0 && entry.path().extension() == ".csv")
        curve_file = entry.path();
    }
    REQUIRE_FALSE(curve_file.empty());
    std::string curve = Slurp(curve_file);
    const std::size_t row_end = curve.find('\n', curve.find('\n') + 1);
    const std::size_t last_comma = curve.rfind(',', row_end);
    curve.replace(last_comma + 1, row_end - last_comma - 1, "0.123456789");
    std::ofstream(curve_file, std::ios::binary) << curve;
    fs::remove(killed / "job.json");
    for (const auto& entry : fs::directory_iterator(killed))
      if (entry.path().extension() == ".pt" || entry.path().filename() == "state.json")
        fs::remove(entry.path());
    shard.shard_index = 1;
    CHECK(RunExperiment(shard).jobs_run == std::vector<std::string>{"seed-1/bn-sgd"});
    CHECK(Slurp(killed / "swa.pt.sha256") == sha_before);
    CHECK_THAT(Slurp(curve_file), Catch::Contains(",0.123456789\n"));
  }
  fs::remove_all(base);
}

TEST_CASE("the profile figure marks the asymmetry criterion's heights", "[realnets][experiment]") {
  std::string heights;
  for (double h : valleys::realnets::AsymmetryCriterion{}.heights)
    heights += (heights.empty() ? "" : " ") + fmt::format("{}", h);
  CHECK_THAT(valleys::plots::RealnetsGnuplotScript("profiles", "p.csv", "p"),
             Catch::Contains("heights = '" + heights + "'"));
}

TEST_CASE("the experiment on the airbench recipe: every job runs, the pre-registered table",
          "[realnets][slow]") {
  // cpu-full's stages at a miniature size: width 16, 2,048 training images (2 steps of 1,024 per
  // epoch), 2 decayed + 1 averaged epochs, 2 seeds, one 5-point direction per law, bracketed. Six
  // steps leave the networks near chance: their valleys need not be bracketed, and a claim
  // without values must say why.
  const fs::path dir =
      fs::temp_directory_path() / ("valleys_experiment_airbench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ExperimentOptions o;
  REQUIRE(StringToPreset("cpu-full", &o.preset));
  o.preset.model.width = 16;
  o.preset.subset = Subset::kSmall;
  o.preset.train_size = 2048, o.preset.test_size = 256;
  o.preset.epochs = 2, o.preset.swa_epochs = 1, o.preset.seeds = 2;
  o.preset.directions = 1, o.preset.family_directions = 1, o.preset.points = 5;
  o.preset.range = 2, o.preset.eval_size = 256;
  o.preset.line_points = 6, o.preset.after_max_epochs = 1;
  o.preset.hessian_sample = 64, o.preset.hessian_iterations = 2;
  o.out_dir = dir.string();
  o.data_dir = valleys::cli::FindDataDir("");
  o.threads = 1;
  const ExperimentSummary s = RunExperiment(o);
  REQUIRE(s.merged);
  // bn, nobn, gamma, softplus and bn-controls per seed (no bn-sgd).
  CHECK(s.jobs_run.size() == 10);
  // bn-controls is the BN network trained again: on one machine, the same bits.
  CHECK(Slurp(dir / "seed-1" / "bn-controls" / "swa.pt.sha256").substr(0, 64) ==
        Slurp(dir / "seed-1" / "bn" / "swa.pt.sha256").substr(0, 64));
  const std::string report = Slurp(dir / "report.md");
  CHECK(report.find("| bn-controls | swa | sign/exclude-bn |") != std::string::npos);
  CHECK(report.find("### Pre-registered verdicts") != std::string::npos);
  CHECK(report.find("| C10 ") != std::string::npos);
  const auto meta = nlohmann::json::parse(Slurp(dir / "metadata.json"));
  REQUIRE(meta["preregistered_verdicts"].size() == 8);
  CHECK(meta["preregistered_verdicts"][0]["claim"] == "C10");
  const auto& c10 = meta["preregistered_verdicts"][0];
  CHECK(c10["seeds"].get<int>() <= 2);
  if (c10["seeds"] == 0)
    CHECK_THAT(c10["why_not"].get<std::string>(), Catch::Contains("bracketed its valley"));
  // The twin trains at lr 0.2 with adaptive clipping; each job wrote its training result.
  const auto twin = nlohmann::json::parse(Slurp(dir / "seed-1" / "nobn" / "training.json"));
  CHECK(twin["metadata"]["lr"].get<double>() == Approx(0.2));
  CHECK(twin["metadata"]["adaptive_gradient_clip"].get<double>() == 0.04);
  // bn-controls and the twin profiled along the Hessian's extreme eigenvectors.
  CHECK(report.find("| 2 | bn-controls | top | 1 |") != std::string::npos);
  CHECK(report.find("| 2 | nobn | bottom | 2 |") != std::string::npos);
  CHECK(std::isfinite(twin["result"]["swa_test_acc"].get<double>()));
  // Bracketed profiles: at least the grid and the two midpoints.
  const std::string summary = Slurp(dir / "profiles_summary.csv");
  CHECK(summary.find("valley_log10_ratio") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("direction labels carry the parameters a direction leaves out", "[realnets]") {
  for (const std::string label :
       {"uniform01", "shifted-gaussian:mean=0.5", "sign-agreement:r=0.75", "sign/exclude-bn",
        "uniform01/only-bn", "uniform01/exclude=head.*", "sign/exclude-bn/exclude=head.*",
        "uniform01/no-radial", "logit-scale"}) {
    ProfileOptions o;
    std::string why;
    CAPTURE(label);
    REQUIRE(ParseDirectionLabel(label, &o, &why));
    CHECK(DirectionLabel(o) == label);
  }
  ProfileOptions plain, no_bn, no_head;
  std::string why;
  REQUIRE(ParseDirectionLabel("sign", &plain, &why));
  REQUIRE(ParseDirectionLabel("sign/exclude-bn", &no_bn, &why));
  REQUIRE(ParseDirectionLabel("sign/exclude=head.*", &no_head, &why));
  CHECK(no_bn.mask == ParameterMask::kExcludeBn);
  CHECK(no_head.exclude_pattern == "head.*");
  // Each control writes its own files.
  CHECK(ProfileStem(plain) != ProfileStem(no_bn));
  CHECK(ProfileStem(plain) != ProfileStem(no_head));
  CHECK(ProfileStem(no_head).find("_excl-head--") != std::string::npos);
  ProfileOptions kept = no_head;
  CHECK_FALSE(ParseDirectionLabel("sign/exclude-everything", &kept, &why));
  CHECK_THAT(why, Catch::Contains("ProfileOptions::law") && Catch::Contains("exclude-everything"));
  CHECK(kept.exclude_pattern == "head.*");  // unchanged on failure
  CHECK_FALSE(ParseDirectionLabel("sign/exclude=", &kept, &why));
  // The paper-regime preset profiles the controls once per seed.
  Preset p;
  REQUIRE(StringToPreset("cpu-full", &p));
  const std::vector<Variant> v = Variants(p);
  REQUIRE(v.size() == 5);
  CHECK(v[0].id == "bn");
  CHECK(v[0].families.empty());    // a job of its own in the paper's regime
  const Variant& controls = v[1];  // beside bn: one session may run both
  CHECK(controls.id == "bn-controls");
  CHECK(controls.laws.empty());
  CHECK(controls.model.Describe() == v[0].model.Describe());
  CHECK(controls.lr_factor == v[0].lr_factor);
  // The Hessian's directions: bn-controls and the BN-free twin, not the BN job.
  CHECK_FALSE(v[0].hessian_directions);
  CHECK(controls.hessian_directions);
  CHECK(v[2].id == "nobn");
  CHECK(v[2].hessian_directions);
  CHECK(v[2].adaptive_clip == 0.04);  // the airbench twin's recipe
  CHECK(v[2].lr_factor * p.lr == Approx(0.2));
  CHECK(v[0].adaptive_clip == 0);
  CHECK_FALSE(v[3].hessian_directions);
  CHECK(std::count(controls.families.begin(), controls.families.end(), "sign/exclude-bn") == 1);
  CHECK(std::count(controls.families.begin(), controls.families.end(), "ones") == 1);
  Preset small;
  REQUIRE(StringToPreset("small", &small));
  CHECK(Variants(small).front().families.size() == 4);  // elsewhere the BN job profiles them
  CHECK(p.family_directions == 1);
  p.family_directions = 0;
  CHECK_FALSE(p.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("Preset::family_directions = 0"));
}

TEST_CASE("the line's C13 and C14 numbers: measured from its minimum, + toward SWA", "[realnets]") {
  // alpha in [-2, 3] by 0.05, ||w_SGD - w_SWA|| = 2: t = -2 alpha in [-6, 4]. Training loss
  // 0.1 t^2 toward SWA (t > 0), t^2 toward SGD: widths at any height in the ratio sqrt(10),
  // log10 = 0.5. Test loss = training loss + 0.01.
  for (const double side : {1.0, -1.0}) {
    LineResult line;
    line.distance = 2;
    for (int i = 0; i <= 100; ++i) {
      const double alpha = -2 + 0.05 * i, t = -2 * alpha * side;
      const double loss = t > 0 ? 0.1 * t * t : t * t;
      line.curve.t.push_back(alpha);
      line.curve.train_loss.push_back(loss);
      line.curve.train_acc.push_back(1);
      line.curve.test_loss.push_back(loss + 0.01);
      line.curve.test_acc.push_back(1);
    }
    const LineNumbers n = detail::LineNumbersOf(line, {});
    CAPTURE(side);
    CHECK(n.valley_log10_ratio == Approx(0.5 * side).margin(0.03));
    REQUIRE(std::isfinite(n.flat_width));
    if (side > 0) {
      // w+ toward SWA: test(w_SWA + w+ u) = 0.1 w+^2 + 0.01 against 0.01 at SWA.
      CHECK(n.test_past_swa_by_width ==
            Approx((0.1 * n.flat_width * n.flat_width + 0.01) / 0.01 - 1).epsilon(0.03));
    }
  }
  // A line too short to bracket its valley has no numbers.
  LineResult flat;
  flat.distance = 1;
  for (int i = 0; i <= 10; ++i) {
    flat.curve.t.push_back(-2 + 0.5 * i);
    for (auto* c : {&flat.curve.train_loss, &flat.curve.test_loss}) c->push_back(1 + 1e-4 * i);
    for (auto* c : {&flat.curve.train_acc, &flat.curve.test_acc}) c->push_back(1);
  }
  const LineNumbers n = detail::LineNumbersOf(flat, {});
  CHECK(std::isnan(n.valley_log10_ratio));
  CHECK(std::isnan(n.test_past_swa_by_width));
}
