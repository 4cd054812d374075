// The `valleys` program as a user runs it: exit codes, one-line errors, JSON contracts, atomic
// output.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/spawn.hpp"

namespace {

using Run = valleys::testing::CommandResult;
Run Valleys(const std::string& args) {
  return valleys::testing::RunCommand(std::string(VALLEYS_BINARY) + " " + args);
}

// A LibTorch command of a few seconds, bounded at 120 s. One stuck there (seen once in CI, with
// the process spinning; not reproduced in 60 stressed runs here) has its stacks logged (see
// run_command.hpp), is killed with its process group and runs once more; a second hang fails.
Run ValleysTorch(const std::string& args) {
  const std::string command = std::string(VALLEYS_BINARY) + " " + args;
  Run r = valleys::testing::RunCommand(command, 120);
  if (!r.timed_out) return r;
  WARN(r.out);
  r = valleys::testing::RunCommand(command, 120);
  INFO(r.out);
  REQUIRE_FALSE(r.timed_out);
  return r;
}

void ExpectInputError(const Run& r, const std::string& args, const std::string& fragment) {
  INFO("valleys " << args << "\n" << r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains(fragment));
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);  // one line
}

void ExpectInputError(const std::string& args, const std::string& fragment) {
  ExpectInputError(Valleys(args), args, fragment);
}

}  // namespace

TEST_CASE("bad input exits 2 with one line naming key, value and range", "[cli]") {
  const std::string risk = "theory risk --shift uniform:a=1 --profile ";
  ExpectInputError(risk + "quadratc:hplus=1,hminus=9", "unknown kind 'quadratc'");
  ExpectInputError(risk + "quadratic:hplus=1", "missing key hminus");
  ExpectInputError(risk + "quadratic:hplus=1,hminus=-9",
                   "hminus = -9 is out of range (allowed: hminus > 0)");
  ExpectInputError(risk + "rpcl:r=2,p=1,c=0.5,l=0.1", "c = 0.5 is out of range (allowed: c > 1)");
  ExpectInputError(risk + "quadratic:hplus=1,hminus=9 --bias nan",
                   "--bias: 'nan' is not a finite decimal number");
  ExpectInputError(risk + "quadratic:hplus=1x,hminus=9",
                   "hplus = '1x' is not a finite decimal number");
  ExpectInputError(risk + "quadratic:hplus=1,hminus=9,k=2", "unknown key k");
  ExpectInputError(risk + "table:file=/nonexistent/prof.csv",
                   "cannot read '/nonexistent/prof.csv'");
  ExpectInputError("theory risk --profile linear:p=1,c=5 --shift cauchy:a=1",
                   "unknown kind 'cauchy'");
  ExpectInputError("theory risk --profile linear:p=1,c=5 --shift uniform:a=0",
                   "a = 0 is out of range");
  ExpectInputError("theory sgd --profile quadratic:hplus=1,hminus=9 --eta 0.3",
                   "beyond the stability limit");
  ExpectInputError("theory sgd --profile quadratic:hplus=1,hminus=9 --eta abc", "--eta");
  ExpectInputError(
      "theory sgd --profile quadratic:hplus=1,hminus=9 --eta 0.05 --noise gaussian:s=-1",
      "s = -1 is out of range");
  ExpectInputError("theory risk --profile linear:p=1,c=5 --shift uniform:a=1 --format xml",
                   "allowed: table, csv, json");
  ExpectInputError("sim --profile quadratic:hplus=1,hminus=9 --eta 0.3",
                   "beyond the stability limit");
  ExpectInputError("sim --profile quadratic:hplus=1,hminus=9 --momentum 1.5",
                   "momentum = 1.5 is out of range");
  ExpectInputError("sim --profile linear:p=1,c=5 --lr-schedule cyclic:min=0.5,period=10",
                   "min = 0.5 is out of range");
  ExpectInputError(
      "sim --profile linear:p=1,c=5 --data-size 100 --batch 1000 --eval-shift gaussian:sigma=1",
      "batch = 1000 is out of range");
  ExpectInputError("sim --profile linear:p=1,c=5 --x0 draw:sigma=-1", "sigma = -1 is out of range");
  ExpectInputError("sim --profile linear:p=1,c=5 --backend tpu", "allowed: cpu, cuda");
}

