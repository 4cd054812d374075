// The sweep engine as a library: the CSV schema, the sweep id, the kept-row check, and the runner
// over a row transport (a stand-in second rank here; MPI itself is tested through the program), and
// the sweep into a file (sidecar, shard, resume, refusals), the plan of a request, and the merge
// into a file.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/sim/options.hpp"
#include "valleys/sweep/merge.hpp"
#include "valleys/sweep/plan.hpp"
#include "valleys/sweep/sweep.hpp"
#include "valleys/sweep/sweep_file.hpp"
#include "valleys/theory/analytic_profiles.hpp"

using namespace valleys;
namespace fs = std::filesystem;

namespace {

// An empty scratch folder of this process.
fs::path Scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A sweep over learning rates, small enough for a unit test.
sweep::SweepPlan Rates(const std::vector<std::string>& etas = {"0.01", "0.02", "0.05"}) {
  io::SimSpec base;
  base.profiles = {"quadratic:hplus=1,hminus=9"};
  base.chains = 8;
  base.steps = 50;
  return sweep::PlanSweep(base, {{"eta", etas}}, true);
}

}  // namespace

TEST_CASE("sweep ids are FNV-1a of the specification (published test vectors)", "[sweep]") {
  // FNV-1a 64: the offset basis for the empty string, and the reference value for "a".
  CHECK(sweep::SweepId("") == "cbf29ce484222325");
  CHECK(sweep::SweepId("a") == "af63dc4c8601ec8c");
  CHECK(sweep::SweepId("foobar") == "85944171f73967e8");
}

TEST_CASE("the CSV header and a row from typed results", "[sweep]") {
  const std::vector<io::GridAxis> axes = {{"eta", {"0.01", "0.1"}}, {"a,b", {"x", "y\"z"}}};
  CHECK(sweep::CsvHeader(axes).rfind("index,eta,\"a,b\",mean_avg,mean_avg_se,", 0) == 0);
  CHECK(sweep::CsvHeader(axes).size() > 200);
  sim::SimSummary s;
  s.mean_avg = {0.5, 0.25};
  s.mean_last = {1, 2};
  s.p_flat = {0.75, 0.125};
  s.mean_pos = {3, 4};
  s.mean_neg = {-1, 0.5};
  s.risk_avg = {std::nan(""), std::nan("")};
  s.risk_last = {std::nan(""), std::nan("")};
  s.risk_min = {std::nan(""), 0};
  s.beats_min_frac = {std::nan(""), std::nan("")};
  s.diverged = 3;
  s.w_hat = 0;
  // Configuration 3: eta = 0.1 (axis 1 slowest), "a,b" = "y\"z" (quoted, quote doubled); the
  // row_check is FNV-1a 64 of the text before it, computed apart (Python: h = 0xcbf29ce484222325;
  // h = ((h ^ byte) * 0x100000001b3) mod 2^64 for each byte).
  CHECK(sweep::CsvRow(3, axes, s, std::nullopt) ==
        "3,0.1,\"y\"\"z\",0.5,0.25,1,2,0.75,0.125,3,4,-1,0.5,nan,nan,nan,nan,nan,nan,nan,3,0,,,,,"
        "7e617cbabf4c494f");
}

TEST_CASE("kept rows must hold their configuration's axis values and their own row_check",
          "[sweep]") {
  // row_check values computed apart, as in the case above.
  const std::vector<io::GridAxis> axes = {{"eta", {"0.01", "0.1"}}};
  io::SweepCsv csv;
  csv.rows = {"0,0.01,5,0e8ef72a93442437", "1,0.1,6,4f45dbac16daad93"};
  csv.indices = {0, 1};
  CHECK_NOTHROW(sweep::CheckRowAxes(csv, axes, 2, "x.csv"));
  csv.rows[1] = "1,0.2,6,35ec6eac08ad19ae";
  CHECK_THROWS_WITH(sweep::CheckRowAxes(csv, axes, 2, "x.csv"),
                    Catch::Contains("'x.csv' row 2 (configuration 1) does not hold"));
  csv.rows[1] = "1,0.10,6,b0a19e6ae8ddf7b1";  // the same number written differently is another row
  CHECK_THROWS_AS(sweep::CheckRowAxes(csv, axes, 2, "x.csv"), io::InputError);
  csv.rows[1] = "1,0.1,7,4f45dbac16daad93";  // a result edited, its check kept
  CHECK_THROWS_WITH(sweep::CheckRowAxes(csv, axes, 2, "x.csv"),
                    Catch::Contains("'x.csv' row 2 (configuration 1) was edited"));
  csv.rows[1] = "7,0.1,6,0ab40fcaad3ebd95";
  csv.indices[1] = 7;
  CHECK_THROWS_WITH(sweep::CheckRowAxes(csv, axes, 2, "x.csv"),
                    Catch::Contains("has index 7 but the sweep has 2 configurations"));
}

