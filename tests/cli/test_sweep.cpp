// Sweeps as a user (or a cluster) runs them: kill and resume, shards and merge, MPI, refusals.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/run_command.hpp"

namespace fs = std::filesystem;

namespace {

using Run = valleys::testing::CommandResult;
Run Shell(const std::string& cmd) {
  return valleys::testing::RunCommand(cmd);
}

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

fs::path TempDir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("valleys_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// 200 configurations, each small, ~1 s in all on two cores.
const std::vector<std::string> kSweep = {"sweep",
                                         "--profile",
                                         "quadratic:hplus=1,hminus=9",
                                         "--chains",
                                         "1024",
                                         "--steps",
                                         "4000",
                                         "--grid",
                                         "eta=0.01:0.1:20:log",
                                         "--grid",
                                         "hminus=2,3,4,5,6,7,8,9,10,11",
                                         "--no-theory",
                                         "--quiet"};

std::string Join(const std::vector<std::string>& args) {
  std::string s = VALLEYS_BINARY;
  for (const auto& a : args) s += " '" + a + "'";
  return s;
}

}  // namespace

TEST_CASE("a sweep killed with SIGKILL and resumed equals an uninterrupted one", "[sweep]") {
  const fs::path dir = TempDir("resume");
  // Longer configurations here (~5 s in all) so that kills land mid-way.
  std::vector<std::string> sweep = kSweep;
  sweep[6] = "20000";
  std::vector<std::string> full = sweep;
  full.insert(full.end(), {"--out", (dir / "full.csv").string()});
  REQUIRE(Shell(Join(full)).code == 0);
  const std::string expected = Slurp(dir / "full.csv");
  REQUIRE(std::count(expected.begin(), expected.end(), '\n') == 201);

  std::mt19937 rng(4242);  // kill times drawn from a fixed seed (printed on failure)
  int killed_mid_way = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const fs::path out = dir / ("killed" + std::to_string(attempt) + ".csv");
    std::vector<std::string> args = sweep;
    args.insert(args.end(), {"--out", out.string()});
    const int delay_ms = std::uniform_int_distribution<int>(300, 3000)(rng);
    INFO("attempt " << attempt << " kill after " << delay_ms << " ms (seed 4242)");
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      std::vector<char*> argv;
      std::string bin = VALLEYS_BINARY;
      argv.push_back(bin.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    const std::string partial = fs::exists(out) ? Slurp(out) : "";
    const auto lines = std::count(partial.begin(), partial.end(), '\n');
    INFO("lines before resume: " << lines);
    if (lines > 1 && lines < 201) ++killed_mid_way;
    std::vector<std::string> resume = args;
    resume.push_back("--resume");
    const Run r = Shell(Join(resume));
    INFO(r.out);
    REQUIRE(r.code == 0);
    CHECK(Slurp(out) == expected);
  }
  CHECK(killed_mid_way >= 1);
}

TEST_CASE("shards merged equal the single-process sweep and a missing shard is refused",
          "[sweep]") {
  const fs::path dir = TempDir("shard");
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = kSweep;
    a.insert(a.end(), extra.begin(), extra.end());
    return Join(a);
  };
  REQUIRE(Shell(with({"--out", (dir / "one.csv").string()})).code == 0);
  for (int k = 1; k <= 3; ++k)
    REQUIRE(Shell(with({"--out", (dir / ("s" + std::to_string(k) + ".csv")).string(), "--shard",
                        std::to_string(k) + "/3"}))
                .code == 0);
  const std::string merge = std::string(VALLEYS_BINARY) + " merge " + (dir / "s1.csv").string() +
                            " " + (dir / "s2.csv").string() + " " + (dir / "s3.csv").string() +
                            " --out " + (dir / "merged.csv").string();
  REQUIRE(Shell(merge).code == 0);
  CHECK(Slurp(dir / "merged.csv") == Slurp(dir / "one.csv"));
  const Run missing =
      Shell(std::string(VALLEYS_BINARY) + " merge " + (dir / "s1.csv").string() + " " +
            (dir / "s3.csv").string() + " --out " + (dir / "bad.csv").string());
  CHECK(missing.code == 2);
  CHECK_THAT(missing.out, Catch::Contains("is missing"));
  CHECK_FALSE(fs::exists(dir / "bad.csv"));
}

TEST_CASE("MPI with 2 ranks equals one process", "[sweep][mpi]") {
  if (Shell("command -v mpirun").code != 0) {
    WARN("mpirun not installed: MPI test skipped");
    return;
  }
  const fs::path dir = TempDir("mpi");
  std::vector<std::string> a = kSweep, b = kSweep;
  a.insert(a.end(), {"--out", (dir / "one.csv").string()});
  b.insert(b.end(), {"--out", (dir / "mpi.csv").string()});
  REQUIRE(Shell(Join(a)).code == 0);
  const Run r = Shell(
      "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_plm_rsh_agent= "
      "mpirun --oversubscribe -np 2 " +
      Join(b));
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(Slurp(dir / "mpi.csv") == Slurp(dir / "one.csv"));
  CHECK_THAT(Slurp(dir / "mpi.csv.json"), Catch::Contains("\"mpi_ranks\": 2"));
}

