// The result objects of `valleys theory risk|sgd` (the JSON contract of docs/cli.md), computed by
// the theory library.
#pragma once

#include <optional>
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

}  // namespace valleys::io