namespace {

// Rank 0 of two: the other rank's rows are handed in, out of order, as an MPI rank would send them.
class TwoRanks final : public sweep::RowTransport {
 public:
  explicit TwoRanks(std::map<long long, std::string> other) : other_(std::move(other)) {}
  int Rank() const override { return 0; }
  int Size() const override { return 2; }
  void SendRow(long long, const std::string&) override { FAIL("rank 0 never sends"); }
  bool TryReceiveRow(long long*, std::string*) override { return false; }
  void ReceiveRow(long long* index, std::string* row) override {
    REQUIRE(!other_.empty());
    auto it = std::prev(other_.end());  // the last first: order must come from the engine
    *index = it->first;
    *row = it->second;
    other_.erase(it);
  }

 private:
  std::map<long long, std::string> other_;
};

sweep::SweepJob SmallJob() {
  sweep::SweepJob job;
  job.axes = {{"eta", {"0.01", "0.02", "0.03", "0.04", "0.05"}}};
  for (int k = 0; k < 5; ++k) {
    sim::SimOptions o;
    o.profile = std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1.0, 9.0});
    o.lr.eta = 0.01 * (k + 1);
    o.chains = 64;
    o.steps = 200;
    job.configurations.push_back(o);
  }
  job.remaining = {1, 2, 3, 4};  // configuration 0 already in the file
  job.with_theory = true;
  return job;
}

}  // namespace

TEST_CASE("the runner writes rows in configuration order, whoever computed them", "[sweep]") {
  const sweep::SweepJob job = SmallJob();
  sweep::LocalTransport local;
  std::vector<std::string> alone;
  long long last_progress = 0;
  sweep::RunSweep(
      job, local, [&](const std::string& row) { alone.push_back(row); },
      [&](long long written) { last_progress = written; });
  REQUIRE(alone.size() == 4);
  CHECK(last_progress == 4);
  for (std::size_t k = 0; k < 4; ++k)
    CHECK(alone[k].rfind(std::to_string(job.remaining[k]) + ",", 0) == 0);
  // Every row has its prediction (constant rate, additive noise): theory columns are filled.
  for (const auto& row : alone) CHECK(row.find(",,") == std::string::npos);

  // With two ranks, rank 0 computes remaining[0] and [2] (configurations 1 and 3) and receives 2
  // and 4 from the other rank; the file order is still 1, 2, 3, 4 and rank 0's rows are the same.
  TwoRanks two({{2, "2,from-the-other-rank"}, {4, "4,from-the-other-rank"}});
  std::vector<std::string> shared;
  sweep::RunSweep(
      job, two, [&](const std::string& row) { shared.push_back(row); }, [](long long) {});
  REQUIRE(shared.size() == 4);
  CHECK(shared[0] == alone[0]);
  CHECK(shared[1] == "2,from-the-other-rank");
  CHECK(shared[2] == alone[2]);
  CHECK(shared[3] == "4,from-the-other-rank");
}

