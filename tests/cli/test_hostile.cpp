// Robustness round 3, as a user or another user on the same machine would meet it: locks whose
// file was removed, edited rows, links planted beside outputs, permission bits, killed figures,
// full disks, stand-in programs, option-like values, and sizes that cannot finish. Each case
// failed before its fix (docs/testing.md lists them with their counts).
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
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
  return valleys::testing::TempDir("valleys_hostile", name);
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string Join(const std::vector<std::string>& args, const std::string& binary = VALLEYS_BINARY) {
  std::string s = binary;
  for (const auto& a : args) s += " " + Quote(a);
  return s;
}

std::vector<std::string> SmallSweep(const fs::path& out, const std::string& chains = "64",
                                    const std::string& steps = "200") {
  return {
      "sweep",     "--profile", "quadratic:hplus=1,hminus=9", "--chains",    chains,    "--steps",
      steps,       "--grid",    "eta=0.01:0.1:8:log",         "--no-theory", "--quiet", "--out",
      out.string()};
}

bool HaveMountNamespace() {
  return ::geteuid() == 0 && Shell("unshare --mount true").code == 0;
}

unsigned Mode(const fs::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 07777;
}

// A pid that belonged to a process that has exited and been reaped.
pid_t DeadPid() {
  const pid_t pid = ::fork();
  if (pid == 0) _exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

// A folder holding a program named gnuplot made of `body` (a POSIX shell script), to put first on
// PATH.
fs::path StandInGnuplot(const fs::path& dir, const std::string& body) {
  const fs::path bin = dir / "bin";
  fs::create_directories(bin);
  std::ofstream(bin / "gnuplot") << "#!/bin/sh\n" << body << "\n";
  fs::permissions(bin / "gnuplot", fs::perms::owner_all);
  return bin;
}

}  // namespace

TEST_CASE("a sweep whose lock file was removed while it runs still refuses a second writer",
          "[hostile][lock]") {
  const fs::path dir = TempDir("unlinked_lock");
  const fs::path out = dir / "s.csv";
  std::vector<std::string> slow = SmallSweep(out, "20000", "4000");  // a few seconds
  const pid_t owner = valleys::testing::Spawn(VALLEYS_BINARY, slow);
  REQUIRE(owner > 0);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  // Wait for the first row, so that the owner is appending.
  auto lines_in = [&] {
    const std::string text = Slurp(out);
    return std::count(text.begin(), text.end(), '\n');
  };
  while (std::chrono::steady_clock::now() < give_up && lines_in() < 3)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(fs::exists(out.string() + ".lock"));
  fs::remove(out.string() + ".lock");
  std::vector<std::string> resume = slow;
  resume.push_back("--resume");
  const Run intruder = Shell(Join(resume));
  INFO(intruder.out);
  CHECK(intruder.code == 2);
  CHECK_THAT(intruder.out, Catch::Contains("being written by another process"));
  int status = 0;
  ::waitpid(owner, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  // Every configuration once, in order: nothing interleaved.
  std::istringstream lines(Slurp(out));
  std::string line;
  std::getline(lines, line);
  std::getline(lines, line);
  int rows = 0;
  for (; std::getline(lines, line); ++rows) CHECK(line.rfind(std::to_string(rows) + ",", 0) == 0);
  CHECK(rows == 8);
}

TEST_CASE("resume refuses a kept row whose result was edited", "[hostile][resume]") {
  const fs::path dir = TempDir("edited_result");
  const fs::path out = dir / "s.csv";
  REQUIRE(Shell(Join(SmallSweep(out))).code == 0);
  std::string text = Slurp(out);
  // Row 2's mean_avg (the field after its axis value) becomes 0.125.
  const auto row = text.find("\n2,") + 3;
  const auto field = text.find(',', row) + 1;
  text.replace(field, text.find(',', field) - field, "0.125");
  std::ofstream(out, std::ios::binary) << text;
  std::vector<std::string> resume = SmallSweep(out);
  resume.push_back("--resume");
  const Run r = Shell(Join(resume));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("row 3 (configuration 2) was edited"));
  CHECK(Slurp(out) == text);
  // Merge reads rows the same way.
  fs::remove(out.string() + ".lock");
  const Run m = Shell(Join({"merge", "--out", (dir / "m.csv").string(), out.string()}));
  INFO(m.out);
  CHECK(m.code == 2);
  CHECK_THAT(m.out, Catch::Contains("was edited"));
}

