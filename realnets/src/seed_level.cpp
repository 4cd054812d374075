#include "valleys/realnets/seed_level.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/math/distributions/non_central_t.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "valleys/realnets/verdicts.hpp"

namespace valleys::realnets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double MeanOf(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double TQuantile(int df, double q) {
  return boost::math::quantile(boost::math::students_t_distribution<>(df), q);
}

}  // namespace

double SeedLevelTest::LowerBound(double alpha) const {
  if (degrees_of_freedom < 1) return kNaN;
  return mean - TQuantile(degrees_of_freedom, 1 - alpha) * standard_error;
}

double SeedLevelTest::UpperBound(double alpha) const {
  if (degrees_of_freedom < 1) return kNaN;
  return mean + TQuantile(degrees_of_freedom, 1 - alpha) * standard_error;
}

std::string SeedLevelTest::DescribeSample() const {
  return fmt::format("n = {} over {} seed{} (ICC {:.2f}, design effect {:.2f}, effective n {:.1f})",
                     observations, seeds, seeds == 1 ? "" : "s", icc, design_effect, effective_n);
}

SeedLevelTest TestSeedLevel(const BySeed& values, double threshold) {
  SeedLevelTest t;
  t.threshold = threshold;
  BySeed kept;
  for (const auto& s : values) {
    for (double y : s)
      if (!std::isfinite(y))
        throw std::invalid_argument(
            fmt::format("TestSeedLevel: a value is {} (allowed: finite)", y));
    if (!s.empty()) kept.push_back(s);
  }
  if (kept.empty()) throw std::invalid_argument("TestSeedLevel: no seed has a value");
  t.seeds = static_cast<int>(kept.size());
  for (const auto& s : kept) {
    t.observations += static_cast<int>(s.size());
    t.seed_values.push_back(Median(s));
  }
  t.mean = MeanOf(t.seed_values);
  t.degrees_of_freedom = t.seeds - 1;
  if (t.seeds > 1) {
    double ss = 0;
    for (double v : t.seed_values) ss += (v - t.mean) * (v - t.mean);
    t.standard_error = std::sqrt(ss / (t.seeds - 1) / t.seeds);
    if (t.standard_error > 0) {
      const boost::math::students_t_distribution<> dist(t.degrees_of_freedom);
      const double z = (t.mean - threshold) / t.standard_error;
      t.p_above = boost::math::cdf(boost::math::complement(dist, z));
      t.p_below = boost::math::cdf(dist, z);
    } else {  // identical seeds: certain, unless exactly at the threshold
      t.p_above = t.mean > threshold ? 0.0 : 1.0;
      t.p_below = t.mean < threshold ? 0.0 : 1.0;
    }
  } else {
    t.standard_error = t.p_above = t.p_below = kNaN;
  }
  // One-way ANOVA intraclass correlation (unbalanced form of m0).
  const double n = t.observations;
  const double S = t.seeds;
  double grand = 0, sum_m2 = 0;
  for (const auto& s : kept) {
    grand += std::accumulate(s.begin(), s.end(), 0.0);
    sum_m2 += static_cast<double>(s.size()) * static_cast<double>(s.size());
  }
  grand /= n;
  double ssb = 0, ssw = 0;
  for (const auto& s : kept) {
    const double m = MeanOf(s);
    ssb += static_cast<double>(s.size()) * (m - grand) * (m - grand);
    for (double y : s) ssw += (y - m) * (y - m);
  }
  if (S > 1 && n > S) {
    const double m0 = (n - sum_m2 / n) / (S - 1);
    const double msb = ssb / (S - 1), msw = ssw / (n - S);
    const double denominator = msb + (m0 - 1) * msw;
    t.icc = denominator > 0 ? std::clamp((msb - msw) / denominator, 0.0, 1.0) : 1.0;
    t.design_effect = 1 + (m0 - 1) * t.icc;
  } else if (S == 1 && n > 1) {  // one network: its directions are one unit
    t.icc = 1;
    t.design_effect = n;
  }
  t.effective_n = n / t.design_effect;
  return t;
}

std::vector<bool> HolmRejects(const std::vector<double>& p_values, double alpha) {
  const std::size_t k = p_values.size();
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  auto key = [&](std::size_t i) {
    return std::isnan(p_values[i]) ? std::numeric_limits<double>::infinity() : p_values[i];
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  std::vector<bool> reject(k, false);
  for (std::size_t r = 0; r < k; ++r) {
    const double p = key(order[r]);
    if (!(p <= alpha / static_cast<double>(k - r))) break;  // step-down: stop at the first keep
    reject[order[r]] = true;
  }
  return reject;
}

double SeedLevelPower(int seeds, double delta_over_sd, double alpha) {
  if (seeds < 2 || !(alpha > 0 && alpha < 1) || !std::isfinite(delta_over_sd))
    throw std::invalid_argument(fmt::format(
        "SeedLevelPower: seeds = {}, delta_over_sd = {}, alpha = {} (allowed: seeds >= 2, finite "
        "delta, 0 < alpha < 1)",
        seeds, delta_over_sd, alpha));
  const int df = seeds - 1;
  const double critical = TQuantile(df, 1 - alpha);
  const double ncp = delta_over_sd * std::sqrt(static_cast<double>(seeds));
  if (ncp == 0) return alpha;
  return boost::math::cdf(
      boost::math::complement(boost::math::non_central_t_distribution<>(df, ncp), critical));
}

Interval ClusterBootstrapMean(const BySeed& values, std::uint64_t seed, int resamples,
                              double level) {
  BySeed kept;
  for (const auto& s : values)
    if (!s.empty()) kept.push_back(s);
  if (kept.empty()) throw std::invalid_argument("ClusterBootstrapMean: no seed has a value");
  if (resamples < 10 || !(level > 0 && level < 1))
    throw std::invalid_argument(fmt::format(
        "ClusterBootstrapMean: resamples = {}, level = {} (allowed: >= 10, 0 < level < 1)",
        resamples, level));
  boost::random::mt19937_64 rng(seed);
  boost::random::uniform_int_distribution<std::size_t> pick_seed(0, kept.size() - 1);
  std::vector<double> means;
  means.reserve(static_cast<std::size_t>(resamples));
  std::vector<double> sample;
  for (int b = 0; b < resamples; ++b) {
    double sum = 0;
    for (std::size_t s = 0; s < kept.size(); ++s) {
      const auto& chosen = kept[pick_seed(rng)];
      boost::random::uniform_int_distribution<std::size_t> pick(0, chosen.size() - 1);
      sample.resize(chosen.size());
      for (auto& y : sample) y = chosen[pick(rng)];
      sum += Median(sample);
    }
    means.push_back(sum / static_cast<double>(kept.size()));
  }
  std::sort(means.begin(), means.end());
  auto quantile = [&](double q) {
    const double pos = q * static_cast<double>(means.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const auto hi = std::min(lo + 1, means.size() - 1);
    return means[lo] + (pos - static_cast<double>(lo)) * (means[hi] - means[lo]);
  };
  return {quantile((1 - level) / 2), quantile((1 + level) / 2)};
}

}  // namespace valleys::realnets
