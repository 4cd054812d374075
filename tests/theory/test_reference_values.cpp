// The reference table of theory.md section 2 (values computed independently of this code, printed
// to 4 significant digits), and the exact SGD values of section 3.
#include <catch2/catch.hpp>

#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/bias.hpp"
#include "valleys/theory/sgd_chain.hpp"

using namespace valleys::theory;

namespace {
void CheckRow(const Profile& profile, const SymmetricLaw& shift, double r0, double zeta_star,
              double r_star) {
  INFO(profile.Spec() << " " << shift.Spec());
  for (bool closed : {true, false}) {
    RiskOptions options;
    options.use_closed_forms = closed;
    const BiasSummary b = AnalyzeBias(profile, shift, options);
    INFO("closed forms " << closed);
    CHECK(b.r0 == Approx(r0).margin(5e-5));
    CHECK(b.zeta_star == Approx(zeta_star).margin(5e-5));
    CHECK(b.r_star == Approx(r_star).margin(5e-5));
  }
}
}  // namespace

TEST_CASE("Theorem 1 reference table", "[risk][reference]") {
  CheckRow(LinearProfile({1, 5}), SymmetricLaw(LawKind::kUniform, 1), 1.5, 0.6667, 0.8333);
  CheckRow(QuadraticProfile({1, 9}), SymmetricLaw(LawKind::kUniform, 1), 0.8333, 0.5, 0.375);
  CheckRow(QuadraticProfile({1, 9}), SymmetricLaw(LawKind::kGaussian, 0.5), 0.625, 0.4308, 0.3195);
  CheckRow(QuadraticProfile({1, 4}), SymmetricLaw(LawKind::kGaussian, 1), 1.25, 0.5492, 0.9372);
  CheckRow(LinearProfile({1, 5}), SymmetricLaw(LawKind::kGaussian, 1), 2.3937, 0.9674, 1.4991);
}

TEST_CASE("R at given biases (reference)", "[risk][reference]") {
  const SymmetricLaw u1(LawKind::kUniform, 1);
  CHECK(Risk(LinearProfile({1, 5}), u1, 0.3).value == Approx(1.035).margin(5e-4));
  CHECK(Risk(LinearProfile({1, 5}), u1, 0.9).value == Approx(0.915).margin(5e-4));
  CHECK(Risk(QuadraticProfile({1, 9}), u1, 0.2).value == Approx(0.528).margin(5e-4));
  CHECK(Risk(QuadraticProfile({1, 9}), u1, 0.8).value == Approx(0.492).margin(5e-4));
}

TEST_CASE("Theorem 2 reference table (exact discrete chain)", "[sgd][reference]") {
  ChainOptions chain;
  chain.noise_std = 1;
  chain.eta = 0.01;
  StationaryStats s = SolveStationary(QuadraticProfile({1, 9}), chain);
  CHECK(s.mean == Approx(0.0379).margin(5e-5));
  CHECK(s.p_flat == Approx(0.7533).margin(5e-5));
  chain.eta = 0.05;
  s = SolveStationary(QuadraticProfile({1, 9}), chain);
  CHECK(s.mean == Approx(0.08765).margin(5e-6));
  CHECK(s.p_flat == Approx(0.7648).margin(5e-5));
  s = SolveStationary(LinearProfile({1, 5}), chain);
  CHECK(s.mean == Approx(0.1063).margin(5e-5));
  CHECK(s.p_flat == Approx(0.8333).margin(5e-5));
}

TEST_CASE("S4 transient from the minimizer (reference)", "[sgd][reference]") {
  ChainOptions chain;
  chain.eta = 0.05;
  const TransientStats t = SolveTransient(QuadraticProfile({1, 9}), chain, 0.0, 4);
  REQUIRE(t.mean_t.size() == 5);
  CHECK(t.mean_t[1] == Approx(0.0).margin(1e-12));
  CHECK(t.mean_t[2] == Approx(0.0080).margin(5e-5));
  CHECK(t.mean_t[3] == Approx(0.0160).margin(5e-5));
  CHECK(t.mean_t[4] == Approx(0.0234).margin(5e-5));
  // E[x_2] = eta (h- - h+) E[x_1^-] with x_1 ~ N(0, eta^2): eta^2 (h- - h+) / sqrt(2 pi).
  CHECK(t.mean_t[2] == Approx(0.05 * 0.05 * 8 / std::sqrt(2 * M_PI)).epsilon(1e-6));
}