TEST_CASE("a sweep plan: every configuration checked, in grid order, with its id", "[sweep]") {
  io::SimSpec base;
  base.profiles = {"quadratic:hplus=1,hminus=9"};
  base.chains = 10;
  base.steps = 20;
  const std::vector<io::GridAxis> axes = {{"eta", {"0.01", "0.02"}}, {"hminus", {"2", "4", "9"}}};
  const sweep::SweepPlan plan = sweep::PlanSweep(base, axes, true);
  REQUIRE(plan.configurations.size() == 6);
  // The last axis varies fastest.
  CHECK(plan.configurations[0].lr.eta == 0.01);
  CHECK(plan.configurations[2].lr.eta == 0.01);
  CHECK(plan.configurations[3].lr.eta == 0.02);
  CHECK(plan.configurations[1].profile->Spec().find("hminus=4") != std::string::npos);
  CHECK(plan.header == sweep::CsvHeader(axes));
  CHECK(plan.sweep_id == sweep::SweepId(plan.specification.dump()));
  CHECK(plan.sweep_id.size() == 16);
  CHECK(plan.specification["axes"].size() == 2);
  // The id names the specification: theory on or off, another base, another sweep.
  CHECK(sweep::PlanSweep(base, axes, false).sweep_id != plan.sweep_id);
  io::SimSpec other = base;
  other.seed = 2;
  CHECK(sweep::PlanSweep(other, axes, true).sweep_id != plan.sweep_id);
  CHECK(sweep::PlanSweep(base, axes, true).sweep_id == plan.sweep_id);
}

TEST_CASE("a sweep plan refuses a repeated axis and names a bad configuration", "[sweep]") {
  io::SimSpec base;
  base.profiles = {"quadratic:hplus=1,hminus=9"};
  CHECK_THROWS_WITH(sweep::PlanSweep(base, {{"eta", {"0.1"}}, {"eta", {"0.2"}}}, true),
                    "grid axis 'eta' is given twice");
  CHECK_THROWS_WITH(sweep::PlanSweep(base, {{"momentum", {"0.5", "1.5"}}}, true),
                    Catch::Matchers::StartsWith("configuration 1 (1.5): SimOptions::momentum"));
}

