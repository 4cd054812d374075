// A simulation as text (io::SimSpec): its options, the fields its messages name, grid values and
// sweep-file bases; strict number reading; table references.
#include <catch2/catch.hpp>

#include <string>

#include "valleys/io/sim_spec.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/strict_number.hpp"
#include "valleys/io/table_csv.hpp"

using namespace valleys;
using Catch::Matchers::Contains;

namespace {
io::SimSpec Quadratic() {
  io::SimSpec s;
  s.profiles = {"quadratic:hplus=1,hminus=9"};
  return s;
}
}  // namespace

TEST_CASE("SimSpec: one profile, a valley of several, and the fields it copies", "[io][sim_spec]") {
  io::SimSpec s = Quadratic();
  s.eta = 0.02;
  s.chains = 7;
  s.steps = 30;
  s.burnin = 10;
  s.no_replacement = true;
  const sim::SimOptions one = io::MakeSimOptions(s);
  CHECK(one.profile != nullptr);
  CHECK_FALSE(one.valley.has_value());
  CHECK(one.lr.eta == 0.02);
  CHECK(one.chains == 7);
  CHECK(one.steps == 30);
  CHECK(one.burnin == 10);
  CHECK_FALSE(one.minibatch.replacement);

  s.dim = 3;
  s.basis = "random:seed=4";
  s.noise_per_direction = {1, 0.5, 2};
  const sim::SimOptions three = io::MakeSimOptions(s);
  REQUIRE(three.valley.has_value());
  CHECK(three.valley->profiles.size() == 3);
  CHECK(three.valley->basis == theory::BasisKind::kRandomRotation);
  CHECK(three.valley->rotation_seed == 4);
  CHECK(three.noise_std_per_direction.size() == 3);
}

TEST_CASE("SimSpec: messages name the field, its value and the allowed range", "[io][sim_spec]") {
  io::SimSpec none;
  CHECK_THROWS_WITH(io::MakeSimOptions(none), "SimSpec::profiles is required");
  io::SimSpec s = Quadratic();
  s.dim = 0;
  CHECK_THROWS_WITH(io::MakeSimOptions(s), "SimSpec::dim = 0 is out of range (allowed: 1..4096)");
  s = Quadratic();
  s.noise_per_direction = {1};
  CHECK_THROWS_WITH(io::MakeSimOptions(s), Contains("SimSpec::noise_per_direction needs"));
  s = Quadratic();
  s.basis = "random:seed=-1";
  CHECK_THROWS_WITH(io::MakeSimOptions(s), Contains("SimSpec::basis random: seed = -1"));
  s = Quadratic();
  s.backend = "gpu";
  CHECK_THROWS_WITH(io::MakeSimOptions(s), Contains("SimSpec::backend = 'gpu'"));
  s = Quadratic();
  s.x0 = "draw:s=1";
  CHECK_THROWS_WITH(io::MakeSimOptions(s), Contains("SimSpec::x0"));
  s = Quadratic();
  s.momentum = 1.5;
  CHECK_THROWS_WITH(io::MakeSimOptions(s), Contains("SimOptions::momentum = 1.5"));
}

TEST_CASE("SimSpec: grid values set options or keys inside a spec, strictly", "[io][sim_spec]") {
  io::SimSpec s = Quadratic();
  io::ApplyGridValue(s, "eta", "0.07");
  io::ApplyGridValue(s, "avg-start", "5");
  io::ApplyGridValue(s, "hminus", "4");
  io::ApplyGridValue(s, "s", "2");  // the noise's standard deviation
  CHECK(s.eta == 0.07);
  CHECK(s.avg_start == 5);
  CHECK(s.profiles[0] == "quadratic:hplus=1,hminus=4");
  CHECK(s.noise == "gaussian:s=2");
  CHECK_THROWS_WITH(io::ApplyGridValue(s, "chains", "1.5"),
                    "grid value of 'chains': '1.5' is not a decimal integer (allowed: integers "
                    "from -9223372036854775808 to 9223372036854775807)");
  CHECK_THROWS_WITH(io::ApplyGridValue(s, "zz", "1"), Contains("grid axis 'zz' is neither"));
  CHECK_FALSE(io::SetSimSpecField(s, "hminus", "1"));
}

TEST_CASE("SimSpec: a sweep file's base", "[io][sim_spec]") {
  io::SweepFile file;
  file.base = {{"profile", "linex:a=2,c=1"},
               {"profile", "linex:a=1,c=1"},
               {"chains", "100"},
               {"no-replacement", "true"},
               {"basis", "random:seed=1"}};
  io::SimSpec s = Quadratic();
  io::ApplySweepBase(s, file, "f.toml");
  CHECK(s.profiles == std::vector<std::string>{"linex:a=2,c=1", "linex:a=1,c=1"});
  CHECK(s.chains == 100);
  CHECK(s.no_replacement);
  CHECK(s.basis == "random:seed=1");
  file.base = {{"etaa", "0.1"}};
  CHECK_THROWS_WITH(io::ApplySweepBase(s, file, "f.toml"),
                    "f.toml: [base] etaa is not a simulator option");
}

TEST_CASE("SimSpec: its metadata", "[io][sim_spec]") {
  io::SimSpec s = Quadratic();
  s.no_replacement = true;
  const auto j = io::SimSpecJson(s);
  CHECK(j["profile"] == nlohmann::ordered_json::array({"quadratic:hplus=1,hminus=9"}));
  CHECK(j["replacement"] == false);
  CHECK(j.begin().key() == "profile");  // the documented order
  CHECK(j.size() == 24);
}

TEST_CASE("strict numbers: decimal, finite, inside the type", "[io][strict]") {
  CHECK(io::ParseStrict<double>("1e-3", "x") == 1e-3);
  CHECK(io::ParseStrict<int>("-12", "x") == -12);
  CHECK_THROWS_WITH(io::ParseStrict<unsigned long long>("-1", "--seed"),
                    "--seed: '-1' is out of range (allowed: integers from 0 to "
                    "18446744073709551615)");
  CHECK_THROWS_WITH(io::ParseStrict<int>("0x10", "n"), Contains("is not a decimal integer"));
  CHECK_THROWS_WITH(io::ParseStrict<double>("nan", "v"), "v: 'nan' is not a finite decimal number");
  CHECK(io::ParseNumberList("0.05,0.1,2", "h") == std::vector<double>{0.05, 0.1, 2});
  CHECK_THROWS_WITH(io::ParseNumberList("0.05,,2", "h"), "h: '' is not a finite decimal number");
}

TEST_CASE("table references: FILE[,x=COL][,loss=COL]", "[io][table]") {
  const io::TableRef plain = io::ParseTableRef("a,b.csv");
  CHECK(plain.path == "a,b.csv");
  CHECK(plain.x_column.empty());
  const io::TableRef both = io::ParseTableRef("dir/p.csv,loss=train,x=t");
  CHECK(both.path == "dir/p.csv");
  CHECK(both.x_column == "t");
  CHECK(both.loss_column == "train");
  const io::TableRef twice = io::ParseTableRef("p.csv,x=a,x=b");
  CHECK(twice.path == "p.csv,x=a");
  CHECK(twice.x_column == "b");
}