TEST_CASE("nothing is written on bad input", "[cli]") {
  const auto path = std::filesystem::temp_directory_path() / "valleys_cli_test_out.json";
  std::filesystem::remove(path);
  const Run r =
      Valleys("theory risk --profile quadratic:hplus=-1,hminus=9 --shift uniform:a=1 --out " +
              path.string());
  CHECK(r.code == 2);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("theory risk JSON contract", "[cli]") {
  const Run r = Valleys(
      "theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 --bias 0.2 --bias 0.8 "
      "--format json");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key :
       {"R0", "zeta_star", "R_star", "window_lo", "window_hi", "method", "R_at_bias", "meta"})
    CHECK(j.contains(key));
  CHECK(j["R0"].get<double>() == Approx(0.833333).margin(1e-6));
  CHECK(j["zeta_star"].get<double>() == Approx(0.5).margin(1e-6));
  CHECK(j["R_star"].get<double>() == Approx(0.375).margin(1e-6));
  CHECK(j["R_at_bias"][0]["bias"].get<double>() == 0.2);
  CHECK(j["R_at_bias"][1]["R"].get<double>() == Approx(0.492).margin(5e-4));
  CHECK(j["meta"]["profile"] == "quadratic:hplus=1,hminus=9");
  CHECK(j["meta"].contains("git"));
  // The command line as typed, to run again: the program, then every argument in order.
  CHECK(j["meta"]["command_line"] ==
        std::string(VALLEYS_BINARY) +
            " theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 --bias 0.2 "
            "--bias 0.8 --format json");
}

TEST_CASE("theory sgd JSON contract", "[cli]") {
  const Run r = Valleys(
      "theory sgd --profile quadratic:hplus=1,hminus=9 --eta 0.05 --noise gaussian:s=1 --T 10 "
      "--format json");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key :
       {"mean", "p_flat", "mean_pos", "mean_neg", "mean_sde", "p_flat_sde", "method", "mean_avg_T"})
    CHECK(j.contains(key));
  CHECK(j["mean"].get<double>() == Approx(0.08765).margin(5e-5));
  CHECK(j["p_flat"].get<double>() == Approx(0.7648).margin(5e-5));
  CHECK(j["mean_sde"].get<double>() == Approx(0.0841).margin(5e-5));
}

TEST_CASE("valleys sim JSON contract and agreement with theory sgd", "[cli]") {
  const Run r = Valleys(
      "sim --profile quadratic:hplus=1,hminus=9 --eta 0.05 --chains 2000 --steps 4000 --burnin "
      "2000 "
      "--eval-shift uniform:a=1 --quiet --format json");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key :
       {"mean_avg", "mean_avg_se", "mean_last", "mean_last_se", "p_flat", "p_flat_se", "risk_avg",
        "risk_last", "risk_min", "beats_min_frac", "diverged", "chain_steps_per_s", "theory"})
    CHECK(j.contains(key));
  CHECK(std::abs(j["z"]["mean_avg"].get<double>()) <= 4.5);  // false-failure probability 6.8e-6
  CHECK(j["risk_avg"].get<double>() < j["risk_min"].get<double>());
}

TEST_CASE("table profiles load from CSV through the CLI", "[cli]") {
  const auto path = std::filesystem::temp_directory_path() / "valleys_cli_table.csv";
  {
    std::ofstream f(path);
    f << "x,loss\n";
    for (int i = -40; i <= 40; ++i) {
      const double x = i * 0.1;
      f << x << "," << (x >= 0 ? 0.5 * x * x : 4.5 * x * x) << "\n";
    }
  }
  const Run r = Valleys("theory risk --profile table:file=" + path.string() +
                        " --shift uniform:a=1 --format json");
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["zeta_star"].get<double>() == Approx(0.5).margin(0.01));
  CHECK(j["method"] == "piecewise");
}

