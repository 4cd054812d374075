// Readers of user input: grids, shards, sweep CSVs, TOML, atomic writes; and every crash the
// fuzzers found (tests/regression/, named by reader), replayed here.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/files.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/csv_field.hpp"
#include "valleys/io/grid.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/sweep_csv.hpp"
#include "valleys/io/sweep_file.hpp"
#include "valleys/io/table_csv.hpp"

using namespace valleys::io;
namespace fs = std::filesystem;

namespace {
using valleys::testing::Slurp;
}  // namespace

TEST_CASE("grid axes: ranges, lists, single values, errors", "[io][grid]") {
  const GridAxis log = ParseGridAxis("eta=0.01:1:3:log");
  REQUIRE(log.values.size() == 3);
  CHECK(std::stod(log.values[1]) == Approx(0.1));
  CHECK(log.values.front() == "0.01");
  CHECK(log.values.back() == "1");
  CHECK(ParseGridAxis("hminus=2,4,9").values == std::vector<std::string>{"2", "4", "9"});
  CHECK(ParseGridAxis("noise=gaussian:s=1").values == std::vector<std::string>{"gaussian:s=1"});
  CHECK_THROWS_WITH(ParseGridAxis("eta=0:1:3:log"), Catch::Contains("lo > 0"));
  CHECK_THROWS_WITH(ParseGridAxis("eta=1:2:3:cubic"), Catch::Contains("allowed: lin, log"));
  CHECK_THROWS_WITH(ParseGridAxis("eta"), Catch::Contains("expected NAME="));
  // A range written wrong is named as one, with the syntax.
  CHECK_THROWS_WITH(ParseGridAxis("eta=0.1:0.2"),
                    Catch::Contains("'0.1:0.2' is not a range (expected lo:hi:count[:lin|log]"));
  CHECK_THROWS_WITH(ParseGridAxis("eta=0.1:0.2:x"), Catch::Contains("is not a range"));
  const std::vector<GridAxis> axes = {ParseGridAxis("a=1,2"), ParseGridAxis("b=x,y,z")};
  CHECK(GridSize(axes) == 6);
  CHECK(GridPoint(axes, 4) ==
        std::vector<std::pair<std::string, std::string>>{{"a", "2"}, {"b", "y"}});
  CHECK(ParseShard("2/3").Owns(4));
  CHECK_THROWS_WITH(ParseShard("4/3"), Catch::Contains("1 <= k <= n"));
}

TEST_CASE("sweep CSV reader: partial last line, bad rows", "[io][sweep_csv]") {
  const SweepCsv ok = ParseSweepCsv("index,x\n0,1\n1,2\n2,3", "mem");
  CHECK(ok.rows.size() == 2);
  CHECK(ok.had_partial_line);
  CHECK(ok.indices == std::vector<long long>{0, 1});
  CHECK_THROWS_WITH(ParseSweepCsv("index,x\n0,1,2\n", "mem"),
                    Catch::Contains("3 fields but the header has 2"));
  CHECK_THROWS_WITH(ParseSweepCsv("index,x\n-1,2\n", "mem"),
                    Catch::Contains("not a non-negative integer"));
  CHECK_THROWS_WITH(ParseSweepCsv("index,x\n1e300,2\n", "mem"),
                    Catch::Contains("not a non-negative integer"));
}

TEST_CASE("TOML sweep files", "[io][toml]") {
  const SweepFile f = ParseSweepToml(
      "[base]\nchains = 10\neta = 0.5\n[grid]\nhminus = [2, 4]\neta = \"0.1:1:2\"\n", "m.toml");
  CHECK(f.base.size() == 2);
  CHECK(f.base[1].second == "0.5");
  REQUIRE(f.grid.size() == 2);
  CHECK(f.grid[0].values.size() == 2);
  CHECK_THROWS_WITH(ParseSweepToml("[other]\n", "m.toml"),
                    Catch::Contains("unknown table [other]"));
  CHECK_THROWS_WITH(ParseSweepToml("[grid]\nx = []\n", "m.toml"), Catch::Contains("no values"));
}

TEST_CASE("fuzzer-found inputs stay errors, not crashes (regressions)", "[io][regression]") {
  const fs::path dir = fs::path(VALLEYS_SOURCE_DIR) / "tests" / "regression";
  int replayed = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string(), text = Slurp(entry.path());
    INFO(name);
    auto quietly = [](auto f) {
      try {
        f();
      } catch (const std::invalid_argument&) {
      }
    };
    if (name.rfind("sweep_csv", 0) == 0) quietly([&] { ParseSweepCsv(text, name); });
    if (name.rfind("table_csv", 0) == 0) quietly([&] { ParseTableCsv(text, name); });
    if (name.rfind("sweep_toml", 0) == 0) quietly([&] { ParseSweepToml(text, name); });
    if (name.rfind("grid", 0) == 0) quietly([&] { ParseGridAxis(text); });
    if (name.rfind("spec", 0) == 0) quietly([&] { ParseSpec(text, "--fuzz"); });
    ++replayed;
  }
  CHECK(replayed >= 1);
  // The first one: an index beyond long long (casting it was undefined behaviour).
  CHECK_THROWS_WITH(ParseSweepCsv(Slurp(dir / "sweep_csv_huge_index.csv"), "r"),
                    Catch::Contains("not a non-negative integer"));
}

