// Counter-based random numbers (Random123 Philox4x32-10), identical on CPU and CUDA.
//
// Stream layout: key = seed (64 bits); counter = {block, block >> 32, chain, purpose}. One call
// yields 4 uniforms, i.e. 4 noise values of one chain (steps 4b .. 4b+3), so a chain's path depends
// on (seed, chain) only, never on threads, block sizes or the device. Supported range: chains <
// 2^32, steps < 2^66, purposes < 2^32: counters never wrap (docs/simulator.md).
#pragma once

#include <cstdint>

#include <Random123/philox.h>

#ifdef __CUDACC__
#define VALLEYS_HD __host__ __device__ __forceinline__
#define VALLEYS_SQRTF(x) sqrtf(x)
#else
#include <cmath>
#define VALLEYS_HD inline __attribute__((always_inline))
#define VALLEYS_SQRTF(x) std::sqrt(static_cast<float>(x))
#endif

namespace valleys::sim {

// Purposes (the 4th counter word): independent streams for the same (seed, chain).
enum Purpose : std::uint32_t {
  kNoisePurpose = 0,  // gradient noise, one per direction d: kNoisePurpose + 16 * d
  kShiftPurpose = 1,  // test-shift draws for risk estimates
  kStartPurpose = 2,  // random start points
  kBatchPurpose = 3,  // minibatch indices, per direction: + 16 * d
  kDataPurpose = 4,   // synthetic data sets (chain word = data set id)
};

struct Philox4 {
  std::uint32_t v[4];
};

// The same draw from 32-bit words (lets vectorizers keep everything in 32-bit lanes).
VALLEYS_HD Philox4 PhiloxDrawWords(std::uint32_t key0, std::uint32_t key1, std::uint32_t block0,
                                   std::uint32_t block1, std::uint32_t chain,
                                   std::uint32_t purpose) {
  r123::Philox4x32 rng;
  r123::Philox4x32::ctr_type ctr = {{block0, block1, chain, purpose}};
  r123::Philox4x32::key_type key = {{key0, key1}};
  const r123::Philox4x32::ctr_type r = rng(ctr, key);
  return {{r.v[0], r.v[1], r.v[2], r.v[3]}};
}

VALLEYS_HD Philox4 PhiloxDraw(std::uint64_t seed, std::uint64_t block, std::uint32_t chain,
                              std::uint32_t purpose) {
  return PhiloxDrawWords(static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         static_cast<std::uint32_t>(block), static_cast<std::uint32_t>(block >> 32),
                         chain, purpose);
}

// Uniform in (0, 1) with 24 random bits: (k + 0.5) / 2^24; never 0 or 1.
VALLEYS_HD float UniformOpen(std::uint32_t bits) {
  return (static_cast<float>(bits >> 8) + 0.5f) * (1.0f / 16777216.0f);
}

// Uniform in [0, 1) with 53 random bits from two words.
VALLEYS_HD double UniformDouble(std::uint32_t hi, std::uint32_t lo) {
  const std::uint64_t k = (static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11);
  return static_cast<double>(k & ((1ULL << 53) - 1)) * (1.0 / 9007199254740992.0);
}

// ln(x) for x in (0, 1], branch-free (vectorizes): x = m 2^e with m in [sqrt(1/2), sqrt(2)),
// Cephes logf polynomial; max relative error ~1e-7.
VALLEYS_HD float LogUnit(float x) {
  union {
    float f;
    std::int32_t i;
  } u = {x};
  std::int32_t e = ((u.i >> 23) & 0xff) - 126;  // x = m * 2^e, m in [0.5, 1)
  u.i = (u.i & 0x007fffff) | 0x3f000000;
  float m = u.f;
  const bool small = m < 0.70710678f;
  e -= small ? 1 : 0;
  m = small ? m + m - 1.0f : m - 1.0f;
  const float z = m * m;
  float p = 7.0376836292e-2f;
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  float y = p * m * z;
  const float fe = static_cast<float>(e);
  y += -2.12194440e-4f * fe;
  y += -0.5f * z;
  return m + y + 0.693359375f * fe;
}

// sin and cos of 2*pi*t for t in [0, 1), branch-free. The reduction in turns is exact in float:
// q = quadrant, r = angle in [-pi/4, pi/4]; Cephes sinf/cosf polynomials (max abs error ~1e-7).
struct SinCos {
  float s, c;
};

VALLEYS_HD SinCos SinCosTurns(float t) {
  const float t4 = t * 4.0f;
  const float qf = static_cast<float>(static_cast<int>(t4 + 0.5f));  // nearest quadrant 0..4
  const int q = static_cast<int>(qf) & 3;
  const float r = (t4 - qf) * 1.5707963267948966f;  // in [-pi/4, pi/4]
  const float z = r * r;
  const float sr = ((-1.9515295891e-4f * z + 8.3321608736e-3f) * z - 1.6666654611e-1f) * z * r + r;
  const float cr =
      ((2.443315711809948e-5f * z - 1.388731625493765e-3f) * z + 4.166664568298827e-2f) * z * z -
      0.5f * z + 1.0f;
  // rotate by q quarter turns
  const float s1 = (q == 0) ? sr : (q == 1) ? cr : (q == 2) ? -sr : -cr;
  const float c1 = (q == 0) ? cr : (q == 1) ? -sr : (q == 2) ? -cr : sr;
  return {s1, c1};
}

// Four standard normals from one Philox draw (Box-Muller on 24-bit uniforms; |z| <= 5.9, the
// truncated mass P(|Z| > 5.9) ~ 4e-9 is below any Monte Carlo error this project resolves).
struct Normals4 {
  float z0, z1, z2, z3;
};

VALLEYS_HD Normals4 Normals(std::uint32_t w0, std::uint32_t w1, std::uint32_t w2,
                            std::uint32_t w3) {
  const float r0 = VALLEYS_SQRTF(-2.0f * LogUnit(UniformOpen(w0)));
  const float r1 = VALLEYS_SQRTF(-2.0f * LogUnit(UniformOpen(w2)));
  const SinCos a = SinCosTurns(UniformOpen(w1) - 0.5f / 16777216.0f);
  const SinCos b = SinCosTurns(UniformOpen(w3) - 0.5f / 16777216.0f);
  return {r0 * a.c, r0 * a.s, r1 * b.c, r1 * b.s};
}

VALLEYS_HD void NormalsFrom(const Philox4& r, float out[4]) {
  const Normals4 z = Normals(r.v[0], r.v[1], r.v[2], r.v[3]);
  out[0] = z.z0;
  out[1] = z.z1;
  out[2] = z.z2;
  out[3] = z.z3;
}

}  // namespace valleys::sim
