// Progress and stopping for the CPU loops of the simulator: every chain (or block of chains)
// reports its chain-steps about every kPollSteps steps; the reporting thread, when no other is
// inside the callbacks, calls RunControl::progress with the fraction done and
// RunControl::should_stop, and a stop is seen by every thread at its next report. Any thread of
// the run may be the one (a single chain can run on a worker while the calling thread waits), so
// the callbacks run one at a time but not always on the calling thread.
#pragma once

#include <atomic>
#include <mutex>

#include "valleys/sim/simulator.hpp"

namespace valleys::sim::detail {

inline constexpr long long kPollSteps = 1LL << 14;  // steps of one chain between reports

class WorkPoll {
 public:
  WorkPoll(const RunControl& control, double total_chain_steps)
      : control_(control), total_(total_chain_steps > 0 ? total_chain_steps : 1) {}

  // Adds `chain_steps` done; on the calling thread, reports progress and asks whether to stop.
  void Report(long long chain_steps) {
    const long long done = done_.fetch_add(chain_steps, std::memory_order_relaxed) + chain_steps;
    if (!control_.progress && !control_.should_stop) return;
    std::unique_lock<std::mutex> lock(callbacks_, std::try_to_lock);
    if (!lock.owns_lock()) return;  // another thread is reporting; this count is in its next
    if (done > shown_) {
      shown_ = done;
      if (control_.progress) control_.progress(static_cast<double>(done) / total_);
    }
    if (control_.should_stop && control_.should_stop())
      stop_.store(true, std::memory_order_relaxed);
  }
  bool Stopped() const { return stop_.load(std::memory_order_relaxed); }

 private:
  const RunControl& control_;
  double total_;
  std::atomic<long long> done_{0};
  std::atomic<bool> stop_{false};
  std::mutex callbacks_;
  long long shown_ = 0;  // the largest count given to progress (counts arrive out of order)
};

}  // namespace valleys::sim::detail