TEST_CASE("atomic writes: replace whole, leave no temporary, fail cleanly", "[io][atomic]") {
  const fs::path dir = fs::temp_directory_path() / ("valleys_atomic_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path target = dir / "r.json";
  WriteFileAtomically(target, "first\n");
  WriteFileAtomically(target, "second\n");
  CHECK(Slurp(target) == "second\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
  CHECK_THROWS_WITH(WriteFileAtomically("/proc/valleys_cannot_write_here/x", "x"),
                    Catch::Contains("cannot write"));

  // A full disk, simulated by a file-size limit in a child process: the write fails with a clear
  // error, and the earlier result is intact.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit{4096, 4096};
    setrlimit(RLIMIT_FSIZE, &limit);
    try {
      WriteFileAtomically(target, std::string(100000, 'x'));
    } catch (const std::runtime_error& e) {
      _exit(std::string(e.what()).find("cannot write") != std::string::npos ? 0 : 2);
    }
    _exit(3);
  }
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(Slurp(target) == "second\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 1);
}

TEST_CASE("output lock: held by a live process refuses, a stale one is taken over", "[io][lock]") {
  const fs::path dir = fs::temp_directory_path() / ("valleys_lock_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string out = (dir / "s.csv").string();
  {
    OutputLock lock(out);
    CHECK(fs::exists(out + ".lock"));
    CHECK_THROWS_WITH(OutputLock(out), Catch::Contains("refusing to interleave"));
  }
  CHECK_FALSE(fs::exists(out + ".lock"));
  {
    std::ofstream f(out + ".lock");
    f << "999999999\n";  // no such process
  }
  OutputLock taken(out);
  CHECK(fs::exists(out + ".lock"));
}

TEST_CASE("report headers and CSV fields", "[io]") {
  const nlohmann::json meta = {
      {"version", "0.1.0"}, {"git", "abc123"}, {"created", "2026-12-01T00:00:00Z"}, {"host", "vm"}};
  CHECK(ReportHeader("valleys reproduce report", meta) ==
        "# valleys reproduce report\n\n- version: 0.1.0 (git abc123)\n- created: "
        "2026-12-01T00:00:00Z\n- host: vm\n");
  const nlohmann::json made = Metadata("theory risk");
  CHECK(ReportHeader("t", made).find("(git " + made["git"].get<std::string>() + ")") !=
        std::string::npos);
  CHECK(CsvField("plain") == "plain");
  CHECK(CsvField("a,b") == "\"a,b\"");
  CHECK(CsvField("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(CsvField("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("CSV records as RFC 4180 writes them", "[io][csv]") {
  using Fields = std::vector<std::string>;
  CHECK(SplitCsvRecord("a,b,c") == Fields{"a", "b", "c"});
  CHECK(SplitCsvRecord("a,,") == Fields{"a", "", ""});
  CHECK(SplitCsvRecord("") == Fields{""});
  CHECK(SplitCsvRecord("\"x,y\",2") == Fields{"x,y", "2"});
  CHECK(SplitCsvRecord("\"say \"\"hi\"\"\",\"\"") == Fields{"say \"hi\"", ""});
  CHECK(SplitCsvRecord("a,b\r\n") == Fields{"a", "b"});
  CHECK_THROWS_WITH(SplitCsvRecord("\"open,1"), Catch::Contains("never closed"));
  CHECK_THROWS_WITH(SplitCsvRecord("\"a\"b,1"), Catch::Contains("text after a closing quote"));

  // Records across lines: a quoted line break stays in its field; the line count follows.
  const std::string text = "h1,h2\n\"two\nlines\",x\r\nlast,\"\"";
  std::size_t pos = 0;
  Fields fields;
  std::string why;
  int lines = 0;
  REQUIRE(ReadCsvRecord(text, &pos, &fields, &why, &lines));
  CHECK((fields == Fields{"h1", "h2"}));
  CHECK(lines == 1);
  REQUIRE(ReadCsvRecord(text, &pos, &fields, &why, &lines));
  CHECK((fields == Fields{"two\nlines", "x"}));
  CHECK(lines == 2);
  REQUIRE(ReadCsvRecord(text, &pos, &fields, &why, &lines));
  CHECK((fields == Fields{"last", ""}));
  CHECK(lines == 0);
  CHECK(pos == text.size());

  // What CsvRecord writes reads back to the same fields.
  const Fields hostile{"plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "", "\""};
  CHECK(SplitCsvRecord(CsvRecord(hostile)) == hostile);
  CHECK(CsvField("cr\r") == "\"cr\r\"");
}

TEST_CASE("table CSV: quoted headers and fields, comments, line numbers", "[io][csv][table]") {
  const auto t = ParseTableCsv(
      "# a comment\n\"offset, t\",\"loss\",note\n0,1,\"a, b\"\n\n1,0.5,\"two\nlines\"\n2,2,x\n",
      "q.csv", "offset, t", "loss");
  CHECK(t.x == std::vector<double>{0, 1, 2});
  CHECK(t.loss == std::vector<double>{1, 0.5, 2});
  // The line of a bad value counts the line break inside the quoted field before it.
  CHECK_THROWS_WITH(ParseTableCsv("x,loss,note\n0,1,\"a\nb\"\n1,zz,c\n", "q.csv"),
                    Catch::Contains("line 4"));
  CHECK_THROWS_WITH(ParseTableCsv("x,loss\n0,\"1\n", "q.csv"),
                    Catch::Contains("line 2: a quoted field is never closed"));
}