namespace {
// A word for /bin/sh (the test's own runner is a shell; valleys itself starts no shell).
std::string ShellWord(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A fresh folder under the temporary directory, named for this process.
std::filesystem::path FreshDir(const std::string& name) {
  const auto dir =
      std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}
}  // namespace

TEST_CASE("hostile output paths are plain paths: no shell runs them", "[cli][hostile]") {
  namespace fs = std::filesystem;
  const fs::path base = FreshDir("valleys_hostile");
  const std::vector<std::string> names = {
      "bob's plots", "x'; touch PWNED; echo '",   "$(touch PWNED)", "a\"b`touch PWNED`\\c",
      "new\nline",   "semi;colon && touch PWNED", "  spaces  "};
  for (const std::string& name : names) {
    INFO("--out folder: [" << name << "]");
    const fs::path dir = base / name;
    const Run plot =
        valleys::testing::RunCommand("cd " + ShellWord(base.string()) + " && " + VALLEYS_BINARY +
                                     " plot A --out " + ShellWord(dir.string()));
    INFO(plot.out);
    CHECK(plot.code == 0);
    CHECK(fs::file_size(dir / "A.png") > 1000);
    CHECK(fs::file_size(dir / "A.pdf") > 1000);
    // The data's sidecar says what made it.
    const auto sidecar = nlohmann::json::parse(std::ifstream(dir / "A.csv.json"));
    CHECK(sidecar["figure"] == "A");
    CHECK(sidecar["seed"] == 1);
    CHECK(sidecar["scale"]["name"] == "quick");
    const Run risk =
        Valleys("theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 --out " +
                ShellWord((dir / "risk.json").string()) + " --format json");
    CHECK(risk.code == 0);
    CHECK(fs::exists(dir / "risk.json"));
  }
  // Nothing was executed: no file named PWNED anywhere under the base or the working folder.
  for (const auto& entry : fs::recursive_directory_iterator(base))
    CHECK(entry.path().filename() != "PWNED");
  CHECK_FALSE(fs::exists(base / "PWNED"));
  fs::remove_all(base);
}

TEST_CASE("a risk that is not finite is an error, not converged output", "[cli]") {
  const Run r = Valleys("theory risk --profile linear:p=1e308,c=10 --shift gaussian:sigma=1");
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("R(0) = inf and R(zeta*)"));
}

TEST_CASE("a figure that gnuplot cannot draw is an error, not 'wrote'", "[cli]") {
  namespace fs = std::filesystem;
  const fs::path dir = FreshDir("valleys_plotfail");
  REQUIRE(Valleys("plot A --out " + ShellWord((dir / "good").string())).code == 0);
  {  // the header of A's data and no rows
    std::ifstream in(dir / "good" / "A.csv");
    std::string header;
    std::getline(in, header);
    std::ofstream(dir / "empty.csv") << header << "\n";
  }
  const Run r = Valleys("plot A --data " + ShellWord((dir / "empty.csv").string()) + " --out " +
                        ShellWord((dir / "bad").string()));
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("gnuplot failed"));
  CHECK_THAT(r.out, !Catch::Contains("wrote"));
  fs::remove_all(dir);
}

TEST_CASE("an absurd OMP_NUM_THREADS is clamped to the machine, with the same numbers",
          "[cli][threads]") {
  const std::string sim =
      "sim --profile quadratic:hplus=1,hminus=9 --chains 1000 --steps 1000 --quiet --format json";
  const Run a = valleys::testing::RunCommand("OMP_NUM_THREADS=100000 " +
                                             std::string(VALLEYS_BINARY) + " " + sim);
  const Run b = Valleys(sim);
  INFO(a.out);
  REQUIRE(a.code == 0);
  REQUIRE(b.code == 0);
  const auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
  CHECK(ja["threads"].get<int>() <= static_cast<int>(std::thread::hardware_concurrency()));
  CHECK(ja["mean_avg"] == jb["mean_avg"]);
  CHECK(ja["p_flat"] == jb["p_flat"]);
}

TEST_CASE("a result that cannot be written to standard output is a failure", "[cli]") {
  const Run r = valleys::testing::RunCommand(
      std::string(VALLEYS_BINARY) +
      " theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 > /dev/full");
  CHECK(r.code == 1);
}

TEST_CASE("a table that never ends is refused at the stated size", "[cli]") {
  const Run r = Valleys("theory risk --profile table:file=/dev/zero --shift uniform:a=1");
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("'/dev/zero' holds more than 256 MiB"));
}

TEST_CASE("output files are written through a symbolic link; what is not a regular file is refused",
          "[cli][out]") {
  namespace fs = std::filesystem;
  const fs::path dir = FreshDir("valleys_outkind");
  const std::string risk =
      "theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 --format json --out ";
  { std::ofstream(dir / "target.json") << "old\n"; }
  fs::create_symlink("target.json", dir / "link.json");
  REQUIRE(Valleys(risk + ShellWord((dir / "link.json").string())).code == 0);
  CHECK(fs::is_symlink(fs::symlink_status(dir / "link.json")));  // the link is kept
  std::ifstream in(dir / "target.json");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("\"zeta_star\": 0.5"));  // and its target written
  // A FIFO stands for any device (a test must not risk /dev/full itself).
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);
  const Run fifo = Valleys(risk + ShellWord((dir / "fifo").string()));
  INFO(fifo.out);
  CHECK(fifo.code == 2);
  CHECK_THAT(fifo.out, Catch::Contains("exists and is not a regular file"));
  CHECK(fs::is_fifo(fs::status(dir / "fifo")));  // not replaced
  const Run folder = Valleys(risk + ShellWord(dir.string()));
  CHECK(folder.code == 2);
  CHECK(fs::is_directory(dir));
  fs::remove_all(dir);
}

