// Simulator throughput: chain-steps per second of the 1-D quadratic valley with Gaussian noise at
// 1 and 2 threads, and the raw Philox-normal generation rate on the same machine (the ceiling).
// Prints one JSON object. Usage: bench_sim [CHAINS] [STEPS] [REPEATS]
#include <omp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "valleys/sim/random.hpp"
#include "valleys/sim/simulator.hpp"
#include "valleys/theory/analytic_profiles.hpp"

using namespace valleys;

namespace {

double Seconds(std::chrono::steady_clock::time_point a) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

// Normals per second: the same Philox + Box-Muller the kernel uses, written to a buffer.
double RawNormalRate(long long chains, long long steps, int threads) {
  omp_set_num_threads(threads);
  const int block = 256;
  const long long blocks = (chains + block - 1) / block;
  double sink = 0;
  const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel reduction(+ : sink)
  {
    alignas(64) float out[4][256];
#pragma omp for schedule(static)
    for (long long b = 0; b < blocks; ++b) {
      for (long long s = 0; s < steps; s += 4) {
#pragma omp simd
        for (int c = 0; c < block; ++c) {
          const sim::Philox4 r = sim::PhiloxDrawWords(1, 0, static_cast<std::uint32_t>(s >> 2), 0,
                                                      static_cast<std::uint32_t>(b * block + c), 0);
          const sim::Normals4 z = sim::Normals(r.v[0], r.v[1], r.v[2], r.v[3]);
          out[0][c] = z.z0;
          out[1][c] = z.z1;
          out[2][c] = z.z2;
          out[3][c] = z.z3;
        }
        sink += out[0][s % block] + out[3][(s + 7) % block];
      }
    }
  }
  const double dt = Seconds(t0);
  if (sink == 12345.678) std::puts("");  // keep the work
  return static_cast<double>(blocks * block) * static_cast<double>(steps) / dt;
}

double SimRate(long long chains, long long steps, int threads) {
  omp_set_num_threads(threads);
  sim::SimOptions o;
  o.profile = std::make_shared<theory::QuadraticProfile>(theory::QuadraticOptions{1, 9});
  o.lr.eta = 0.05;
  o.chains = chains;
  o.steps = steps;
  const auto t0 = std::chrono::steady_clock::now();
  const sim::SimSummary s = sim::Simulate(o);
  const double dt = Seconds(t0);
  if (s.diverged != 0) std::fprintf(stderr, "unexpected divergence\n");
  return static_cast<double>(chains) * static_cast<double>(steps) / dt;
}

template <typename F>
double Best(int repeats, F f) {
  double best = 0;
  for (int i = 0; i < repeats; ++i) best = std::max(best, f());
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const long long chains = argc > 1 ? std::atoll(argv[1]) : 10000;
  const long long steps = argc > 2 ? std::atoll(argv[2]) : 20000;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 3;
  const double sim1 = Best(repeats, [&] { return SimRate(chains, steps, 1); });
  const double sim2 = Best(repeats, [&] { return SimRate(chains, steps, 2); });
  const double raw1 = Best(repeats, [&] { return RawNormalRate(chains, steps, 1); });
  const double raw2 = Best(repeats, [&] { return RawNormalRate(chains, steps, 2); });
  std::printf(
      "{\"chains\": %lld, \"steps\": %lld, \"sim_1thread\": %.4g, \"sim_2threads\": %.4g, "
      "\"raw_normals_1thread\": %.4g, \"raw_normals_2threads\": %.4g}\n",
      chains, steps, sim1, sim2, raw1, raw2);
  return 0;
}
