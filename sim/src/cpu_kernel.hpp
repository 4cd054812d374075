// CPU kernel: a block of chains advanced together, structure of arrays, the chain loop vectorized
// (#pragma omp simd). Same arithmetic as detail::RunChain, so results equal the scalar path.
#pragma once

#include <cmath>
#include <cstdint>

#include "chain_step.hpp"
#include "work_poll.hpp"

namespace valleys::sim::detail {

constexpr int kBlock = 256;

template <typename Grad>
void RunBlock(const KernelParams& p, const Grad& grad, std::uint32_t chain0, int n,
              const double* x0, ChainOut* out, WorkPoll& poll) {
  alignas(64) double x[kBlock], v[kBlock], avg[kBlock], pos[kBlock], neg[kBlock], flat[kBlock];
  alignas(64) int bad[kBlock];
  alignas(64) float noise[4][kBlock];
  alignas(64) std::uint32_t words[4][kBlock];
  for (int c = 0; c < n; ++c) {
    x[c] = x0[c];
    v[c] = avg[c] = pos[c] = neg[c] = flat[c] = 0.0;
    bad[c] = 0;
  }
  const long long total = p.burnin + p.steps;
  const bool momentum = p.momentum != 0.0;
  // Nesterov, state-dependent noise or an offset decay: the general step (same numbers as the
  // two below when none is asked for).
  const bool general = p.nesterov != 0 || p.noise_growth != 0.0 || p.decay_offset != 0.0;
  long long reported = 0;
  for (long long base = 0; base < total; base += 4) {
    if (base - reported >= kPollSteps) {
      poll.Report((base - reported) * n);
      reported = base;
      if (poll.Stopped()) return;
    }
    const std::uint64_t block = static_cast<std::uint64_t>(base >> 2);
    const auto key0 = static_cast<std::uint32_t>(p.seed),
               key1 = static_cast<std::uint32_t>(p.seed >> 32);
    const auto block0 = static_cast<std::uint32_t>(block),
               block1 = static_cast<std::uint32_t>(block >> 32);
    if (p.noise_kind == 0) {
      // Two passes so both vectorize: raw Philox words, then Box-Muller.
#pragma omp simd
      for (int c = 0; c < n; ++c) {
        const Philox4 r = PhiloxDrawWords(key0, key1, block0, block1,
                                          chain0 + static_cast<std::uint32_t>(c), kNoisePurpose);
        words[0][c] = r.v[0];
        words[1][c] = r.v[1];
        words[2][c] = r.v[2];
        words[3][c] = r.v[3];
      }
#pragma omp simd
      for (int c = 0; c < n; ++c) {
        const Normals4 z = Normals(words[0][c], words[1][c], words[2][c], words[3][c]);
        noise[0][c] = z.z0;
        noise[1][c] = z.z1;
        noise[2][c] = z.z2;
        noise[3][c] = z.z3;
      }
    } else {
      for (int c = 0; c < n; ++c) {
        float z[4];
        UnitNoise4(p.noise_kind,
                   PhiloxDrawWords(key0, key1, block0, block1,
                                   chain0 + static_cast<std::uint32_t>(c), kNoisePurpose),
                   z);
        for (int k = 0; k < 4; ++k) noise[k][c] = z[k];
      }
    }
    const int kmax = total - base < 4 ? static_cast<int>(total - base) : 4;
    for (int k = 0; k < kmax; ++k) {
      const long long t = base + k + 1;
      const double eta = LrAt(p, t);
      const long long s = t - p.burnin;
      const bool record = s >= 1;
      const bool average = record && s >= p.avg_start && (s - p.avg_start) % p.avg_every == 0;
      const float* nz = noise[k];
      if (general) {
#pragma omp simd
        for (int c = 0; c < n; ++c) {
          const double g =
              grad(x[c]) + p.weight_decay * (x[c] + p.decay_offset) +
              p.noise_scale * (1.0 + p.noise_growth * std::fabs(x[c])) * static_cast<double>(nz[c]);
          v[c] = p.momentum * v[c] + g;
          x[c] = p.nesterov ? x[c] - eta * (g + p.momentum * v[c]) : x[c] - eta * v[c];
        }
      } else if (momentum) {
#pragma omp simd
        for (int c = 0; c < n; ++c) {
          const double g =
              grad(x[c]) + p.weight_decay * x[c] + p.noise_scale * static_cast<double>(nz[c]);
          v[c] = p.momentum * v[c] + g;
          x[c] = x[c] - eta * v[c];
        }
      } else {
#pragma omp simd
        for (int c = 0; c < n; ++c) {
          const double g =
              grad(x[c]) + p.weight_decay * x[c] + p.noise_scale * static_cast<double>(nz[c]);
          v[c] = 0.0 * v[c] + g;
          x[c] = x[c] - eta * v[c];
        }
      }
      if (record) {
#pragma omp simd
        for (int c = 0; c < n; ++c) {
          const double xc = x[c];
          pos[c] += xc > 0 ? xc : 0.0;
          neg[c] += xc < 0 ? -xc : 0.0;
          flat[c] += p.flat_sign * xc > 0 ? 1.0 : 0.0;
          bad[c] |= !(std::fabs(xc) <= p.bound);
        }
        if (average) {
#pragma omp simd
          for (int c = 0; c < n; ++c) avg[c] += x[c];
        }
      } else {
#pragma omp simd
        for (int c = 0; c < n; ++c) bad[c] |= !(std::fabs(x[c]) <= p.bound);
      }
    }
  }
  poll.Report((total - reported) * n);
  const double count = static_cast<double>(AveragedCount(p));
  for (int c = 0; c < n; ++c) out[c] = {x[c], avg[c] / count, pos[c], neg[c], flat[c], bad[c]};
}

}  // namespace valleys::sim::detail