TEST_CASE("numbers are read strictly: decimal, unpadded, inside their type", "[cli][strict]") {
  const std::string sim = "sim --profile quadratic:hplus=1,hminus=9 --chains 10 --steps 10 ";
  // Integers: no wrapping, saturation, exponents, padding or octal/hex prefixes.
  ExpectInputError(sim + "--seed -1",
                   "--seed: '-1' is out of range (allowed: integers from 0 to "
                   "18446744073709551615)");
  ExpectInputError(sim + "--seed 18446744073709551616", "'18446744073709551616' is out of range");
  ExpectInputError(sim + "--seed 1e23", "--seed: '1e23' is not a decimal integer");
  ExpectInputError(sim + "--seed ' 5'", "--seed: ' 5' is not a decimal integer");
  ExpectInputError(sim + "--chains 0x10", "--chains: '0x10' is not a decimal integer");
  ExpectInputError(sim + "--dim 5000000000",
                   "--dim: '5000000000' is out of range (allowed: integers from -2147483648 to "
                   "2147483647)");
  ExpectInputError(sim + "--batch -1", "batch = -1 is out of range (allowed: 1 <= batch");
  // Leading zeros are decimal (strtoull's base 0 would read 010 as 8).
  const Run ten =
      Valleys("sim --profile quadratic:hplus=1,hminus=9 --steps 10 --chains 010 --format json");
  REQUIRE(ten.code == 0);
  CHECK(nlohmann::json::parse(ten.out)["meta"]["chains"] == 10);
  // Floating point: no hex floats, no padding inside specs, no nan; subnormals are numbers.
  ExpectInputError(sim + "--eta 0x1p-4", "--eta: '0x1p-4' is not a finite decimal number");
  const std::string risk = "theory risk --shift uniform:a=1 --profile ";
  ExpectInputError(risk + "quadratic:hplus=0x1p3,hminus=9",
                   "hplus = '0x1p3' is not a finite decimal number");
  ExpectInputError(risk + "'quadratic:hplus=1,hminus= 9'",
                   "value ' 9' has surrounding blanks (allowed: none)");
  ExpectInputError(risk + "' quadratic:hplus=1,hminus=9'",
                   "kind ' quadratic' has surrounding blanks");
  ExpectInputError(risk + "quadratic:hplus=1,hminus=9 --bias 1e-400",
                   "'1e-400' is not a finite decimal number");
  CHECK(Valleys(risk + "quadratic:hplus=1,hminus=9 --bias 1e-308").code == 0);
  ExpectInputError("theory sgd --profile quadratic:hplus=1,hminus=9 --eta 0.1 --T 0",
                   "--T = 0 is out of range (allowed: 1 <= T <= 1e7)");
  ExpectInputError("realnets shift --profile x.csv --max-shift -1",
                   "--max-shift = -1 is out of range");
  ExpectInputError("realnets shift --profile x.csv --max-shift nan",
                   "--max-shift: 'nan' is not a finite decimal number");
}

TEST_CASE("extreme profiles get their optimum or an error that names the fields", "[cli]") {
  // Linear with c >= 1e16: c / (1 + c) rounds to 1, the complement does not; the newsvendor
  // quantile of U(-1, 1) at 1 / (1 + c) is 1 - 2e-16, i.e. 1.
  const Run linear = Valleys(
      "theory risk --profile linear:p=1,c=1e16 --shift uniform:a=1 "
      "--format json");
  INFO(linear.out);
  REQUIRE(linear.code == 0);
  CHECK(nlohmann::json::parse(linear.out)["zeta_star"].get<double>() == Approx(1.0).epsilon(1e-12));
  // Curvatures 1e50 apart under a Gaussian shift: the root of R' lies past 10 sigma. Checked
  // against the risk itself: R at zeta* is below R a little to either side.
  const Run q = Valleys(
      "theory risk --profile quadratic:hplus=1e50,hminus=1 --shift gaussian:sigma=1 --format json");
  INFO(q.out);
  REQUIRE(q.code == 0);
  const double z = nlohmann::json::parse(q.out)["zeta_star"].get<double>();
  CHECK(z < -10);
  const std::string at = fmt::format(
      "theory risk --profile quadratic:hplus=1e50,hminus=1 --shift gaussian:sigma=1 --format json "
      "--bias {} --bias {} --bias {}",
      z - 0.01, z, z + 0.01);
  const Run around = Valleys(at);
  REQUIRE(around.code == 0);
  const auto rows = nlohmann::json::parse(around.out)["R_at_bias"];
  CHECK(rows[1]["R"].get<double>() < rows[0]["R"].get<double>());
  CHECK(rows[1]["R"].get<double>() < rows[2]["R"].get<double>());
  // A start far outside the grid: a one-line message in words, not a 300-digit number.
  const Run far = Valleys(
      "sim --profile quadratic:hplus=1,hminus=9 --x0 1e300 --chains 10 "
      "--steps 10");
  INFO(far.out);
  CHECK(far.code != 0);
  CHECK(far.out.size() < 400);
  CHECK_THAT(far.out, Catch::Contains("start x0"));
}

