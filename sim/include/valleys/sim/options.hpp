// Options of one simulation: N independent SGD chains on a valley (Ceres-style: documented
// defaults, IsValid(std::string*) naming the offending field and its allowed range).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "valleys/sim/lr_schedule_rate.hpp"
#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"
#include "valleys/theory/valley.hpp"

namespace valleys::sim {

// eta_t for t = 1..steps (burn-in steps use eta_min for cyclic, eta otherwise).
struct LrSchedule {
  LrKind kind = LrKind::kConstant;
  double eta = 0.05;     // constant rate; start rate of linear/cosine decay; max of cyclic
  double eta_end = 0.0;  // end rate of linear/cosine decay; min of cyclic
  int period = 100;      // cyclic: steps per cycle (rate falls linearly from eta to eta_end)
  double At(long long t) const;  // t >= 1
  std::string Spec() const;
};

enum class StartKind { kZero, kMinimizer, kValue, kDrawn };

struct Start {
  StartKind kind = StartKind::kZero;
  double value = 0.0;  // kValue: the start; kDrawn: sigma of N(0, sigma^2) per chain
};

// Minibatch noise from a finite synthetic data set: n samples z_i from `data_law`, per-sample loss
// phi(x - z_i), batch size B. The training loss is (1/n) sum phi(x - z_i); its minimizer w_hat is
// found numerically; the population risk is E_z phi(x - z) = R(x) of the theory (same law).
struct Minibatch {
  int data_size = 0;  // n; 0 disables the minibatch model (additive noise is used)
  int batch = 1;      // B, 1 <= B <= n
  bool replacement = true;
  std::uint64_t data_seed = 1;  // the data set is shared by all chains
};

struct SimOptions {
  // The valley: a 1-D profile (dim == 1) or a d-dimensional valley.
  theory::ProfilePtr profile;                   // used when valley is empty
  std::optional<theory::ValleyOptions> valley;  // d >= 1 directions, rotation, coupling

  LrSchedule lr;
  double momentum = 0.0;      // heavy ball mu in [0, 1): v = mu v + g, x -= eta v
  bool nesterov = false;      // x -= eta (g + mu v) instead (PyTorch's nesterov); needs mu > 0
  double weight_decay = 0.0;  // lambda >= 0: g += lambda (x + decay_offset)
  double decay_offset = 0.0;  // c of the decay term (1-D profiles only)
  // The noise's scale at x is s (1 + noise_growth |x|) (1-D profiles only, >= 0).
  double noise_growth = 0.0;
  theory::LawKind noise = theory::LawKind::kGaussian;
  double noise_std = 1.0;                       // s >= 0 (0: plain gradient descent)
  std::vector<double> noise_std_per_direction;  // optional, d values (rotated basis); overrides s
  Minibatch minibatch;

  long long chains = 1000;  // N >= 1
  long long steps = 10000;  // averaged/recorded steps after burn-in, >= 1
  long long burnin = 0;     // steps run first and not recorded
  long long avg_start = 1;  // first recorded step included in the average (1-based)
  long long avg_every = 1;  // include every K-th step from avg_start
  Start start;
  std::uint64_t seed = 1;

  std::optional<theory::SymmetricLaw> eval_shift;  // test-risk statistics need a shift law
  double divergence_bound = 1e8;  // |x| beyond this (or non-finite) marks a chain diverged

  bool IsValid(std::string* why) const;
  int Dim() const;
  std::string Describe() const;  // one-line summary for metadata
};

}  // namespace valleys::sim
