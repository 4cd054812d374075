// The torch-free real-network commands as library calls: options checked before any file is
// written, the files each writes, the data folder's verdict.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/realnets/analysis_commands.hpp"

using namespace valleys;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

fs::path Scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() /
                       ("valleys_analysis_commands_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A profile CSV whose test loss is the training loss translated by +0.2: L(t) = t^2 (t > 0),
// 9 t^2 (t < 0) on t in [-1, 1].
void WriteProfile(const fs::path& path) {
  auto loss = [](double t) { return t > 0 ? t * t : 9 * t * t; };
  std::string csv = "t,train_loss,test_loss\n";
  for (int i = -100; i <= 100; ++i) {
    const double t = i / 100.0;
    csv += fmt::format("{},{},{}\n", t, loss(t), loss(t - 0.2));
  }
  io::WriteFileAtomically(path, csv);
}

}  // namespace

TEST_CASE("shift: the translation of a profile CSV, its range checked first",
          "[realnets][commands]") {
  const fs::path dir = Scratch("shift");
  realnets::ShiftOptions o;
  o.profile = (dir / "p.csv").string();
  WriteProfile(o.profile);
  const realnets::RunOutput out = realnets::ShiftCommand(o);
  CHECK(out.result["delta"].get<double>() == Approx(0.2).margin(0.011));  // the grid's 0.01
  CHECK(out.meta["max_shift"] == 0.5);  // a quarter of the offsets' range [-1, 1]
  CHECK(out.meta["command"] == "realnets shift");
  o.max_shift = -1;
  CHECK_THROWS_WITH(realnets::ShiftCommand(o), Contains("ShiftOptions::max_shift = -1"));
  fs::remove_all(dir);
}

TEST_CASE("score: a profile file under the criterion; a bad file named by the field",
          "[realnets][commands]") {
  const fs::path dir = Scratch("score");
  realnets::ScoreOptions o;
  o.profile = (dir / "p.csv").string() + ",x=t,loss=train_loss";
  WriteProfile(dir / "p.csv");
  const realnets::RunOutput out = realnets::ScoreCommand(o);
  CHECK(out.result["asymmetric"] == true);  // rises 9x steeper for t < 0
  CHECK(out.result["flat_side"] == "positive");
  CHECK(out.result["detrended_ratio"].get<double>() > o.criterion.kappa);
  CHECK(out.meta["x"] == "t");
  CHECK(out.meta["loss"] == "train_loss");
  o.profile = (dir / "missing.csv").string();
  CHECK_THROWS_WITH(realnets::ScoreCommand(o), Contains("ScoreOptions::profile"));
  o.criterion.kappa = 0.5;
  CHECK_THROWS_WITH(realnets::ScoreCommand(o), Contains("AsymmetryCriterion::kappa"));
  fs::remove_all(dir);
}

TEST_CASE("logistic2d: files only with a folder, options checked first", "[realnets][commands]") {
  const fs::path dir = Scratch("logistic");
  realnets::Logistic2dOptions o;
  o.seeds = 2;
  o.steps = 200;
  const realnets::RunOutput out = realnets::Logistic2dCommand(o, (dir / "out").string());
  CHECK(out.result["seeds"] == 2);
  CHECK(io::ReadFile(dir / "out" / "logistic2d.csv").rfind("seed,t,loss,", 0) == 0);
  CHECK(nlohmann::json::parse(io::ReadFile(dir / "out" / "logistic2d.csv.json"))["seeds"] == 2);
  o.seeds = 0;
  CHECK_THROWS_WITH(realnets::Logistic2dCommand(o, (dir / "never").string()),
                    Contains("Logistic2dOptions::seeds"));
  CHECK_FALSE(fs::exists(dir / "never"));
  fs::remove_all(dir);
}

TEST_CASE("the data folder's check: neither set, or a corrupt file named", "[realnets][commands]") {
  const fs::path dir = Scratch("data");
  realnets::DataFolderCheck empty = realnets::CheckDataFolder(dir.string());
  CHECK_FALSE(empty.complete);
  CHECK_THAT(empty.problem, Contains("holds neither the full set nor the subset"));
  CHECK(empty.output.result["full_set_ok"] == false);
  CHECK(empty.output.result["files"].size() == 8);
  std::ofstream(dir / "subset_test.bin") << "not a CIFAR-10 file";
  const realnets::DataFolderCheck corrupt = realnets::CheckDataFolder(dir.string());
  CHECK_FALSE(corrupt.complete);
  CHECK_THAT(corrupt.problem, Contains("subset_test in"));
  CHECK_THAT(corrupt.problem, Contains("is corrupt"));
  fs::remove_all(dir);
}