namespace {
// Starts valleys with `args` in its own process group and kills the whole group (gnuplot
// included) with SIGKILL after `delay`.
void RunAndKillGroup(const std::vector<std::string>& args, std::chrono::microseconds delay) {
  const pid_t child = valleys::testing::Spawn(VALLEYS_BINARY, args, {true, true, true});
  REQUIRE(child > 0);
  std::this_thread::sleep_for(delay);
  ::kill(-child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
}

using valleys::testing::Slurp;
}  // namespace

TEST_CASE("a figure killed while drawing leaves the old figure whole", "[cli][atomic]") {
  namespace fs = std::filesystem;
  const fs::path dir = FreshDir("valleys_plotkill");
  REQUIRE(Valleys("plot A --out " + ShellWord(dir.string())).code == 0);
  const std::string png = Slurp(dir / "A.png"), pdf = Slurp(dir / "A.pdf");
  REQUIRE(png.size() > 1000);
  // Kills spread over the whole command (about 0.1 s here; fixed delays, no randomness).
  for (int delay_us = 0; delay_us <= 300000; delay_us += 15000) {
    INFO("killed after " << delay_us << " us");
    RunAndKillGroup({"plot", "A", "--data", (dir / "A.csv").string(), "--out", dir.string()},
                    std::chrono::microseconds(delay_us));
    // Old or new, the figures are complete at every moment: the same data draws the same bytes.
    CHECK(Slurp(dir / "A.png") == png);
    CHECK(Slurp(dir / "A.pdf").size() == pdf.size());
  }
  fs::remove_all(dir);
}

TEST_CASE("merge and reproduce refuse to write over what exists", "[cli][out]") {
  namespace fs = std::filesystem;
  const fs::path dir = FreshDir("valleys_noclobber");
  fs::create_directories(dir / "report");
  { std::ofstream(dir / "report" / "notes.txt") << "mine\n"; }
  const Run r = Valleys("reproduce --no-realnets --out " + ShellWord((dir / "report").string()));
  INFO(r.out);
  CHECK(r.code == 2);
  CHECK_THAT(r.out, Catch::Contains("is a folder that is not empty"));
  CHECK_FALSE(fs::exists(dir / "report" / "report.md"));
  CHECK(Slurp(dir / "report" / "notes.txt") == "mine\n");
  // An unknown experiment preset is refused before any stage runs or any folder is made.
  const Run p =
      Valleys("reproduce --realnets-preset huge --out " + ShellWord((dir / "fresh").string()));
  INFO(p.out);
  CHECK(p.code == 2);
  CHECK_THAT(
      p.out,
      Catch::Contains(
          "--realnets-preset = 'huge' (allowed: smoke, tiny, small, cpu-long, cpu-full, gpu)"));
  CHECK_FALSE(fs::exists(dir / "fresh"));
}

TEST_CASE("valleys-realnets reports a bad option in one line", "[cli][realnets][torch]") {
  ExpectInputError("realnets train --epochs x --out /tmp/x", "--epochs");
  ExpectInputError("realnets profile --points 1e3 --out /tmp/x",
                   "--points: '1e3' is not a decimal");
  ExpectInputError("realnets train --out ''", "--out is empty");
}

TEST_CASE("the main job writes its report under a hostile path and runs no shell",
          "[cli][hostile][reproduce][slow]") {
  namespace fs = std::filesystem;
  const fs::path base = FreshDir("valleys_hostile_reproduce");
  // Quotes, a command substitution, a semicolon, a backquote, a newline and a script element in
  // one folder name.
  const fs::path dir =
      base / "run x'; $(touch PWNED) `touch PWNED` \"q\"\nz<script>alert(1)</script>";
  const Run r =
      valleys::testing::RunCommand("cd " + ShellWord(base.string()) + " && " + VALLEYS_BINARY +
                                   " reproduce --scale smoke --out " + ShellWord(dir.string()));
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(fs::file_size(dir / "report.md") > 1000);
  CHECK_THAT(Slurp(dir / "report.md"), Catch::Contains("**Scale smoke:**"));
  for (const char* figure : {"A", "B", "C", "D", "E", "F", "G", "H", "I"})
    CHECK(fs::file_size(dir / "figures" / (std::string(figure) + ".png")) > 1000);
  CHECK(fs::exists(dir / "realnets" / "report.md"));
  // Both reports as pages too, their figures inline by relative address.
  for (const fs::path& page : {dir / "report.html", dir / "realnets" / "report.html"}) {
    INFO(page);
    REQUIRE(fs::exists(page));
    std::ifstream in(page);
    const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK_THAT(html, Catch::Contains("<table>"));
    CHECK_THAT(html, Catch::Contains("<img src=\"figures/"));
    CHECK_THAT(html, !Catch::Contains("<script"));
  }
  for (const auto& entry : fs::recursive_directory_iterator(base)) {
    CHECK(entry.path().filename() != "PWNED");
    CHECK(entry.path().filename().string().find(".partial-") == std::string::npos);
  }
  CHECK_FALSE(fs::exists(base / "PWNED"));
  fs::remove_all(base);
}

TEST_CASE("the download's temporary path reaches curl as one argument, never a shell",
          "[cli][hostile]") {
  namespace fs = std::filesystem;
  const fs::path base = FreshDir("valleys_hostile_tmpdir");
  const fs::path tmp = base / "t x'; touch PWNED; echo '$(touch PWNED)";
  fs::create_directories(tmp);
  fs::create_directories(base / "bin");
  // A stand-in curl that records its arguments, one per line, and fails like curl without network.
  {
    std::ofstream f(base / "bin" / "curl");
    f << "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$CURL_ARGS\"\nexit 6\n";
  }
  fs::permissions(base / "bin" / "curl", fs::perms::owner_all);
  const Run r = valleys::testing::RunCommand(
      "cd " + ShellWord(base.string()) + " && PATH=" + ShellWord((base / "bin").string()) +
      ":$PATH CURL_ARGS=" + ShellWord((base / "args").string()) +
      " TMPDIR=" + ShellWord(tmp.string()) + " " + VALLEYS_BINARY +
      " realnets data --download --data " + ShellWord((base / "data").string()));
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Catch::Contains("download of"));
  CHECK_THAT(Slurp(base / "args"),
             Catch::Contains("\n" + (tmp / "cifar-10-binary.tar.gz").string() + "\n"));
  for (const auto& entry : fs::recursive_directory_iterator(base))
    CHECK(entry.path().filename() != "PWNED");
  fs::remove_all(base);
}

