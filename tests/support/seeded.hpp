// Seeded draws for randomized tests: every test states its seed (Catch2 INFO) so a failure can be
// replayed exactly.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace valleys::testing {

class Draws {
 public:
  explicit Draws(std::uint64_t seed) : engine_(seed) {}
  double Uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(engine_);
  }
  double LogUniform(double lo, double hi) { return std::exp(Uniform(std::log(lo), std::log(hi))); }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace valleys::testing
