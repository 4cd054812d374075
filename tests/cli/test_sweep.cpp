// Sweeps as a user (or a cluster) runs them: kill and resume, shards and merge, MPI, refusals.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
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

#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/spawn.hpp"

namespace fs = std::filesystem;

namespace {

using Run = valleys::testing::CommandResult;
Run Shell(const std::string& cmd) {
  return valleys::testing::RunCommand(cmd);
}

using valleys::testing::Slurp;

fs::path TempDir(const std::string& name) {
  return valleys::testing::TempDir("valleys_test", name);
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
  REQUIRE(std::count(expected.begin(), expected.end(), '\n') == 202);  // id, header, 200 rows

  std::mt19937 rng(4242);  // kill times drawn from a fixed seed (printed on failure)
  int killed_mid_way = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const fs::path out = dir / ("killed" + std::to_string(attempt) + ".csv");
    std::vector<std::string> args = sweep;
    args.insert(args.end(), {"--out", out.string()});
    const int delay_ms = std::uniform_int_distribution<int>(300, 3000)(rng);
    INFO("attempt " << attempt << " kill after " << delay_ms << " ms (seed 4242)");
    const pid_t child = valleys::testing::Spawn(VALLEYS_BINARY, args);
    REQUIRE(child > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    const std::string partial = fs::exists(out) ? Slurp(out) : "";
    const auto lines = std::count(partial.begin(), partial.end(), '\n');
    INFO("lines before resume: " << lines);
    if (lines > 2 && lines < 202) ++killed_mid_way;
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
  // The merged sidecar has the schema of every sidecar: the metadata at the top level.
  const std::string side = Slurp(dir / "merged.csv.json");
  CHECK_THAT(side, Catch::Contains("\"command\": \"merge\""));
  CHECK_THAT(side, Catch::Contains("\"shard\": \"1/1\""));
  CHECK_THAT(side, !Catch::Contains("\"meta\""));
  CHECK_THAT(Slurp(dir / "s1.csv.json"), Catch::Contains("\"command\": \"sweep\""));
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
  CHECK_THAT(r.out, Catch::Contains("cannot be shown to belong to this sweep"));
  CHECK(Slurp(out) == "precious\n");

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
  std::getline(rows, line);  // id
  std::getline(rows, line);  // header
  int filled = 0;
  while (std::getline(rows, line)) filled += line.find(",,") == std::string::npos ? 1 : 0;
  CHECK(filled == 9);
}

namespace {
// A small sweep (4 configurations, well under a second).
std::vector<std::string> SmallSweep(const fs::path& out, const std::string& chains = "64") {
  return {
      "sweep",     "--profile", "quadratic:hplus=1,hminus=9", "--chains",    chains,    "--steps",
      "200",       "--grid",    "eta=0.01:0.1:4:log",         "--no-theory", "--quiet", "--out",
      out.string()};
}

std::string ThisBootId() {
  std::ifstream f("/proc/sys/kernel/random/boot_id");
  std::string id;
  f >> id;
  return id;
}
}  // namespace

TEST_CASE("the output lock is a kernel lock, held across PID namespaces", "[sweep][lock]") {
  const fs::path dir = TempDir("lock");
  const fs::path out = dir / "x.csv";
  // Held by a live process (this test) through flock: refused.
  {
    const int fd = ::open((out.string() + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    const Run r = Shell(Join(SmallSweep(out)));
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("refusing to interleave"));
    CHECK_FALSE(fs::exists(out));
    ::close(fd);  // released: the next writer takes it
  }
  // Left behind by a dead process of this boot (no kernel lock held): taken over.
  {
    std::ofstream(out.string() + ".lock") << "pid=999999\nhost=x\nboot_id=" << ThisBootId() << "\n";
  }
  REQUIRE(Shell(Join(SmallSweep(out))).code == 0);
  CHECK_FALSE(fs::exists(out.string() + ".lock"));
  // Left by another kernel (another host on a shared filesystem, or a boot before a crash): its
  // owner cannot be shown dead, so it is never taken.
  const fs::path other = dir / "other.csv";
  {
    std::ofstream(other.string() + ".lock")
        << "pid=1234\nhost=node17\nboot_id=00000000-0000-0000-0000-000000000000\n";
  }
  const Run r = Shell(Join(SmallSweep(other)));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("on host node17"));
  CHECK_THAT(r.out, Catch::Contains("cannot be shown dead"));
  CHECK_FALSE(fs::exists(other));

  // Two writers racing for a stale lock: one takes it, the other is refused (exit 2, the owner
  // named), and the CSV is one sweep's.
  {
    const fs::path raced = dir / "raced.csv";
    std::ofstream(raced.string() + ".lock")
        << "pid=999999\nhost=x\nboot_id=" << ThisBootId() << "\n";
    std::vector<std::string> a = SmallSweep(raced, "100000");
    a[6] = "2000";
    const std::string cmd = Join(a);
    Run first{}, second{};
    std::thread t([&] { first = Shell(cmd); });
    second = Shell(cmd);
    t.join();
    INFO(first.out << "\n" << second.out);
    CHECK(std::min(first.code, second.code) == 0);
    CHECK(std::max(first.code, second.code) == 2);
    const std::string csv = Slurp(raced);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 6);  // id, header, 4 rows
  }

  // A resume from another PID namespace, where the owner's pid means nothing, while the owner
  // runs: refused, and the owner's CSV comes out whole (needs root for unshare).
  if (::geteuid() != 0 || Shell("unshare --pid --fork true").code != 0) {
    WARN("skipped the PID-namespace case: needs root and unshare");
    return;
  }
  const fs::path shared = dir / "shared.csv";
  std::vector<std::string> slow = SmallSweep(shared, "100000");  // about 2 s on two cores
  slow[6] = "4000";
  const pid_t owner = valleys::testing::Spawn(VALLEYS_BINARY, slow);
  REQUIRE(owner > 0);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!fs::exists(shared.string() + ".lock") && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::vector<std::string> resume = slow;
  resume.push_back("--resume");
  const Run intruder = Shell("unshare --pid --fork " + Join(resume));
  INFO(intruder.out);
  CHECK(intruder.code == 2);
  CHECK_THAT(intruder.out, Catch::Contains("refusing to interleave"));
  int status = 0;
  waitpid(owner, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  const std::string csv = Slurp(shared);
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);  // id
  std::getline(lines, line);  // header
  for (int i = 0; std::getline(lines, line); ++i)
    CHECK(line.rfind(std::to_string(i) + ",", 0) == 0);
}

TEST_CASE("a lock on a full filesystem is a clear error and leaves no empty lock file",
          "[sweep][lock]") {
  if (::geteuid() != 0 || Shell("unshare --mount true").code != 0) {
    WARN("skipped: needs root and unshare to mount a small tmpfs");
    return;
  }
  const fs::path dir = TempDir("full");
  // A private mount namespace with a 64 KiB tmpfs, filled before the sweep starts.
  const std::string script =
      "mount -t tmpfs -o size=64k tmpfs " + dir.string() +
      " && (dd if=/dev/zero of=" + dir.string() + "/fill bs=4k 2>/dev/null; true) && " +
      Join(SmallSweep(dir / "x.csv")) + "; echo rc=$?; echo listing:; ls -a " + dir.string();
  const Run r = Shell("unshare --mount sh -c '" + script + "'");
  INFO(r.out);
  CHECK_THAT(r.out, Catch::Contains("rc=2"));
  CHECK_THAT(r.out, Catch::Contains("No space left on device"));
  CHECK_THAT(r.out.substr(r.out.find("listing:")), !Catch::Contains("x.csv.lock"));
}

TEST_CASE("resume and merge refuse rows of another sweep, whatever the sidecar says",
          "[sweep][mix]") {
  const fs::path dir = TempDir("mix");
  const fs::path out = dir / "a.csv";
  REQUIRE(Shell(Join(SmallSweep(out, "50"))).code == 0);
  const std::string original = Slurp(out);
  std::vector<std::string> other = SmallSweep(out, "500");
  other.push_back("--resume");
  for (const std::string& sidecar :
       {std::string("missing"), std::string("empty"), std::string("garbled")}) {
    INFO("sidecar " << sidecar);
    fs::remove(out.string() + ".json");
    if (sidecar == "empty") std::ofstream(out.string() + ".json");
    if (sidecar == "garbled") std::ofstream(out.string() + ".json") << "{\"sweep_id\": ";
    const Run r = Shell(Join(other));
    INFO(r.out);
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("belongs to a different sweep (sweep id"));
    CHECK(Slurp(out) == original);
  }
  // A kept row whose axis value was edited.
  std::vector<std::string> same = SmallSweep(out, "50");
  same.push_back("--resume");
  {
    std::string edited = original;
    const auto row = edited.find("\n1,") + 3;
    edited.replace(row, edited.find(',', row) - row, "0.5");
    std::ofstream(out) << edited;
  }
  Run r = Shell(Join(same));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("does not hold that configuration's axis values"));
  // No id line at all.
  std::ofstream(out) << original.substr(original.find('\n') + 1);
  r = Shell(Join(same));
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("has no sweep id line"));

  // merge: an edited shard, an edited sidecar, an existing --out, an input as --out.
  auto shard = [&](const std::string& k) {
    std::vector<std::string> a = SmallSweep(dir / ("s" + k + ".csv"), "50");
    a.insert(a.end(), {"--shard", k + "/2"});
    return a;
  };
  REQUIRE(Shell(Join(shard("1"))).code == 0);
  REQUIRE(Shell(Join(shard("2"))).code == 0);
  const std::string s1 = (dir / "s1.csv").string(), s2 = (dir / "s2.csv").string();
  const std::string merge = std::string(VALLEYS_BINARY) + " merge '" + s1 + "' '" + s2 + "' --out ";
  REQUIRE(Shell(merge + "'" + (dir / "m.csv").string() + "'").code == 0);
  r = Shell(merge + "'" + (dir / "m.csv").string() + "'");
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("pass --force"));
  CHECK(Shell(merge + "'" + (dir / "m.csv").string() + "' --force").code == 0);
  r = Shell(merge + "'" + s1 + "' --force");
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("would overwrite the input"));
  const std::string shard1 = Slurp(s1);
  {
    std::string edited = shard1;
    const auto row = edited.find("\n2,") + 3;
    edited.replace(row, edited.find(',', row) - row, "0.04");
    std::ofstream(s1) << edited;
  }
  r = Shell(merge + "'" + (dir / "m2.csv").string() + "'");
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("does not hold that configuration's axis values"));
  std::ofstream(s1) << shard1;
  {
    std::string side = Slurp(s1 + ".json");
    const auto at = side.find("\"chains\": 50");
    REQUIRE(at != std::string::npos);
    side.replace(at, std::string("\"chains\": 50").size(), "\"chains\": 51");
    std::ofstream(s1 + ".json") << side;
  }
  r = Shell(merge + "'" + (dir / "m3.csv").string() + "'");
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("disagree"));
}