TEST_CASE("realnets score: the JSON contract on the paper's profiles; bad profiles exit 2",
          "[cli][realnets]") {
  const std::string data = VALLEYS_TEST_DATA;
  struct Case {
    const char* file;
    const char* flat;
  };
  for (const Case& c :
       {Case{"densenet100_cifar10", "positive"}, Case{"resnet164_cifar100", "negative"}}) {
    const Run r = Valleys("realnets score --format json --profile " + data + "/paper_profiles/" +
                          c.file + ".csv,x=t,loss=train_loss");
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["asymmetric"] == true);
    CHECK(j["flat_side"] == c.flat);
    CHECK(j["criterion"]["kappa"] == 3.0);
    for (const char* key : {"centre_loss", "min_offset", "min_loss", "tilt", "rise_ratio_at",
                            "width_ratio_at", "slope_ratio", "end_rise_ratio", "meta"})
      CHECK(j.contains(key));
    REQUIRE(j["rise_ratio_at"].size() == 4);
    CHECK(j["rise_ratio_at"][3].contains("rise_plus"));
    REQUIRE(j["width_ratio_at"].size() == 6);
    CHECK(j["width_ratio_at"][5]["censored"] == true);  // 2 nats: the flat side never gets there
    CHECK(j["meta"]["criterion"].get<std::string>().find(">= 3") != std::string::npos);
  }
  const std::string dir =
      (std::filesystem::temp_directory_path() / ("valleys_score_" + std::to_string(::getpid())))
          .string();
  std::filesystem::create_directories(dir);
  {
    std::ofstream f(dir + "/nozero.csv");
    f << "t,loss\n1,1\n2,2\n3,3\n4,4\n5,5\n";
    std::ofstream g(dir + "/short.csv");
    g << "t,loss\n-1,1\n0,0\n1,1\n";
    std::ofstream h(dir + "/unsorted.csv");
    h << "t,loss\n-2,4\n-1,1\n0,0\n2,4\n1,1\n";
  }
  ExpectInputError("realnets score --profile " + dir + "/nozero.csv", "t = 0 is not inside");
  ExpectInputError("realnets score --profile " + dir + "/short.csv",
                   "3 points (allowed: at least 5)");
  ExpectInputError("realnets score --profile " + dir + "/unsorted.csv", "not strictly increasing");
  ExpectInputError("realnets score --profile " + dir + "/missing.csv", "--profile");
  ExpectInputError(
      "realnets score --profile " + data + "/paper_profiles/densenet100_cifar10.csv --kappa 1",
      "--kappa = 1 (allowed: > 1)");
  ExpectInputError("realnets score --profile " + data +
                       "/paper_profiles/densenet100_cifar10.csv --heights 0.2,0.1",
                   "--heights must be");
  std::filesystem::remove_all(dir);
}

