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
  double wd = 0.0;
  std::optional<long long> T;  // transient horizon (1..1e7)
  double x0 = 0.0;
  std::string shift;  // empty: no test risk
  int cells_per_step = theory::SolverOptions{}.cells_per_step;
};
struct SgdOutput {
  nlohmann::ordered_json result;  // SgdResultJson
  nlohmann::ordered_json extra;  // the inputs as metadata (profile, eta, noise, wd, [T, x0, shift])
};
// Checks the spec (InputError naming the field) and solves it.
SgdOutput SolveSgdSpec(const SgdSpec& spec);

}  // namespace valleys::io
