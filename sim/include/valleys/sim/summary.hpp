// What a simulation reports: every statistic with its standard error over chains.
#pragma once

#include <string>
#include <vector>

namespace valleys::sim {

struct Stat {
  double value = 0.0;
  double se = 0.0;  // standard error of the mean over the non-diverged chains
};

struct SimSummary {
  long long chains = 0;
  long long diverged = 0;  // chains excluded: non-finite or beyond the divergence bound
  std::vector<long long> diverged_chains;  // their indices (first 100)

  // 1-D quantities are along the valley's direction; for d > 1 they refer to direction 0 of the
  // basis, and the per_direction vectors hold every direction.
  Stat mean_last;  // E[x_T], the last iterate
  Stat mean_avg;   // E[w_bar], the SWA average
  Stat p_flat;     // fraction of recorded steps on the flat side (x > 0 when none is flat)
  Stat mean_pos;   // time average of x^+
  Stat mean_neg;   // time average of x^-
  std::vector<Stat> mean_avg_per_direction;
  std::vector<Stat> p_flat_per_direction;

  // Test risk under the evaluation shift (NaN when none was given).
  Stat risk_avg, risk_last, risk_min;
  Stat beats_min_frac;  // fraction of chains with R(w_bar) < R(w_hat)
  double w_hat = 0.0;   // the (empirical) minimizer: 0, or the minibatch training minimizer
  double train_loss_at_w_hat = 0.0;

  std::vector<double> last_values;  // per non-diverged chain, when RunControl::keep_last_values

  double seconds = 0.0;
  double chain_steps_per_s = 0.0;
  std::string backend;  // "cpu" | "cuda"
  int threads = 1;
};

// Mean and standard error of `values` (sample sd / sqrt(n)); NaN for empty input.
Stat MeanAndError(const std::vector<double>& values);

}  // namespace valleys::sim
