#include "valleys/io/theory_result_json.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/io/factories.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/io/table_csv.hpp"
#include "valleys/theory/bias.hpp"
#include "valleys/theory/risk.hpp"

namespace valleys::io {

using Json = nlohmann::ordered_json;

Json RiskResultJson(const theory::Profile& profile, const theory::SymmetricLaw& shift,
                    const std::vector<double>& biases) {
  const theory::BiasSummary b = theory::AnalyzeBias(profile, shift);
  if (!std::isfinite(b.r0) || !std::isfinite(b.r_star))
    throw std::runtime_error(
        fmt::format("theory risk: R(0) = {} and R(zeta*) = {} at zeta* = {} are not both finite "
                    "for {} under {} "
                    "(the profile overflows or underflows there)",
                    b.r0, b.r_star, b.zeta_star, profile.Spec(), shift.Spec()));
  Json out;
  out["R0"] = b.r0;
  out["zeta_star"] = b.zeta_star;
  out["R_star"] = b.r_star;
  out["window_lo"] = b.window_lo;
  out["window_hi"] = b.window_hi;
  out["window_closed"] = b.window_closed;
  out["method"] = theory::RiskMethodName(b.method);
  out["zeta_star_method"] = b.zeta_star_closed_form ? "closed-form" : "brent";
  out["flat_side"] = theory::SideName(profile.FlatSide());
  if (b.equal_height_residual) out["equal_height_residual"] = *b.equal_height_residual;
  const theory::SlopeTest slope = theory::SlopeConditionTest(profile, shift);
  out["dR_at_0"] = slope.r_prime_at_0;
  out["slope_condition"] = slope.flat_slope_dominated;
  out["converged"] = b.converged;
  if (!biases.empty()) {
    Json rows = Json::array();
    for (double z : biases) {
      if (!std::isfinite(z))
        throw InputError(
            fmt::format("bias = {} is not a finite number (allowed: a finite bias)", z));
      const theory::RiskValue r = theory::Risk(profile, shift, z);
      rows.push_back({{"bias", z}, {"R", r.value}});
    }
    out["R_at_bias"] = rows;
  }
  return out;
}

Json SgdResultJson(const theory::Profile& profile, const SgdRequest& request) {
  theory::ExactChain exact(profile, request.chain, request.solver);
  const theory::StationaryStats st = exact.Stationary();
  const theory::SdeStats sde = theory::SdeStationary(profile, request.chain);
  Json out;
  out["mean"] = st.mean;
  out["p_flat"] = st.p_flat;
  out["mean_pos"] = st.mean_pos;
  out["mean_neg"] = st.mean_neg;
  out["mean_sde"] = sde.mean;
  out["p_flat_sde"] = sde.p_flat;
  out["method"] = st.method;
  out["mean_error"] = st.mean_error;
  out["flat_side"] = theory::SideName(profile.FlatSide());
  out["mean_slope"] = st.mean_slope;
  out["grid_cells"] = st.cells;
  out["grid_lo"] = st.lo;
  out["grid_hi"] = st.hi;
  const theory::VarianceStats v = exact.Variance();
  out["var_x"] = v.var_x;
  out["avar_x"] = v.avar_x;
  out["tau_x"] = v.tau_x;
  out["var_flat"] = v.var_flat;
  out["avar_flat"] = v.avar_flat;
  out["tau_flat"] = v.tau_flat;
  if (request.shift) {
    out["risk_mean"] = theory::Risk(profile, *request.shift, st.mean).value;
    out["risk_min"] = theory::Risk(profile, *request.shift, 0.0).value;
  }
  if (request.T) {
    const theory::TransientStats tr = exact.Transient(request.x0, *request.T);
    out["mean_avg_T"] = tr.mean_avg_T;
    out["propagated_steps"] = tr.propagated_steps;
    out["truncation_bound"] = tr.truncation_bound;
    out["mean_t"] = tr.mean_t;
  }
  return out;
}

SpecOutput SolveSgdSpec(const SgdSpec& spec) {
  const auto profile = MakeProfile(spec.profile, "SgdSpec::profile");
  const NoiseSpec noise = MakeNoise(spec.noise, "SgdSpec::noise");
  SgdRequest request;
  request.chain.eta = spec.eta;
  request.chain.weight_decay = spec.wd;
  request.chain.decay_offset = spec.wd_offset;
  request.chain.momentum = spec.momentum;
  request.chain.nesterov = spec.nesterov;
  request.chain.noise = noise.kind;
  request.chain.noise_std = noise.s;
  request.chain.noise_growth = noise.c;
  if (!spec.noise_sd_table.empty()) {
    if (noise.c > 0)
      throw InputError(
          "SgdSpec::noise_sd_table with a noise spec that has c > 0 (allowed: one "
          "of them)");
    const theory::TableOptions t = ReadTableCsv(spec.noise_sd_table, "x", "sd");
    request.chain.noise_table_x = t.x;
    request.chain.noise_table_sd = t.loss;
    std::string why;
    if (!request.chain.IsValid(*profile, &why))
      throw InputError(fmt::format("SgdSpec::noise_sd_table {}: {}", spec.noise_sd_table, why));
    request.chain.noise_std = request.chain.NoiseStd(0.0);
  }
  request.solver.cells_per_step = spec.cells_per_step;
  request.solver.momentum_cells_per_step = spec.momentum_cells_per_step;
  std::string why;
  if (!request.chain.IsValid(*profile, &why) || !request.solver.IsValid(&why))
    throw InputError(why);
  if (spec.T && (*spec.T < 1 || *spec.T > 10000000))
    throw InputError(
        fmt::format("SgdSpec::T = {} is out of range (allowed: 1 <= T <= 1e7)", *spec.T));
  if (spec.T) request.T = static_cast<int>(*spec.T);
  request.x0 = spec.x0;
  if (!spec.shift.empty()) request.shift = MakeShift(spec.shift, "SgdSpec::shift");
  SpecOutput out;
  out.result = SgdResultJson(*profile, request);
  out.extra = {{"profile", profile->Spec()},
               {"eta", spec.eta},
               {"noise", NoiseSpecText(noise)},
               {"wd", spec.wd},
               {"momentum", spec.momentum}};
  if (spec.momentum > 0) out.extra["nesterov"] = spec.nesterov;
  if (spec.wd_offset != 0) out.extra["wd_offset"] = spec.wd_offset;
  if (!spec.noise_sd_table.empty()) out.extra["noise_sd_table"] = spec.noise_sd_table;
  if (request.T) out.extra["T"] = *request.T, out.extra["x0"] = spec.x0;
  if (request.shift) out.extra["shift"] = request.shift->Spec();
  return out;
}

SpecOutput SolveRiskSpec(const RiskSpec& spec) {
  const auto profile = MakeProfile(spec.profile, "RiskSpec::profile");
  const auto shift = MakeShift(spec.shift, "RiskSpec::shift");
  return {RiskResultJson(*profile, shift, spec.biases),
          {{"profile", profile->Spec()}, {"shift", shift.Spec()}}};
}

}  // namespace valleys::io
