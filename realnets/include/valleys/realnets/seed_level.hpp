// Verdict statistics whose sampling unit is the network (its seed), not the direction.
//
// The directions probed on one network share that network: their outcomes are correlated (the
// uniform01 profiles of one network are nearly identical), so counting them as independent
// understates every interval. Here each seed's directions are reduced to one value (their median),
// and the seeds' values are the sample: a random-intercept model y_sj = mu + a_s + e_sj whose
// mean, for equal directions per seed, is estimated without bias by the mean of the seed values,
// with a Student t interval on (seeds - 1) degrees of freedom. The within-seed correlation (ICC)
// and the design effect are reported beside it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "valleys/realnets/intervals.hpp"

namespace valleys::realnets {

// Outcomes grouped by network: by_seed[s] holds the values of seed s's directions.
using BySeed = std::vector<std::vector<double>>;

struct SeedLevelTest {
  int seeds = 0;                    // networks with at least one value
  int observations = 0;             // values over all seeds (n)
  std::vector<double> seed_values;  // each seed's median
  double mean = 0;                  // of seed_values: the estimate
  double standard_error = 0;        // sd(seed_values) / sqrt(seeds); NaN for one seed
  int degrees_of_freedom = 0;       // seeds - 1
  double threshold = 0;             // theta of the two one-sided hypotheses
  double p_above = 0;        // one-sided p of H0: mu <= theta (small: mu > theta); NaN for one seed
  double p_below = 0;        // one-sided p of H0: mu >= theta (small: mu < theta); NaN for one seed
  double icc = 0;            // one-way ANOVA intraclass correlation, clamped to [0, 1]
  double design_effect = 1;  // 1 + (m0 - 1) icc, m0 the mean directions per seed (ANOVA's)
  double effective_n = 0;    // observations / design_effect
  // The one-sided t bounds of mu at confidence 1 - alpha: mean -/+ t_{1-alpha, df} se.
  double LowerBound(double alpha) const;
  double UpperBound(double alpha) const;
  // "n = 9 over 3 seeds (ICC 0.93, design effect 2.9, effective n 3.1)"
  std::string DescribeSample() const;
};

// The seed-level test of the values' mean against `threshold`. Seeds without values are
// dropped. Throws std::invalid_argument when no seed has a value or a value is not finite.
SeedLevelTest TestSeedLevel(const BySeed& values, double threshold);

// Holm's step-down rejections at family-wise error `alpha` for the p-values (NaN: never
// rejected, but counted in the family).
std::vector<bool> HolmRejects(const std::vector<double>& p_values, double alpha);

// The power of the one-sided seed-level t test at `alpha` with `seeds` networks when the true
// mean lies `delta_over_sd` between-seed standard deviations beyond the threshold (the noncentral
// t with noncentrality delta_over_sd * sqrt(seeds)). Throws std::invalid_argument for seeds < 2
// or alpha outside (0, 1).
double SeedLevelPower(int seeds, double delta_over_sd, double alpha);

// A cluster bootstrap interval for the mean of the seeds' medians: each resample draws seeds with
// replacement, then directions with replacement within each drawn seed (mt19937_64 from `seed`:
// the same draws on every platform); the two-sided percentile interval at `level`. With 3 seeds
// there are only 10 distinct seed draws: the interval is reported beside the t interval, not
// used by a rule.
Interval ClusterBootstrapMean(const BySeed& values, std::uint64_t seed, int resamples = 4000,
                              double level = 0.95);

}  // namespace valleys::realnets
