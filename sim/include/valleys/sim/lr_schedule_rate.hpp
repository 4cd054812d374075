// The learning-rate schedule's one formula, shared by LrSchedule::At on the host and the CPU and
// CUDA kernels (VALLEYS_HD), so that every backend steps with the same rates.
#pragma once

#include <cmath>

#include "valleys/sim/random.hpp"

namespace valleys::sim {

// The schedule kinds; the values are what the kernels receive.
enum class LrKind : int { kConstant = 0, kCyclic = 1, kLinear = 2, kCosine = 3 };

// eta_t for t >= 1 (1-based over the whole run). cyclic: from eta down to eta_end over each
// `period` steps; linear and cosine: from eta to eta_end over the first `period` steps, then
// eta_end.
VALLEYS_HD double ScheduledRate(LrKind kind, double eta, double eta_end, long long period,
                                long long t) {
  switch (kind) {
    case LrKind::kCyclic: {
      const double phase = static_cast<double>((t - 1) % period) / static_cast<double>(period);
      return eta + (eta_end - eta) * phase;
    }
    case LrKind::kLinear: {
      double f = static_cast<double>(t - 1) / static_cast<double>(period > 1 ? period - 1 : 1);
      f = f < 1.0 ? f : 1.0;
      return eta + (eta_end - eta) * f;
    }
    case LrKind::kCosine: {
      double f = static_cast<double>(t - 1) / static_cast<double>(period > 1 ? period - 1 : 1);
      f = f < 1.0 ? f : 1.0;
      return eta_end + 0.5 * (eta - eta_end) * (1.0 + cos(3.141592653589793 * f));
    }
    case LrKind::kConstant:
      break;
  }
  return eta;
}

}  // namespace valleys::sim
