// The claims' renderings and the main job's driver, on made-up results: the check report's table,
// CSV, Markdown and JSON, RunReproduce's refusal of missing callbacks and of a used folder, and
// RunChecks' refusals, stages and files.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "valleys/claims/check_report.hpp"
#include "valleys/claims/reproduce.hpp"
#include "valleys/claims/reproduce_report.hpp"
#include "valleys/io/atomic_file.hpp"

using namespace valleys;
using Catch::Matchers::Contains;

namespace {
claims::ClaimResult Made(const std::string& id, claims::Verdict v, int pass, int resolved,
                         int draws) {
  claims::ClaimResult r;
  r.id = id;
  r.title = "title of " + id;
  r.verdict = v;
  r.seconds = 1.25;
  for (int i = 0; i < draws; ++i) {
    claims::ClaimDraw d;
    d.pass = i < pass;
    d.resolved = i < resolved;
    r.draws.push_back(d);
  }
  return r;
}
}  // namespace

TEST_CASE("a check report renders its tallies in every format", "[claims][report]") {
  claims::CheckReport report;
  report.meta = {{"version", "9.9"}, {"git", "abc"}, {"scale", "quick"}, {"seed", 7}};
  report.results = {Made("C1", claims::Verdict::kHolds, 3, 2, 4),
                    Made("C6", claims::Verdict::kFails, 0, 1, 2)};
  const std::string csv = report.Csv();
  CHECK(csv ==
        "claim,verdict,draws,draws_pass,draws_resolved,seconds\n"
        "C1,holds,4,3,2,1.25\n"
        "C6,fails,2,0,1,1.25\n");
  const std::string table = report.Table();
  CHECK_THAT(table, Contains("C1   title of C1"));
  CHECK_THAT(table, Contains("holds"));
  CHECK_THAT(table, Contains("   3/4       2/4         1.2"));
  const std::string md = report.Markdown();
  CHECK(md.rfind("# valleys check\n\nversion 9.9 (git abc), scale quick, seed 7\n", 0) == 0);
  CHECK_THAT(md, Contains("| C6 title of C6 | **fails** | 0/2 | 1/2 |\n"));
  const auto json = report.ToJson();
  REQUIRE(json["claims"].size() == 2);
  CHECK(json["claims"][1]["claim"] == "C6");
  CHECK(json["claims"][0]["draws_pass"] == 3);
  CHECK(json["meta"]["seed"] == 7);
}

TEST_CASE("RunReproduce names what it lacks before any work", "[claims][report]") {
  claims::ReproduceOptions o;
  o.out_dir = ".";
  o.scale = "huge";
  CHECK_THROWS_WITH(
      claims::RunReproduce(o, {}),
      Contains("ReproduceOptions::scale = 'huge' is not a scale (allowed: quick, full, smoke)"));
  o.scale = "quick";
  o.figures = {{"A", "a figure"}};
  CHECK_THROWS_WITH(claims::RunReproduce(o, {}), Contains("make_figure is required"));
  o.figures.clear();
  CHECK_THROWS_WITH(claims::RunReproduce(o, {}), Contains("run_realnets is required"));
}

TEST_CASE("RunReproduce refuses a folder that holds another run's files", "[claims][report]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("valleys_used_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "report.md") << "another run\n";
  claims::ReproduceOptions o;
  o.out_dir = dir.string();
  o.with_realnets = false;
  CHECK_THROWS_WITH(claims::RunReproduce(o, {}),
                    Contains("ReproduceOptions::out_dir '" + dir.string() +
                             "' is a folder that is "
                             "not empty"));
  CHECK(io::ReadFile(dir / "report.md") == "another run\n");
  fs::remove_all(dir);
}

