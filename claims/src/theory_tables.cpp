#include "valleys/claims/theory_tables.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/io/factories.hpp"
#include "valleys/theory/risk.hpp"

namespace valleys::claims {

const std::vector<RiskCase>& ReportRiskCases() {
  static const std::vector<RiskCase> cases = {
      {"linear:p=1,c=5", "uniform:a=1"},
      {"quadratic:hplus=1,hminus=9", "uniform:a=1"},
      {"quadratic:hplus=1,hminus=9", "gaussian:sigma=0.5"},
      {"quadratic:hplus=1,hminus=4", "gaussian:sigma=1"},
      {"linear:p=1,c=5", "gaussian:sigma=1"},
      {"linex:b=1,alpha=2", "gaussian:sigma=0.5"},
      {"linex:b=1,alpha=2", "uniform:a=1"},
      {"rpcl:r=2,p=1,c=5,l=0.1", "uniform:a=1"},
      {"quadratic:hplus=1,hminus=9", "rademacher:a=1"},
  };
  return cases;
}

const std::vector<SgdCase>& ReportSgdCases() {
  static const std::vector<SgdCase> cases = {
      {"quadratic:hplus=1,hminus=9", 0.01, "gaussian:s=1"},
      {"quadratic:hplus=1,hminus=9", 0.05, "gaussian:s=1"},
      {"quadratic:hplus=1,hminus=9", 0.1, "gaussian:s=1"},
      {"quadratic:hplus=1,hminus=9", 0.05, "uniform:s=1"},
      {"linear:p=1,c=5", 0.05, "gaussian:s=1"},
      {"linex:b=1,alpha=2", 0.05, "gaussian:s=1"},
      {"rpcl:r=2,p=1,c=5,l=0.1", 0.05, "gaussian:s=1"},
  };
  return cases;
}

RiskRow ComputeRiskRow(const RiskCase& c) {
  const auto profile = io::MakeProfile(c.profile);
  const theory::SymmetricLaw shift = io::MakeShift(c.shift);
  RiskRow row{c, theory::AnalyzeBias(*profile, shift)};
  if (!std::isfinite(row.bias.r0) || !std::isfinite(row.bias.r_star))
    throw std::runtime_error(
        fmt::format("theory risk: R(0) = {} and R(zeta*) = {} are not both finite for {} under {}",
                    row.bias.r0, row.bias.r_star, c.profile, c.shift));
  return row;
}

SgdRow ComputeSgdRow(const SgdCase& c, int T) {
  const auto profile = io::MakeProfile(c.profile);
  const io::NoiseSpec noise = io::MakeNoise(c.noise);
  theory::ChainOptions chain;
  chain.eta = c.eta;
  chain.noise = noise.kind;
  chain.noise_std = noise.s;
  theory::ExactChain exact(*profile, chain, theory::SolverOptions{});
  SgdRow row{c, exact.Stationary(), theory::SdeStationary(*profile, chain), 0.0, T};
  row.mean_avg_T = exact.Transient(0.0, T).mean_avg_T;
  return row;
}

std::vector<RiskRow> RiskTable(const std::vector<RiskCase>& cases) {
  std::vector<RiskRow> rows;
  for (const auto& c : cases) rows.push_back(ComputeRiskRow(c));
  return rows;
}

std::vector<SgdRow> SgdTable(const std::vector<SgdCase>& cases,
                             const std::function<void(long long done)>& on_row) {
  std::vector<SgdRow> rows;
  for (const auto& c : cases) {
    rows.push_back(ComputeSgdRow(c));
    if (on_row) on_row(static_cast<long long>(rows.size()));
  }
  return rows;
}

namespace {
std::string G6(double v) {
  return fmt::format("{:.6g}", v);
}
}  // namespace

std::string RiskCsv(const std::vector<RiskRow>& rows) {
  std::string csv = "profile,shift,R0,zeta_star,R_star,window_lo,window_hi,method\n";
  for (const auto& r : rows)
    csv += fmt::format("\"{}\",\"{}\",{},{},{},{},{},{}\n", r.c.profile, r.c.shift, r.bias.r0,
                       r.bias.zeta_star, r.bias.r_star, r.bias.window_lo, r.bias.window_hi,
                       theory::RiskMethodName(r.bias.method));
  return csv;
}

std::string RiskMarkdown(const std::vector<RiskRow>& rows) {
  std::string md =
      "| profile | shift | R(0) | zeta* | R(zeta*) | improving window | method "
      "|\n|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows)
    md += fmt::format("| `{}` | `{}` | {} | {} | {} | ({}, {}) | {} |\n", r.c.profile, r.c.shift,
                      G6(r.bias.r0), G6(r.bias.zeta_star), G6(r.bias.r_star), G6(r.bias.window_lo),
                      G6(r.bias.window_hi), theory::RiskMethodName(r.bias.method));
  return md;
}

std::string SgdCsv(const std::vector<SgdRow>& rows) {
  std::string csv =
      "profile,eta,noise,mean,mean_error,p_flat,mean_pos,mean_neg,mean_sde,p_flat_sde,mean_avg_"
      "T100\n";
  for (const auto& r : rows)
    csv += fmt::format("\"{}\",{},\"{}\",{},{},{},{},{},{},{},{}\n", r.c.profile, r.c.eta,
                       r.c.noise, r.exact.mean, r.exact.mean_error, r.exact.p_flat,
                       r.exact.mean_pos, r.exact.mean_neg, r.sde.mean, r.sde.p_flat, r.mean_avg_T);
  return csv;
}

std::string SgdMarkdown(const std::vector<SgdRow>& rows) {
  std::string md =
      "| profile | eta | noise | E[x] exact | E[x] SDE | P(flat) exact | P(flat) SDE | E[w_100] "
      "from 0 |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows)
    md += fmt::format("| `{}` | {} | `{}` | {} | {} | {} | {} | {} |\n", r.c.profile, r.c.eta,
                      r.c.noise, G6(r.exact.mean), G6(r.sde.mean), G6(r.exact.p_flat),
                      G6(r.sde.p_flat), G6(r.mean_avg_T));
  return md;
}

}  // namespace valleys::claims