TEST_CASE("links planted beside an output are replaced or refused, never written through",
          "[hostile][links]") {
  const fs::path dir = TempDir("links");
  const fs::path victim = dir / "victim.txt";
  std::ofstream(victim) << "precious\n";
  // The sweep's sidecar.
  const fs::path out = dir / "s.csv";
  fs::create_symlink(victim, out.string() + ".json");
  REQUIRE(Shell(Join(SmallSweep(out))).code == 0);
  CHECK(Slurp(victim) == "precious\n");
  CHECK_FALSE(fs::is_symlink(out.string() + ".json"));
  CHECK_THAT(Slurp(out.string() + ".json"), Catch::Contains("\"sweep_id\""));
  // The sweep's lock file.
  const fs::path out2 = dir / "t.csv";
  fs::create_symlink(victim, out2.string() + ".lock");
  const Run r = Shell(Join(SmallSweep(out2)));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("is a symbolic link"));
  CHECK(Slurp(victim) == "precious\n");
  // A figure's script and images.
  const fs::path figs = dir / "figs";
  fs::create_directories(figs);
  for (const char* name : {"A.gp", "A.png", "A.pdf", "A.csv.json"})
    fs::create_symlink(victim, figs / name);
  const Run p = Shell(Join({"plot", "A", "--out", figs.string()}));
  INFO(p.out);
  CHECK(p.code == 0);
  CHECK(Slurp(victim) == "precious\n");
  for (const char* name : {"A.gp", "A.png", "A.pdf", "A.csv.json"}) {
    INFO(name);
    CHECK_FALSE(fs::is_symlink(figs / name));
  }
  // The user's own --out link is written through, as the user asked.
  const fs::path mine = dir / "mine.json";
  fs::create_symlink(victim, mine);
  REQUIRE(Shell(Join({"theory", "risk", "--profile", "quadratic:hplus=1,hminus=9", "--shift",
                      "uniform:a=1", "--format", "json", "--out", mine.string()}))
              .code == 0);
  CHECK(fs::is_symlink(mine));
  CHECK_THAT(Slurp(victim), Catch::Contains("zeta_star"));
}

TEST_CASE("rewriting an output keeps its permission bits", "[hostile][mode]") {
  const fs::path dir = TempDir("mode");
  const fs::path out = dir / "r.json";
  const std::vector<std::string> risk = {
      "theory",  "risk",        "--profile", "quadratic:hplus=1,hminus=9",
      "--shift", "uniform:a=1", "--format",  "json",
      "--out",   out.string()};
  REQUIRE(Shell(Join(risk)).code == 0);
  fs::permissions(out, fs::perms::owner_read | fs::perms::owner_write);
  REQUIRE(Shell(Join(risk)).code == 0);
  CHECK(Mode(out) == 0600);
  const fs::path figs = dir / "figs";
  REQUIRE(Shell(Join({"plot", "A", "--out", figs.string()})).code == 0);
  fs::permissions(figs / "A.png", fs::perms::owner_read | fs::perms::owner_write);
  REQUIRE(Shell(Join({"plot", "A", "--out", figs.string()})).code == 0);
  CHECK(Mode(figs / "A.png") == 0600);
  // A new file gets 0666 less the umask (022 here: 0644).
  const fs::path fresh = dir / "fresh.json";
  std::vector<std::string> again = risk;
  again.back() = fresh.string();
  REQUIRE(Shell("umask 077 && " + Join(again)).code == 0);
  CHECK(Mode(fresh) == 0600);
}

