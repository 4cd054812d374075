// The statistics behind a verdict over directions: how many of them are effectively independent,
// and 95% intervals for a count (Clopper-Pearson) and for a median (bootstrap).
#pragma once

#include <cstdint>
#include <vector>

namespace valleys::realnets {

struct Interval {
  double lo = 0, hi = 0;
};

// The exact (Clopper-Pearson) interval for a binomial proportion: k successes of n, at `level`
// (two-sided): [B(a/2; k, n - k + 1), B(1 - a/2; k + 1, n - k)] with B the beta quantile and
// a = 1 - level; lo = 0 when k = 0, hi = 1 when k = n. n may be fractional (an effective count),
// k is then scaled with it. Throws std::invalid_argument unless 0 <= k <= n, n > 0, level in (0,
// 1).
Interval ClopperPearson(double k, double n, double level = 0.95);

// The effective number of independent directions among m unit vectors with Gram matrix G
// (row-major m x m, G_ii = 1): the participation ratio of its eigenvalues,
// n_eff = (sum lambda)^2 / sum lambda^2 = m^2 / sum_ij G_ij^2. It is m for orthogonal directions
// and 1 for identical ones; for m directions of common pairwise cosine c it is
// m / (1 + (m - 1) c^2). Throws std::invalid_argument unless G is square with a unit diagonal.
double EffectiveCount(const std::vector<double>& gram, int m);

// A percentile bootstrap interval for the median of `values`: `resamples` resamples with
// replacement from a generator seeded with `seed` (boost::random::mt19937_64: the same draws on
// every platform), the (1 - level)/2 and (1 + level)/2 quantiles of their medians. Throws
// std::invalid_argument on no values.
Interval BootstrapMedian(const std::vector<double>& values, std::uint64_t seed,
                         int resamples = 2000, double level = 0.95);

}  // namespace valleys::realnets
