// The result objects of `valleys theory risk|sgd` (the JSON contract of docs/cli.md), computed by
// the theory library.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/sgd_chain.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::io {

// R0, zeta_star, R_star, window_lo, window_hi, method, [R_at_bias], plus diagnostics. Throws
// InputError for a bias that is not finite, std::runtime_error when R(0) or R(zeta*) overflows.
nlohmann::ordered_json RiskResultJson(const theory::Profile& profile,
                                      const theory::SymmetricLaw& shift,
                                      const std::vector<double>& biases);

struct SgdRequest {
  theory::ChainOptions chain;
  theory::SolverOptions solver;
  std::optional<int> T;                       // transient horizon
  double x0 = 0.0;                            // transient start
  std::optional<theory::SymmetricLaw> shift;  // adds the test risk of the stationary mean
};

// mean, p_flat, mean_pos, mean_neg, mean_sde, p_flat_sde, method, [mean_avg_T, mean_t], ...
nlohmann::ordered_json SgdResultJson(const theory::Profile& profile, const SgdRequest& request);

// `valleys theory sgd` as its user writes it (spec strings and numbers). Messages name the fields
// ("SgdSpec::T = 0 is out of range ..."); the command line maps them to its flags.
struct SgdSpec {
  std::string profile;
  double eta = 0.0;
  std::string noise = "gaussian:s=1";
  std::string noise_sd_table;  // CSV with columns x and sd: the noise's sd(x); empty: none
  double wd = 0.0;
  double wd_offset = 0.0;  // c of the decay term wd (x + c)
  double momentum = 0.0;
  bool nesterov = false;
  int momentum_cells_per_step = theory::SolverOptions{}.momentum_cells_per_step;
  std::optional<long long> T;  // transient horizon (1..1e7)
  double x0 = 0.0;
  std::string shift;  // empty: no test risk
  int cells_per_step = theory::SolverOptions{}.cells_per_step;
};
// A solved spec: the result and the inputs as metadata.
struct SpecOutput {
  nlohmann::ordered_json result;
  nlohmann::ordered_json extra;
};
// Checks the spec (InputError naming the field) and solves it: SgdResultJson, and profile, eta,
// noise, wd, momentum, [noise_sd_table, wd_offset, nesterov, T, x0, shift].
SpecOutput SolveSgdSpec(const SgdSpec& spec);

// `valleys theory risk` as its user writes it: the profile and shift specs and the biases at
// which R is also evaluated.
struct RiskSpec {
  std::string profile, shift;
  std::vector<double> biases;
};
// Checks the specs (InputError naming RiskSpec::profile or ::shift) and solves them:
// RiskResultJson, and the profile and shift as metadata.
SpecOutput SolveRiskSpec(const RiskSpec& spec);

}  // namespace valleys::io