TEST_CASE("the command line: nearest options and help without artefacts and lists with commas",
          "[cli][help]") {
  const std::string sim = "sim --profile quadratic:hplus=1,hminus=9 --chains 10 --steps 10 ";
  ExpectInputError(sim + "--etaa 0.05", "unknown option --etaa (did you mean --eta?)");
  ExpectInputError(sim + "--zzzzzzzz 1", "unknown option --zzzzzzzz (see valleys sim --help)");
  ExpectInputError(sim + "--grid 1", "unknown option --grid");  // sweep's option, not sim's

  const Run check = Valleys("check --help");
  CHECK_THAT(check.out, Catch::Contains("C6: SGD averages on the flat side"));
  CHECK_THAT(check.out, Catch::Contains("C9: separable directions"));

  const Run risk = Valleys(
      "theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 --bias 0.1,-0.2 "
      "--bias 0.3 --format json");
  REQUIRE(risk.code == 0);
  const auto j = nlohmann::json::parse(risk.out);
  REQUIRE(j["R_at_bias"].size() == 3);
  CHECK(j["R_at_bias"][1]["bias"] == -0.2);

  ExpectInputError("sweep --profile quadratic:hplus=1,hminus=9 --grid eta=0.1:0.2 --out /tmp/x.csv",
                   "'0.1:0.2' is not a range (expected lo:hi:count[:lin|log]");
}

// The realnets commands run valleys-realnets, built only with LibTorch.
TEST_CASE("realnets: nearest options, help without artefacts, a checkpoint path as given",
          "[cli][help][torch]") {
  ExpectInputError("realnets profile --out /tmp/x --lwa gaussian",
                   "unknown option --lwa (did you mean --law?)");

  const Run train = Valleys("realnets train --help");
  CHECK(train.code == 0);
  CHECK_THAT(train.out, Catch::Contains(" realnets train [OPTIONS]"));
  CHECK_THAT(train.out, !Catch::Contains("valleys-realnets train"));
  CHECK_THAT(train.out, Catch::Contains("--no-bn "));
  CHECK_THAT(train.out, !Catch::Contains("{false}"));

  const std::string surface = "realnets surface --out /tmp/valleys-surface-input ";
  ExpectInputError(Valleys(surface + "--points 4"), surface + "--points 4",
                   "--points = 4 (allowed: odd, 3..401)");
  ExpectInputError(Valleys(surface + "--direction 3 --direction-2 3"), surface,
                   "--direction-2 = 3 equals the first direction's index");
  ExpectInputError(Valleys(surface + "--range-b -2"), surface, "--range-b = -2 (allowed: >= 0");
  ExpectInputError(Valleys(surface + "--law ones"), surface,
                   "--law = ones draws the same direction for every index");

  // A checkpoint that is not a run-folder name is the path as given.
  const std::string dir = std::filesystem::temp_directory_path() / "valleys-ckpt-as-given";
  const Run hessian =
      Valleys("realnets hessian --checkpoint x.json --train-size 100 --test-size 100 --out " + dir);
  CHECK(hessian.code == 1);
  CHECK_THAT(hessian.out, Catch::Contains("checkpoint 'x.json' does not exist"));
}

