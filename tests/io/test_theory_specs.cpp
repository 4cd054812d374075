// `theory risk` and `theory sgd` as one call each (io::SolveRiskSpec, io::SolveSgdSpec): the
// values against closed forms, the inputs as metadata, messages that name the field.
#include <catch2/catch.hpp>

#include "valleys/io/spec.hpp"
#include "valleys/io/theory_result_json.hpp"

using namespace valleys;
using Catch::Matchers::Contains;

TEST_CASE("SolveRiskSpec: R(0), the optimal bias and R at given biases", "[io][theory]") {
  // phi = t^2/2 (t > 0), 9 t^2/2 (t < 0); delta ~ U(-1, 1): E[delta^2] = 1/3, so
  // R(0) = (1 + 9) / 2 * (1/3) / 2 = 5/6.
  const io::SpecOutput out =
      io::SolveRiskSpec({"quadratic:hplus=1,hminus=9", "uniform:a=1", {0.2}});
  CHECK(out.result["R0"].get<double>() == Approx(5.0 / 6.0).epsilon(1e-9));
  REQUIRE(out.result["R_at_bias"].size() == 1);
  CHECK(out.result["R_at_bias"][0]["bias"] == 0.2);
  CHECK(out.extra["profile"] == "quadratic:hplus=1,hminus=9");
  CHECK(out.extra["shift"] == "uniform:a=1");
  CHECK_THROWS_WITH(io::SolveRiskSpec({"quadratc:hplus=1", "uniform:a=1", {}}),
                    Contains("RiskSpec::profile"));
  CHECK_THROWS_WITH(io::SolveRiskSpec({"linear:p=1,c=5", "uniform:a=0", {}}),
                    Contains("RiskSpec::shift"));
}

TEST_CASE("SolveSgdSpec: a transient only when T is given; T checked", "[io][theory]") {
  io::SgdSpec spec;
  spec.profile = "quadratic:hplus=1,hminus=9";
  spec.eta = 0.05;
  const io::SpecOutput stationary = io::SolveSgdSpec(spec);
  CHECK(stationary.result.contains("mean"));
  CHECK_FALSE(stationary.extra.contains("T"));
  spec.T = 10;
  CHECK(io::SolveSgdSpec(spec).extra["T"] == 10);
  spec.T = 0;
  CHECK_THROWS_WITH(io::SolveSgdSpec(spec), Contains("SgdSpec::T = 0"));
}