TEST_CASE("sweeps refuse to overwrite, to interleave, and bad axes", "[sweep]") {
  const fs::path dir = TempDir("refuse");
  const fs::path out = dir / "x.csv";
  {
    std::ofstream f(out);
    f << "precious\n";
  }
  std::vector<std::string> a = kSweep;
  a.insert(a.end(), {"--out", out.string()});
  Run r = Shell(Join(a));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("--resume"));
  CHECK(Slurp(out) == "precious\n");
  a.push_back("--resume");
  r = Shell(Join(a));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("different sweep"));
  CHECK(Slurp(out) == "precious\n");

  const fs::path locked = dir / "y.csv";
  {
    std::ofstream f(locked.string() + ".lock");
    f << ::getppid() << "\n";  // a live process (our parent) holds it
  }
  std::vector<std::string> b = kSweep;
  b.insert(b.end(), {"--out", locked.string()});
  r = Shell(Join(b));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("refusing to interleave"));

  r = Shell(std::string(VALLEYS_BINARY) +
            " sweep --profile linear:p=1,c=5 --grid bogus=1,2 --out " + (dir / "z.csv").string());
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("grid axis 'bogus'"));
  r = Shell(std::string(VALLEYS_BINARY) +
            " sweep --profile linear:p=1,c=5 --grid eta=0.1:0.01:0:log --out " +
            (dir / "z.csv").string());
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("count = 0 is out of range"));
}

TEST_CASE("a TOML sweep file runs like the same inline grid", "[sweep]") {
  const fs::path dir = TempDir("toml");
  {
    std::ofstream f(dir / "s.toml");
    f << "[base]\nprofile = \"quadratic:hplus=1,hminus=9\"\nchains = 256\nsteps = 500\n"
         "[grid]\neta = \"0.01:0.1:3:log\"\nhminus = [2, 9]\n";
  }
  const std::string bin = VALLEYS_BINARY;
  REQUIRE(Shell(bin + " sweep --file " + (dir / "s.toml").string() + " --no-theory --quiet --out " +
                (dir / "a.csv").string())
              .code == 0);
  REQUIRE(Shell(bin +
                " sweep --profile quadratic:hplus=1,hminus=9 --chains 256 --steps 500 --grid "
                "eta=0.01:0.1:3:log "
                "--grid hminus=2,9 --no-theory --quiet --out " +
                (dir / "b.csv").string())
              .code == 0);
  CHECK(Slurp(dir / "a.csv") == Slurp(dir / "b.csv"));
  {
    std::ofstream f(dir / "bad.toml");
    f << "[base]\nprofile = \n";
  }
  const Run r = Shell(bin + " sweep --file " + (dir / "bad.toml").string() + " --out " +
                      (dir / "c.csv").string());
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("bad.toml:2"));
}

TEST_CASE("a sweep's predictions are the same whatever the thread count and batching",
          "[sweep][prediction]") {
  // Predictions are solved in parallel batches (2 x threads configurations); every row must not
  // depend on that, nor on which worker's cache held a chain. Sharing: seeds repeat each chain.
  const fs::path dir = TempDir("threads");
  const std::vector<std::string> sweep = {
      "sweep", "--profile", "quadratic:hplus=1,hminus=9", "--chains", "256",        "--steps",
      "2000",  "--grid",    "eta=0.02,0.05,0.1",          "--grid",   "seed=1,2,3", "--quiet"};
  std::vector<std::string> one = sweep, two = sweep;
  one.insert(one.end(), {"--out", (dir / "one.csv").string()});
  two.insert(two.end(), {"--out", (dir / "two.csv").string()});
  REQUIRE(Shell("OMP_NUM_THREADS=1 " + Join(one)).code == 0);
  REQUIRE(Shell("OMP_NUM_THREADS=2 " + Join(two)).code == 0);
  const std::string a = Slurp(dir / "one.csv"), b = Slurp(dir / "two.csv");
  CHECK(a == b);
  CHECK_THAT(a, Catch::Contains("theory_mean_avg"));
  // Every row has a prediction: its theory column is filled.
  std::istringstream rows(a);
  std::string line;
  std::getline(rows, line);
  int filled = 0;
  while (std::getline(rows, line)) filled += line.find(",,") == std::string::npos ? 1 : 0;
  CHECK(filled == 9);
}