TEST_CASE("TOML axes run in file order, first axis slowest", "[sweep]") {
  const fs::path dir = TempDir("tomlorder");
  std::ofstream(dir / "s.toml")
      << "[base]\nprofile = \"quadratic:hplus=1,hminus=9\"\nchains = 64\nsteps = 200\n"
         "[grid]\nhminus = [2, 9]\neta = \"0.01:0.1:3:log\"\n";
  const std::string bin = VALLEYS_BINARY;
  REQUIRE(Shell(bin + " sweep --file '" + (dir / "s.toml").string() +
                "' --no-theory --quiet --out '" + (dir / "a.csv").string() + "'")
              .code == 0);
  REQUIRE(Shell(bin +
                " sweep --profile quadratic:hplus=1,hminus=9 --chains 64 --steps 200 --grid "
                "hminus=2,9 --grid eta=0.01:0.1:3:log --no-theory --quiet --out '" +
                (dir / "b.csv").string() + "'")
              .code == 0);
  CHECK(Slurp(dir / "a.csv") == Slurp(dir / "b.csv"));
  CHECK_THAT(Slurp(dir / "a.csv"), Catch::Contains("index,hminus,eta"));
}

TEST_CASE("hostile sweep and merge paths are plain paths", "[sweep][hostile]") {
  const fs::path base = TempDir("hostile");
  const std::vector<std::string> names = {"bob's",          "x'; touch PWNED; echo '",
                                          "$(touch PWNED)", "a\"b`touch PWNED`\\c",
                                          "new\nline",      "  spaces  "};
  for (const std::string& name : names) {
    INFO("folder [" << name << "]");
    const fs::path dir = base / name;
    fs::create_directories(dir);
    auto quoted = [](const fs::path& p) {
      std::string q = "'";
      for (char c : p.string()) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
      return q + "'";
    };
    std::vector<std::string> a = SmallSweep(dir / "s.csv");
    a.pop_back();
    std::string cmd = "cd " + quoted(base) + " && " + VALLEYS_BINARY;
    for (std::size_t k = 0; k < a.size(); ++k) cmd += " '" + a[k] + "'";
    cmd += " " + quoted(dir / "s.csv");
    const Run r = Shell(cmd);
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(fs::exists(dir / "s.csv.json"));
    const Run m = Shell("cd " + quoted(base) + " && " + VALLEYS_BINARY + " merge " +
                        quoted(dir / "s.csv") + " --out " + quoted(dir / "m.csv"));
    INFO(m.out);
    CHECK(m.code == 0);
    CHECK(Slurp(dir / "m.csv") == Slurp(dir / "s.csv"));
  }
  for (const auto& entry : fs::recursive_directory_iterator(base))
    CHECK(entry.path().filename() != "PWNED");
}