TEST_CASE("RunChecks: a bad scale or claim before any work; stages and files", "[claims][report]") {
  namespace fs = std::filesystem;
  claims::CheckOptions o;
  o.scale = "huge";
  CHECK_THROWS_WITH(
      claims::RunChecks(o),
      Contains("CheckOptions::scale = 'huge' is not a scale (allowed: quick, full, smoke)"));
  o.scale = "test";
  o.claims = {"C7", "C99"};
  std::vector<std::string> stages;
  const auto on_stage = [&](int k, int n, const std::string& name) {
    stages.push_back(std::to_string(k) + "/" + std::to_string(n) + " " + name);
  };
  CHECK_THROWS_WITH(claims::RunChecks(o, on_stage), Contains("CheckOptions::claims = 'C99'"));
  CHECK(stages.empty());
  o.claims = {"C7"};
  o.out_dir =
      (fs::temp_directory_path() / ("valleys_checks_" + std::to_string(::getpid()))).string();
  fs::remove_all(o.out_dir);
  const claims::CheckReport report = claims::RunChecks(o, on_stage);
  CHECK(stages == std::vector<std::string>{"1/1 claim C7"});
  REQUIRE(report.results.size() == 1);
  CHECK(report.results[0].id == "C7");
  CHECK(report.meta["scale"] == "test");
  CHECK(report.meta["command"] == "check");
  CHECK(nlohmann::json::parse(
            io::ReadFile(fs::path(o.out_dir) / "check.json"))["claims"][0]["claim"] == "C7");
  CHECK(io::ReadFile(fs::path(o.out_dir) / "check.md") == report.Markdown());
  CHECK(report.Render(io::Format::kCsv) == report.Csv());
  fs::remove_all(o.out_dir);
}

TEST_CASE("a draw's report cells: simulated beside exact, or the texts that replace them",
          "[claims][report]") {
  claims::ClaimDraw d;
  d.simulated = 0.123456;
  d.se = 0.0123;
  d.exact = 0.12;
  CHECK(d.SimulatedCell() == "0.12346 +- 0.012");
  CHECK(d.ExactCell() == "0.12");
  d.exact_text = "window (0.1, 0.5)";
  CHECK(d.ExactCell() == "window (0.1, 0.5)");
  claims::ClaimResult r = Made("C8", claims::Verdict::kHolds, 1, 1, 1);
  r.draws[0].exact_text = "window (0.1, 0.5)";
  r.draws[0].simulated_text = "on the predicted sides";
  CHECK_THAT(r.Markdown(true), Contains("| on the predicted sides | window (0.1, 0.5) |"));
  CHECK(std::string(claims::ClaimFigure("C4")).empty());
  CHECK(std::string(claims::ClaimFigure("C8")) == "E");
}

TEST_CASE("a draw's description in a report: parameters at 4 significant digits",
          "[claims][report]") {
  claims::ClaimDraw d;
  d.description =
      "linear:p=1,c=2.05 uniform:a=0.6936406470003501 s=1.25 T=400 h=19.025256285957784";
  CHECK(d.ShortDescription() == "linear:p=1,c=2.05 uniform:a=0.6936 s=1.25 T=400 h=19.03");
  d.description = "eta 0.08328 small 1.5e-05 tiny 2.123456e-07";
  CHECK(d.ShortDescription() == "eta 0.08328 small 1.5e-05 tiny 2.123e-07");
}

TEST_CASE("the reproduce report draws each figure once, under its first claim, with a caption",
          "[claims][report]") {
  claims::ReproduceFacts f;
  f.meta = {{"version", "9.9"}, {"git", "abc"}};
  f.scale = "quick";
  f.claims = {
      Made("C1", claims::Verdict::kHolds, 1, 1, 1), Made("C2", claims::Verdict::kHolds, 1, 1, 1),
      Made("C3", claims::Verdict::kHolds, 1, 1, 1), Made("C4", claims::Verdict::kHolds, 1, 1, 1)};
  f.figures = {{"B", "risk"}};
  const std::string md = claims::ReproduceReport(f);
  auto count = [&](const std::string& what) {
    int n = 0;
    for (auto p = md.find(what); p != std::string::npos; p = md.find(what, p + 1)) ++n;
    return n;
  };
  CHECK(count("![figure B](figures/B.png)") == 1);
  CHECK(count("Figure: [B](figures/B.png), shown above.") == 2);
  CHECK(count("*Figure B.* Expected test risk against the bias zeta") == 1);
  CHECK(count("![figure") == 1);  // C4 has no figure
  CHECK(count("## How to read this report\n") == 1);
  for (const char* id : {"A", "B", "C", "D", "E", "F", "G", "H", "I"}) {
    INFO(id);
    CHECK(std::string(claims::FigureCaption(id)).rfind("Read:") != std::string::npos);
  }
  CHECK(std::string(claims::FigureCaption("Z")).empty());
}
