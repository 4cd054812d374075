// The asymmetric-quadratic fit that carries a measured profile into the exact chain (C18): known
// answers on exact valleys, noise at the level of float32 evaluation, the falling case, bad input.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "valleys/realnets/asymmetric_quadratic_fit.hpp"

using valleys::realnets::FitAsymmetricQuadratic;

namespace {

std::vector<double> Grid(double lo, double hi, int n) {
  std::vector<double> t;
  for (int i = 0; i < n; ++i) t.push_back(lo + (hi - lo) * i / (n - 1));
  return t;
}

std::vector<double> Valley(const std::vector<double>& t, double m, double c, double hp, double hm) {
  std::vector<double> y;
  for (double x : t) {
    const double u = x - m;
    y.push_back(c + 0.5 * (u > 0 ? hp : hm) * u * u);
  }
  return y;
}

}  // namespace

TEST_CASE("an exact asymmetric quadratic is recovered", "[realnets][c18]") {
  // 15 points over [-1, 1]: the candidates for m run over [t_1, t_13] = [-6/7, 6/7] in 400 steps
  // of 3/700; m is the 270th, so the fit can be exact.
  const std::vector<double> t = Grid(-1, 1, 15);
  const double m = -6.0 / 7 + 3.0 / 700 * 270;
  const auto fit = FitAsymmetricQuadratic(t, Valley(t, m, 0.5, 2.0, 8.0));
  CHECK(fit.interior);
  CHECK(fit.m == Approx(m).margin(1e-12));
  CHECK(fit.c == Approx(0.5).epsilon(1e-9));
  CHECK(fit.h_plus == Approx(2.0).epsilon(1e-9));
  CHECK(fit.h_minus == Approx(8.0).epsilon(1e-9));
  CHECK(fit.r2 == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("float32-level noise moves the curvatures by well under 1%", "[realnets][c18]") {
  // Rises of 1e-4 nats at the ends with noise of 1e-7 (float32 on a loss near 1): the fitted
  // curvature ratio stays within 1% of 4. Fixed seed; the noise is deterministic.
  std::mt19937_64 gen(20261202);
  std::normal_distribution<double> noise(0.0, 1e-7);
  const std::vector<double> t = Grid(-0.01, 0.01, 15);
  std::vector<double> y = Valley(t, 0.001, 1.0, 0.5, 2.0);
  for (double& v : y) v += noise(gen);
  const auto fit = FitAsymmetricQuadratic(t, y);
  INFO("seed 20261202, m " << fit.m << ", h+ " << fit.h_plus << ", h- " << fit.h_minus);
  CHECK(fit.interior);
  CHECK(fit.m == Approx(0.001).margin(2e-4));
  CHECK(fit.h_minus / fit.h_plus == Approx(4.0).epsilon(0.01));
}

TEST_CASE("a profile that falls toward an end has no interior minimum", "[realnets][c18]") {
  const std::vector<double> t = Grid(-1, 1, 11);
  std::vector<double> down;
  for (double x : t) down.push_back(-x + 0.1 * x * x);  // minimum at t = 5, beyond the range
  const auto fit = FitAsymmetricQuadratic(t, down);
  CHECK_FALSE(fit.interior);
  CHECK_FALSE(fit.falls_low);
  std::vector<double> up;
  for (double x : t) up.push_back(x + 0.1 * x * x);
  CHECK(FitAsymmetricQuadratic(t, up).falls_low);
}

TEST_CASE("bad profiles are refused", "[realnets][c18]") {
  CHECK_THROWS_WITH(FitAsymmetricQuadratic({0, 1, 2, 3}, {0, 1, 2, 3}),
                    Catch::Contains("allowed: the same number, >= 5"));
  CHECK_THROWS_WITH(FitAsymmetricQuadratic({0, 1, 1, 3, 4}, {0, 1, 2, 3, 4}),
                    Catch::Contains("not strictly increasing at point 2"));
  CHECK_THROWS_WITH(FitAsymmetricQuadratic({0, 1, 2, 3, 4}, {0, 1, NAN, 3, 4}),
                    Catch::Contains("point 2 is not finite"));
}
