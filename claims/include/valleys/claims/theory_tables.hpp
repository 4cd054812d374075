// The exact-theory tables of the report: Theorem 1 (expected test risk, the optimal bias and the
// improving window) and Theorem 2 (the stationary law of the SGD chain against its SDE limit) over
// a fixed set of valleys, as typed rows with their CSV and Markdown renderings.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "valleys/theory/bias.hpp"
#include "valleys/theory/sgd_chain.hpp"

namespace valleys::claims {

struct RiskCase {
  std::string profile, shift;  // io::MakeProfile / io::MakeShift specs
};
struct SgdCase {
  std::string profile;
  double eta = 0;     // constant step size
  std::string noise;  // io::MakeNoise spec
};
const std::vector<RiskCase>& ReportRiskCases();
const std::vector<SgdCase>& ReportSgdCases();

struct RiskRow {
  RiskCase c;
  theory::BiasSummary bias;
};
struct SgdRow {
  SgdCase c;
  theory::StationaryStats exact;
  theory::SdeStats sde;
  double mean_avg_T = 0;  // E[w_T] started at the minimizer
  int T = 0;
};

// Throws std::runtime_error when R(0) or R(zeta*) is not finite.
RiskRow ComputeRiskRow(const RiskCase& c);
SgdRow ComputeSgdRow(const SgdCase& c, int T = 100);

// on_row(rows done) after each row.
std::vector<RiskRow> RiskTable(const std::vector<RiskCase>& cases);
std::vector<SgdRow> SgdTable(const std::vector<SgdCase>& cases,
                             const std::function<void(long long done)>& on_row = {});

// theory_risk.csv: profile,shift,R0,zeta_star,R_star,window_lo,window_hi,method
std::string RiskCsv(const std::vector<RiskRow>& rows);
std::string RiskMarkdown(const std::vector<RiskRow>& rows);
// theory_sgd.csv: profile,eta,noise,mean,mean_error,p_flat,mean_pos,mean_neg,mean_sde,
// p_flat_sde,mean_avg_T100
std::string SgdCsv(const std::vector<SgdRow>& rows);
std::string SgdMarkdown(const std::vector<SgdRow>& rows);

}  // namespace valleys::claims