TEST_CASE("a figure killed while drawing leaves nothing behind on the next run",
          "[hostile][partial]") {
  const fs::path dir = TempDir("partials");
  const pid_t dead = DeadPid();
  const std::string stale = "." + std::string("A.partial-") + std::to_string(dead);
  std::ofstream(dir / (stale + ".png")) << "half";
  fs::create_directories(dir / (stale + "-abc123"));
  std::ofstream(dir / (stale + "-abc123") / "A.pdf") << "half";
  // A live process's partial folder is its own: left alone.
  const std::string live = ".A.partial-" + std::to_string(::getpid()) + "-keep";
  fs::create_directories(dir / live);
  const Run p = Shell(Join({"plot", "A", "--out", dir.string()}));
  INFO(p.out);
  REQUIRE(p.code == 0);
  CHECK_FALSE(fs::exists(dir / (stale + ".png")));
  CHECK_FALSE(fs::exists(dir / (stale + "-abc123")));
  CHECK(fs::exists(dir / live));
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name != live) CHECK(name.find("partial") == std::string::npos);
  }
}

TEST_CASE("gnuplot that writes nothing, or a disk that fills while it draws, is a failure",
          "[hostile][gnuplot]") {
  const fs::path dir = TempDir("gnuplot");
  {
    const fs::path bin = StandInGnuplot(dir, "exit 0");
    const Run r = Shell("PATH=" + bin.string() + ":$PATH " +
                        Join({"plot", "A", "--out", (dir / "figs").string()}));
    INFO(r.out);
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Catch::Contains("gnuplot wrote no .png for figure A"));
    CHECK_FALSE(fs::exists(dir / "figs" / "A.png"));
    for (const auto& e : fs::directory_iterator(dir / "figs"))
      CHECK(e.path().filename().string().find("partial") == std::string::npos);
  }
  {
    // A stand-in that makes both images, empty, and exits 0.
    const fs::path bin = StandInGnuplot(dir / "empty",
                                        "out=$(sed -n 's/^out = \"\\(.*\\)\"$/\\1/p' \"$1\")\n"
                                        "touch \"$out.png\" \"$out.pdf\"\nexit 0");
    const Run r = Shell("PATH=" + bin.string() + ":$PATH " +
                        Join({"plot", "A", "--out", (dir / "figs2").string()}));
    INFO(r.out);
    CHECK(r.code != 0);
    CHECK_THAT(r.out, Catch::Contains("gnuplot wrote no .png for figure A (0 bytes"));
    CHECK_FALSE(fs::exists(dir / "figs2" / "A.png"));
  }
  if (!HaveMountNamespace()) {
    WARN("skipped the full-disk case: needs root and unshare to mount a small tmpfs");
    return;
  }
  // A 1 MiB tmpfs that gnuplot's stand-in fills before it runs the real gnuplot.
  const fs::path small = dir / "small";
  fs::create_directories(small);
  const fs::path bin =
      StandInGnuplot(dir, "dd if=/dev/zero of=" + small.string() +
                              "/fill bs=4k 2>/dev/null\nexec " + "/usr/bin/gnuplot \"$@\"");
  const std::string script = "mount -t tmpfs -o size=1m tmpfs " + small.string() +
                             " && PATH=" + bin.string() + ":$PATH " +
                             Join({"plot", "A", "--out", (small / "figs").string()}) +
                             "; echo rc=$?; echo listing:; ls -a " + (small / "figs").string() +
                             "; wc -c " + (small / "figs").string() + "/* 2>/dev/null";
  const Run r = Shell("unshare --mount sh -c " + Quote(script));
  INFO(r.out);
  CHECK_THAT(r.out, !Catch::Contains("rc=0"));
  CHECK_THAT(r.out, Catch::Contains("figure A"));
  const std::string listing = r.out.substr(r.out.find("listing:"));
  CHECK_THAT(listing, !Catch::Contains("A.pdf"));
  CHECK_THAT(listing, !Catch::Contains("A.png"));
  CHECK_THAT(listing, !Catch::Contains("partial"));
}