TEST_CASE("metadata quotes the arguments that are not plain words", "[cli]") {
  const auto dir = std::filesystem::temp_directory_path() / "valleys meta quoting";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string out = (dir / "it's.json").string();
  const Run r = Valleys(
      "theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 --format json --out "
      "\"" +
      out + "\"");
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto j = nlohmann::json::parse(std::ifstream(out));
  CHECK(j["meta"]["command_line"] ==
        std::string(VALLEYS_BINARY) +
            " theory risk --profile quadratic:hplus=1,hminus=9 --shift uniform:a=1 --format json "
            "--out " +
            ShellWord(out));  // the path in single quotes, its own quote as '\''

  std::filesystem::remove_all(dir);
}

TEST_CASE("a command past its time limit is reported and killed with its process group",
          "[cli][support]") {
  const auto log = std::filesystem::temp_directory_path() / "valleys-run-command-selftest.log";
  std::filesystem::remove(log);
  const auto pid_file = std::filesystem::temp_directory_path() / "valleys-run-command-selftest.pid";
  const auto t0 = std::chrono::steady_clock::now();
  const Run r = valleys::testing::RunCommand(
      "sleep 300 & echo $! > " + pid_file.string() + "; echo started; sleep 300", 1, log.string());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.out);
  CHECK(r.timed_out);
  CHECK(r.code == -1);
  CHECK(seconds < 60);  // gdb, where installed, attaches to three processes
  CHECK_THAT(r.out, Catch::StartsWith("started\n"));
  CHECK_THAT(r.out, Catch::Contains("still running after 1 s"));
  std::ifstream pid_in(pid_file);
  pid_t background = 0;
  REQUIRE(pid_in >> background);
  // The background child died with the group: gone, or a zombie until its new parent reaps it.
  const auto dead = [](pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
  };
  bool gone = false;
  for (int i = 0; i < 50 && !(gone = dead(background)); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(gone);
  std::ifstream log_in(log);
  std::string first;
  std::getline(log_in, first);
  CHECK_THAT(first, Catch::Contains("still running after 1 s"));
  std::filesystem::remove(log);
  std::filesystem::remove(pid_file);
  const Run quick =
      valleys::testing::RunCommand("echo out; echo err >&2; exit 3", 10, log.string());
  CHECK_FALSE(quick.timed_out);
  CHECK(quick.code == 3);
  CHECK(quick.out == "out\nerr\n");
  CHECK_FALSE(std::filesystem::exists(log));
}

TEST_CASE("the LibTorch commands print their result as a table or as CSV or JSON",
          "[cli][realnets][torch]") {
  const std::string dir = std::filesystem::temp_directory_path() / "valleys-realnets-format";
  std::filesystem::remove_all(dir);
  const std::string net = " --train-size 200 --test-size 100 --width 4 --threads 1 --out " + dir;
  const Run train = ValleysTorch("realnets train --epochs 1 --format json" + net);
  REQUIRE(train.code == 0);
  const auto j = nlohmann::json::parse(train.out);
  CHECK(j["parameters"] == 5166);
  CHECK(j["meta"]["command"] == "realnets train");
  const Run hessian =
      ValleysTorch("realnets hessian --sample-size 50 --iterations 2 --format csv" + net);
  REQUIRE(hessian.code == 0);
  // Tidy CSV: the header row of the keys, then the row of values.
  CHECK_THAT(hessian.out, Catch::Contains("\nconverged,"));
  CHECK_THAT(hessian.out, Catch::Contains("\nfalse,"));
  const std::string yaml = "realnets line --format yaml" + net;
  ExpectInputError(ValleysTorch(yaml), yaml, "--format");
  const std::string both = "realnets profile --exclude-bn --only-bn" + net;
  ExpectInputError(ValleysTorch(both), both, "--exclude-bn and --only-bn were both given");
  // A checkpoint carries its architecture: options that describe another network are refused.
  const std::string wide = " --train-size 200 --test-size 100 --width 16 --threads 1 --out " + dir;
  const std::string hessian_wide = "realnets hessian --sample-size 50 --iterations 2" + wide;
  ExpectInputError(ValleysTorch(hessian_wide), hessian_wide,
                   "holds the network 'preresnet-8 width 4 BN relu bn-init ones', but the model "
                   "options describe 'preresnet-8 width 16 BN relu bn-init ones'");
  std::filesystem::remove_all(dir);
}