TEST_CASE("a sweep into a file: sidecar, shard, resume, and a kept file of another sweep",
          "[sweep]") {
  const fs::path dir = Scratch("valleys_sweep_file");
  const sweep::SweepPlan plan = Rates();
  sweep::LocalTransport local;
  sweep::SweepFileOptions o;
  o.out = (dir / "s.csv").string();
  o.meta = {{"command", "sweep"}};
  std::vector<std::pair<long long, long long>> calls;
  const auto s = sweep::RunSweepIntoFile(plan, o, local, [&](long long done, long long total) {
    calls.push_back({done, total});
  });
  CHECK(s.rows_in_file == 3);
  CHECK(s.rows_run == 3);
  CHECK(s.sidecar == o.out + ".json");
  REQUIRE(!calls.empty());
  CHECK(calls.front() == std::make_pair(0LL, 3LL));
  CHECK(calls.back() == std::make_pair(3LL, 3LL));
  const io::SweepCsv written = io::ReadSweepCsv(o.out);
  CHECK(written.sweep_id == plan.sweep_id);
  REQUIRE(written.rows.size() == 3);
  const auto side = nlohmann::json::parse(std::ifstream(s.sidecar));
  CHECK(side["status"] == "complete");
  CHECK(side["rows_in_file"] == 3);
  CHECK(side["shard"] == "1/1");
  CHECK(side["command"] == "sweep");  // the metadata at the top level, as every sidecar
  CHECK_FALSE(side.contains("meta"));
  CHECK(side["spec"] == nlohmann::json::parse(plan.specification.dump()));

  // Resumed when complete: nothing runs and the rows stay as they are.
  std::ifstream in(o.out);
  const std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  o.resume = true;
  CHECK(sweep::RunSweepIntoFile(plan, o, local).rows_run == 0);
  std::ifstream again(o.out);
  CHECK(std::string((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>()) ==
        before);

  // Shard 2/2 owns configuration 1 only.
  sweep::SweepFileOptions half = o;
  half.out = (dir / "half.csv").string();
  half.resume = false;
  half.shard = {2, 2};
  const auto h = sweep::RunSweepIntoFile(plan, half, local);
  CHECK(h.rows_in_file == 1);
  REQUIRE(io::ReadSweepCsv(half.out).rows.size() == 1);
  CHECK(io::ReadSweepCsv(half.out).rows[0].rfind("1,", 0) == 0);

  // The complete file of this sweep is not the file of another one: refused, left as it was.
  const sweep::SweepPlan other = Rates({"0.01", "0.03"});
  CHECK_THROWS_AS(sweep::RunSweepIntoFile(other, o, local), io::InputError);
  std::ifstream kept(o.out);
  CHECK(std::string((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>()) ==
        before);
  o.out.clear();
  CHECK_THROWS_WITH(sweep::RunSweepIntoFile(plan, o, local),
                    Catch::Contains("SweepFileOptions::out is empty"));
  fs::remove_all(dir);
}

TEST_CASE("a sweep request: the file's base and axes first, then the axes given as text",
          "[sweep]") {
  const fs::path file =
      fs::temp_directory_path() / ("valleys_sweep_request_" + std::to_string(::getpid()) + ".toml");
  std::ofstream(file) << "[base]\nprofile = \"quadratic:hplus=1,hminus=9\"\nchains = 10\n"
                         "steps = 20\nseed = 7\n\n[grid]\neta = [0.01, 0.02]\n";
  sweep::SweepRequest request;
  request.file = file.string();
  request.grid = {"momentum=0,0.5,0.9"};
  const sweep::SweepPlan plan = sweep::PlanSweep(request);
  REQUIRE(plan.axes.size() == 2);
  CHECK(plan.axes[0].name == "eta");  // the file's axes first (slowest)
  CHECK(plan.axes[1].name == "momentum");
  REQUIRE(plan.configurations.size() == 6);
  CHECK(plan.configurations[0].chains == 10);
  CHECK(plan.configurations[4].lr.eta == 0.02);
  CHECK(plan.configurations[4].momentum == 0.5);
  CHECK(plan.specification["base"]["seed"] == 7);  // the file's base over the request's
  fs::remove(file);

  sweep::SweepRequest bare;
  CHECK_THROWS_WITH(sweep::PlanSweep(bare), Catch::Contains("SimSpec::profiles"));
  bare.base.profiles = {"quadratic:hplus=1,hminus=9"};
  CHECK_THROWS_WITH(sweep::PlanSweep(bare), Catch::Contains("no grid axes"));
  bare.grid = {"eta=0.1:0.2"};
  CHECK_THROWS_WITH(sweep::PlanSweep(bare), Catch::Contains("SweepRequest::grid"));
}

TEST_CASE("merging into a file refuses to overwrite a shard or, without force, any file",
          "[sweep]") {
  const fs::path dir = Scratch("valleys_merge_file");
  const sweep::SweepPlan plan = Rates();
  sweep::LocalTransport local;
  std::vector<std::string> shards;
  for (int k = 1; k <= 2; ++k) {
    sweep::SweepFileOptions o;
    o.out = (dir / ("s" + std::to_string(k) + ".csv")).string();
    o.shard = {k, 2};
    o.meta = {{"command", "sweep"}};
    sweep::RunSweepIntoFile(plan, o, local);
    shards.push_back(o.out);
  }
  sweep::MergeOptions m{shards, (dir / "m.csv").string(), false};
  const sweep::MergedSweep merged = sweep::MergeShardsIntoFile(m);
  CHECK(merged.rows == 3);
  REQUIRE(io::ReadSweepCsv(m.out).rows.size() == 3);
  CHECK(fs::exists(m.out + ".json"));
  CHECK_THROWS_WITH(sweep::MergeShardsIntoFile(m), Catch::Contains("MergeOptions::force"));
  m.force = true;
  CHECK_NOTHROW(sweep::MergeShardsIntoFile(m));
  const std::string shard_before = io::ReadFile(shards[0]);
  m.out = shards[0];  // even with force: never a shard
  CHECK_THROWS_WITH(sweep::MergeShardsIntoFile(m), Catch::Contains("would overwrite the input"));
  CHECK(io::ReadFile(shards[0]) == shard_before);
  fs::remove_all(dir);
}
