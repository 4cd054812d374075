// Runs N independent SGD chains and returns their statistics. No printing; progress through an
// optional callback (called from the calling thread with the number of chain-steps done).
#pragma once

#include <functional>

#include "valleys/sim/options.hpp"
#include "valleys/sim/summary.hpp"

namespace valleys::sim {

enum class Backend { kCpu, kCuda };

struct RunControl {
  Backend backend = Backend::kCpu;
  std::function<void(double done_fraction)> progress;  // may be empty
  bool keep_last_values = false;  // fill SimSummary::last_values (1-D, additive noise only)
};

// Throws std::invalid_argument when options are invalid, std::runtime_error when the CUDA backend
// is asked for but not built or no device is present.
SimSummary Simulate(const SimOptions& options, const RunControl& control = {});

bool CudaAvailable();  // built with CUDA and a device is present

// Minibatch model helpers (exposed for tests): the shared synthetic data set and its empirical
// minimizer argmin (1/n) sum phi(x - z_i).
std::vector<double> SyntheticData(const SimOptions& options);
double EmpiricalMinimizer(const theory::Profile& profile, const std::vector<double>& data);

}  // namespace valleys::sim
