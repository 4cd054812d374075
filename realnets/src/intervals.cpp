#include "valleys/realnets/intervals.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/math/distributions/beta.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "valleys/realnets/verdicts.hpp"

namespace valleys::realnets {

Interval ClopperPearson(double k, double n, double level) {
  if (!(n > 0) || !(k >= 0) || !(k <= n) || !(level > 0 && level < 1))
    throw std::invalid_argument(fmt::format(
        "ClopperPearson: k = {}, n = {}, level = {} (allowed: 0 <= k <= n, n > 0, 0 < level < 1)",
        k, n, level));
  const double a = 1 - level;
  Interval i;
  i.lo =
      k == 0 ? 0.0 : boost::math::quantile(boost::math::beta_distribution<>(k, n - k + 1), a / 2);
  i.hi = k == n ? 1.0
                : boost::math::quantile(boost::math::beta_distribution<>(k + 1, n - k), 1 - a / 2);
  return i;
}

double EffectiveCount(const std::vector<double>& gram, int m) {
  if (m < 1 || gram.size() != static_cast<std::size_t>(m) * static_cast<std::size_t>(m))
    throw std::invalid_argument(fmt::format(
        "EffectiveCount: {} entries for m = {} (allowed: m x m, m >= 1)", gram.size(), m));
  double sum2 = 0;
  for (int i = 0; i < m; ++i) {
    if (std::abs(gram[static_cast<std::size_t>(i * m + i)] - 1) > 1e-6)
      throw std::invalid_argument(
          "EffectiveCount: the Gram matrix's diagonal is not 1 (unit vectors)");
    for (int j = 0; j < m; ++j)
      sum2 += gram[static_cast<std::size_t>(i * m + j)] * gram[static_cast<std::size_t>(i * m + j)];
  }
  return static_cast<double>(m) * m / sum2;
}

Interval BootstrapMedian(const std::vector<double>& values, std::uint64_t seed, int resamples,
                         double level) {
  if (values.empty()) throw std::invalid_argument("BootstrapMedian: no values");
  if (resamples < 10 || !(level > 0 && level < 1))
    throw std::invalid_argument(
        fmt::format("BootstrapMedian: resamples = {}, level = {} (allowed: >= 10, 0 < level < 1)",
                    resamples, level));
  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
  std::vector<double> medians, sample(values.size());
  medians.reserve(static_cast<std::size_t>(resamples));
  for (int b = 0; b < resamples; ++b) {
    for (auto& x : sample) x = values[pick(rng)];
    medians.push_back(Median(sample));
  }
  std::sort(medians.begin(), medians.end());
  auto quantile = [&](double q) {
    const double pos = q * (medians.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, medians.size() - 1);
    return medians[lo] + (pos - lo) * (medians[hi] - medians[lo]);
  };
  return {quantile((1 - level) / 2), quantile((1 + level) / 2)};
}

}  // namespace valleys::realnets
