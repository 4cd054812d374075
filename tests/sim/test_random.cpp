// Philox streams and the noise transforms: known-answer test, distribution checks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "valleys/sim/random.hpp"

using namespace valleys::sim;

TEST_CASE("Philox4x32-10 known-answer vector (Random123 kat_vectors)", "[random]") {
  const Philox4 r = PhiloxDraw(0, 0, 0, 0);
  CHECK(r.v[0] == 0x6627e8d5u);
  CHECK(r.v[1] == 0xe169c58du);
  CHECK(r.v[2] == 0xbc57ac4cu);
  CHECK(r.v[3] == 0x9b00dbd8u);
}

TEST_CASE("streams differ by seed, chain, block and purpose", "[random]") {
  const Philox4 a = PhiloxDraw(1, 5, 7, 0);
  CHECK(PhiloxDraw(1, 5, 7, 0).v[0] == a.v[0]);
  CHECK(PhiloxDraw(2, 5, 7, 0).v[0] != a.v[0]);
  CHECK(PhiloxDraw(1, 6, 7, 0).v[0] != a.v[0]);
  CHECK(PhiloxDraw(1, 5, 8, 0).v[0] != a.v[0]);
  CHECK(PhiloxDraw(1, 5, 7, 1).v[0] != a.v[0]);
  CHECK(PhiloxDraw(1, 1ULL << 32, 7, 0).v[0] !=
        PhiloxDraw(1, 0, 7, 0).v[0]);  // high block word used
}

TEST_CASE("fast log and sincos are accurate on their whole domain", "[random]") {
  double log_err = 0, trig_err = 0;
  for (std::uint32_t k = 0; k < (1u << 24); k += 61) {
    const float u = (static_cast<float>(k) + 0.5f) / 16777216.0f;
    log_err = std::max(log_err, std::abs(LogUnit(u) - std::log(static_cast<double>(u))));
    const SinCos sc = SinCosTurns(static_cast<float>(k) / 16777216.0f);
    const double t = 2 * M_PI * k / 16777216.0;
    trig_err = std::max({trig_err, std::abs(sc.s - std::sin(t)), std::abs(sc.c - std::cos(t))});
  }
  CHECK(log_err < 2e-6);
  CHECK(trig_err < 3e-7);
}

TEST_CASE("Box-Muller normals: moments and Kolmogorov-Smirnov", "[random][statistical]") {
  // 4e6 draws. Tolerances: mean |m| < 4.5/sqrt(n) = 2.25e-3, variance within 4.5 sqrt(2/n)
  // = 3.2e-3, kurtosis within 4.5 sqrt(96/n) = 2.2e-2 (each false-failure probability ~7e-6); KS
  // distance below 1.95/sqrt(n) (asymptotic p = 1e-3). Seed 12345.
  const int blocks = 1000000;
  std::vector<double> z;
  z.reserve(4 * blocks);
  for (int b = 0; b < blocks; ++b) {
    float out[4];
    NormalsFrom(PhiloxDraw(12345, static_cast<std::uint64_t>(b), 3, 0), out);
    for (float v : out) z.push_back(v);
  }
  const double n = static_cast<double>(z.size());
  double m = 0, v = 0, k = 0;
  for (double x : z) m += x;
  m /= n;
  for (double x : z) v += (x - m) * (x - m), k += std::pow(x - m, 4);
  v /= n;
  k = k / n / (v * v);
  CHECK(std::abs(m) < 4.5 / std::sqrt(n));
  CHECK(std::abs(v - 1) < 4.5 * std::sqrt(2 / n));
  CHECK(std::abs(k - 3) < 4.5 * std::sqrt(96 / n));
  std::sort(z.begin(), z.end());
  double ks = 0;
  for (std::size_t i = 0; i < z.size(); i += 97) {
    const double cdf = 0.5 * std::erfc(-z[i] / std::sqrt(2.0));
    ks = std::max({ks, std::abs(cdf - i / n), std::abs(cdf - (i + 1) / n)});
  }
  CHECK(ks < 1.95 / std::sqrt(n));
}