TEST_CASE("a value that looks like an option is refused, not taken as a path",
          "[hostile][options]") {
  const fs::path dir = TempDir("option_value");
  const Run r = Shell("cd " + Quote(dir.string()) + " && " +
                      Join({"theory", "risk", "--profile", "quadratic:hplus=1,hminus=9", "--shift",
                            "uniform:a=1", "--out", "--format", "json"}));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("'--format' looks like an option"));
  CHECK_FALSE(fs::exists(dir / "--format"));
}

TEST_CASE("score refuses one column for both x and loss", "[hostile][score]") {
  const fs::path dir = TempDir("score");
  std::ofstream(dir / "p.csv") << "t,loss\n-1,1\n0,0\n1,2\n";
  const Run r =
      Shell(Join({"realnets", "score", "--profile", (dir / "p.csv").string() + ",x=t,loss=t"}));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("x and loss both name column 1 ('t')"));
}

TEST_CASE("a run that cannot finish soon says so first, and sizes that overflow are refused",
          "[hostile][sizes]") {
  // 2^50 steps: the expected time comes before any work (the run is stopped after it is said).
  const std::string cmd =
      "timeout -s INT 20 " + Join({"sim", "--profile", "quadratic:hplus=1,hminus=9", "--eta",
                                   "0.05", "--chains", "1", "--steps", "1125899906842624"});
  const Run r = Shell(cmd);
  INFO(r.out);
  CHECK_THAT(r.out, Catch::Contains("chain-steps, expected to take about"));
  CHECK_THAT(r.out, Catch::Contains("years"));
  // Minibatch shuffles numbered beyond 32 bits.
  const Run m = Shell(Join({"sim", "--profile", "quadratic:hplus=1,hminus=9", "--eta", "0.05",
                            "--chains", "1", "--steps", "1125899906842624", "--data-size", "2",
                            "--batch", "1", "--no-replacement", "--eval-shift", "uniform:a=1"}));
  INFO(m.out);
  CHECK(m.code == 2);
  CHECK_THAT(m.out, Catch::Contains("more than the shuffle counter holds"));
  // Results that do not fit in memory: refused before anything is allocated.
  const Run big = Shell(Join({"sim", "--profile", "quadratic:hplus=1,hminus=9", "--eta", "0.05",
                              "--chains", "4294967296", "--steps", "10"}));
  INFO(big.out);
  CHECK(big.code == 2);
  CHECK_THAT(big.out, Catch::Contains("GB for the chains' results"));
}

TEST_CASE("a subnormal curvature is an input error, not a nan", "[hostile][subnormal]") {
  const Run r = Shell(Join({"theory", "risk", "--profile", "quadratic:hplus=4.9e-324,hminus=1",
                            "--shift", "uniform:a=1"}));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("hplus = 5e-324 is subnormal"));
  CHECK_THAT(r.out, !Catch::Contains("nan"));
}

TEST_CASE("a checkpoint that does not fit on the disk is a clear error, not an abort",
          "[hostile][checkpoint]") {
  if (!HaveMountNamespace()) {
    WARN("skipped: needs root and unshare to mount a small tmpfs");
    return;
  }
  // 128 KiB: the model's checkpoint (about 105 KB) fits, the optimizer's state after it does not.
  const fs::path dir = TempDir("checkpoint");
  const std::string script =
      "mount -t tmpfs -o size=128k tmpfs " + dir.string() + " && " +
      Join({"realnets", "train", "--epochs", "1", "--train-size", "200", "--test-size", "100",
            "--width", "8", "--threads", "1", "--out", (dir / "run").string()}) +
      "; echo rc=$?; echo listing:; ls -a " + (dir / "run").string();
  const Run r = Shell("unshare --mount sh -c " + Quote(script));
  INFO(r.out);
  CHECK_THAT(r.out, Catch::Contains("rc=1"));
  CHECK_THAT(r.out, Catch::Contains("No space left on device"));
  CHECK_THAT(r.out, !Catch::Contains("terminate called"));
  CHECK_THAT(r.out.substr(r.out.find("listing:")), !Catch::Contains(".tmp"));
}
