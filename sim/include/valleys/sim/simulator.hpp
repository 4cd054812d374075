// Runs N independent SGD chains and returns their statistics. No printing; progress through an
// optional callback (called from the calling thread with the number of chain-steps done).
#pragma once

#include <functional>
#include <stdexcept>

#include "valleys/sim/options.hpp"
#include "valleys/sim/summary.hpp"

namespace valleys::sim {

enum class Backend { kCpu, kCuda };

struct RunControl {
  Backend backend = Backend::kCpu;
  // Both may be empty. On the CPU they are called about every 2^14 steps of each chain, one call
  // at a time but from any of the run's threads: progress with the fraction of chain-steps done
  // (never decreasing), should_stop to ask whether to end the run early (Simulate then throws
  // Stopped). The CUDA backend calls neither.
  std::function<void(double done_fraction)> progress;
  std::function<bool()> should_stop;
  bool keep_last_values = false;  // fill SimSummary::last_values (1-D, additive noise only)
};

// Thrown by Simulate when RunControl::should_stop returned true: no result exists.
class Stopped : public std::runtime_error {
 public:
  Stopped() : std::runtime_error("sim: stopped before the end (RunControl::should_stop)") {}
};

// The run's expected wall time (seconds) on this machine and thread count: a pilot of the same
// options on at most 512 chains and 4096 steps is timed (a few milliseconds) and its rate in
// chain-steps per second scaled to chains x (burnin + steps). Throws as Simulate.
double EstimateSeconds(const SimOptions& options, Backend backend = Backend::kCpu);

// Memory the run's per-chain results take (bytes), known before anything is allocated.
double ResultBytes(const SimOptions& options);

// Throws std::invalid_argument when options are invalid, or when ResultBytes exceeds this
// machine's physical memory (the message gives both and the largest `chains` that fits);
// std::runtime_error when the CUDA backend is asked for but not built or no device is present.
SimSummary Simulate(const SimOptions& options, const RunControl& control = {});

bool CudaAvailable();  // built with CUDA and a device is present

// Minibatch model helpers (exposed for tests): the shared synthetic data set and its empirical
// minimizer argmin (1/n) sum phi(x - z_i).
std::vector<double> SyntheticData(const SimOptions& options);
double EmpiricalMinimizer(const theory::Profile& profile, const std::vector<double>& data);

}  // namespace valleys::sim
