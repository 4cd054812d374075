// Exact predictions of a simulation's statistics from the discrete-time chain (theory::ExactChain),
// and the z-scores of the simulated values against them.
//
// Predictable runs: a 1-D profile, additive noise (no minibatch model), a constant rate, no
// momentum, s > 0, and a fixed start (0, the minimizer or a value). For those, every statistic the
// simulator reports along the valley is predicted, and so are the standard errors of the SWA
// average and of the flat fraction (from the chain's asymptotic variance, for a stationary window:
// a start out of equilibrium changes them by O(tau / N), tau the relaxation steps, N the window).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "valleys/sim/options.hpp"
#include "valleys/sim/summary.hpp"
#include "valleys/theory/sgd_chain.hpp"

namespace valleys::sim {

// Whether Predict can answer for `options`; otherwise `why` says which condition failed.
bool IsPredictable(const SimOptions& options, std::string* why = nullptr);

struct Prediction {
  // The statistics of the run's windows: mean_avg, mean_last, p_flat, mean_pos, mean_neg, and the
  // standard deviations over chains mean_avg_sd, p_flat_sd (the standard errors of n chains are
  // these / sqrt(n)); with tail and propagated_steps.
  theory::WindowStats window;
  double stationary_mean = 0.0;
  std::optional<double> risk_min, risk_at_mean_avg;  // with an evaluation shift
  std::string method;  // the stationary solver's, e.g. "ulam+richardson"
};

// Keeps the solved chains of recent predictions, so that runs that share a chain (profile, rate,
// noise, weight decay, solver) share its grids and LU factors. Not thread-safe: one per thread.
class ChainCache {
 public:
  explicit ChainCache(std::size_t capacity = 8) : capacity_(capacity) {}
  theory::ExactChain& Get(const theory::ProfilePtr& profile, const theory::ChainOptions& chain);

 private:
  // profile, eta, wd, noise kind, s, momentum, nesterov, noise growth, decay offset
  using Key = std::tuple<std::string, double, double, int, double, double, bool, double, double>;
  struct Entry {
    theory::ProfilePtr profile;  // keeps the profile alive for the chain
    std::unique_ptr<theory::ExactChain> chain;
    long long used = 0;
  };
  std::size_t capacity_;
  long long clock_ = 0;
  std::map<Key, Entry> entries_;
};

// Throws std::invalid_argument when !IsPredictable(options).
Prediction Predict(const SimOptions& options, ChainCache* cache = nullptr);
// Predict when IsPredictable(options), else nothing.
std::optional<Prediction> PredictIfPossible(const SimOptions& options, ChainCache* cache = nullptr);

// (simulated - predicted) / se for each statistic, and for the two standard errors
// (se_sim / se_pred - 1) sqrt(2 (n - 1)) with se_pred = sd / sqrt(n), n the non-diverged chains:
// the z-score of a sample standard deviation of near-normal chain averages. Absent where a side is
// missing or its se is 0.
struct PredictionZ {
  std::optional<double> mean_avg, mean_last, p_flat, mean_pos, mean_neg, mean_avg_se, p_flat_se;
};
PredictionZ Compare(const Prediction& prediction, const SimSummary& summary);

}  // namespace valleys::sim
