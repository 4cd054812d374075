#include "valleys/realnets/verdicts.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace valleys::realnets {

namespace {

const char* Word(bool holds, bool fails) {
  return holds ? "holds" : fails ? "fails" : "inconclusive";
}

}  // namespace

std::string ShortNumber(double v) {
  return std::isfinite(v) ? fmt::format("{:.4g}", v) : (std::isnan(v) ? "nan" : "inf");
}

double SignedLogRatio(const theory::AsymmetryScore& s) {
  const double wp = s.width_pos, wn = s.width_neg;
  if (std::isinf(wp) && std::isinf(wn)) return 0.0;
  if (std::isinf(wp)) return 1.5;
  if (std::isinf(wn)) return -1.5;
  if (wp <= 0 || wn <= 0) return 0.0;
  return std::clamp(std::log10(wp / wn), -1.5, 1.5);
}

double Median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

LawStats Stats(const std::vector<DirectionRecord>& records, const std::string& variant,
               const std::string& checkpoint, const std::string& law) {
  LawStats s;
  std::vector<double> ratios, agreements;
  for (const auto& r : records) {
    if (r.variant != variant || r.checkpoint != checkpoint || r.law != law) continue;
    const auto& score = r.train_score;
    ++s.n;
    s.asymmetric += score.asymmetric;
    s.flat_pos += score.flat_side == theory::Side::kPositive;
    s.flat_neg += score.flat_side == theory::Side::kNegative;
    ratios.push_back(std::abs(SignedLogRatio(score)));
    agreements.push_back(r.sign_agreement);
  }
  s.median_abs_log_ratio = Median(ratios);
  s.median_sign_agreement = Median(agreements);
  return s;
}

const char* const kVerdictRules =
    "Verdict rules: C10 and C11 hold when at least half of the directions (seeds) are "
    "asymmetric and fail when none is; C16 holds when the softplus network's asymmetric fraction "
    "is at least half the ReLU network's, fails when it has none while the ReLU network has "
    "some, "
    "and is inconclusive when the ReLU network has none; C12 holds when the median mismatch "
    "ratio is <= 0.5 and "
    "fails when >= 0.9; C13 holds when all three of its conditions hold, fails when neither loss "
    "ordering does; C14 as stated; C15 holds when the BN network has both the larger asymmetric "
    "fraction and the larger median |log10 ratio|, fails when both are smaller; C17 holds when "
    "uniform01 and sign directions are asymmetric more often than gaussian ones and the N(0, "
    "0.1) "
    "gamma init lowers the uniform01 fraction. Otherwise inconclusive. Small presets give few "
    "directions: read the counts, not only the words.";

std::vector<VerdictRow> EvaluateVerdicts(const std::vector<DirectionRecord>& records,
                                         const LineNumbers& line, const LogisticNumbers& logistic) {
  const LawStats sgd_u = Stats(records, "bn", "sgd", "uniform01");
  const LawStats bn_u = Stats(records, "bn", "swa", "uniform01");
  const LawStats bn_g = Stats(records, "bn", "swa", "gaussian");
  const LawStats bn_s = Stats(records, "bn", "swa", "sign");
  const LawStats nobn_u = Stats(records, "nobn", "swa", "uniform01");
  const LawStats gamma_u = Stats(records, "gamma", "swa", "uniform01");
  const LawStats soft_u = Stats(records, "softplus", "swa", "uniform01");
  const double tr0 = line.train_at_swa, tr1 = line.train_at_sgd;
  const double te0 = line.test_at_swa, te1 = line.test_at_sgd;
  const double te_past = line.test_past_swa;
  std::vector<double> shift_ratios;
  for (const auto& r : records)
    if (r.variant == "bn" && r.checkpoint == "swa" && r.law == "uniform01" &&
        r.train_score.asymmetric)
      shift_ratios.push_back(r.shift_ratio);
  const double shift_median = Median(shift_ratios);
  const bool c13_train = tr1 < tr0;  // training loss lower at SGD
  const bool c13_test = te0 < te1;   // test loss lower at SWA
  const bool c13_slope = line.slope_beyond_sgd > line.slope_beyond_swa;
  std::vector<VerdictRow> verdicts;
  verdicts.push_back(
      {"C10", "asymmetric directions exist at SGD solutions of BN networks",
       Word(2 * sgd_u.asymmetric >= sgd_u.n && sgd_u.n > 0, sgd_u.n > 0 && sgd_u.asymmetric == 0),
       fmt::format("{}/{} uniform01 directions at the BN network's last SGD iterate asymmetric "
                   "(kappa = 2); at the SWA solution {}/{}",
                   sgd_u.asymmetric, sgd_u.n, bn_u.asymmetric, bn_u.n),
       "profiles"});
  verdicts.push_back(
      {"C11", "the 2-parameter logistic model is asymmetric",
       Word(2 * logistic.asymmetric >= logistic.seeds && logistic.seeds > 0,
            logistic.seeds > 0 && logistic.asymmetric == 0),
       fmt::format("{}/{} seeds asymmetric (kappa = 2; flat side + {}, - {})", logistic.asymmetric,
                   logistic.seeds, logistic.flat_pos, logistic.flat_neg),
       "logistic2d"});
  verdicts.push_back(
      {"C12", "test loss ~ training loss shifted along the direction",
       shift_ratios.empty() ? "inconclusive" : Word(shift_median <= 0.5, shift_median >= 0.9),
       shift_ratios.empty()
           ? std::string("no asymmetric uniform01 profile at the BN SWA solution to fit")
           : fmt::format("median mismatch ratio xi(delta*)/xi(0) = {} over {} asymmetric uniform01 "
                         "profiles (authors: about 0.15)",
                         ShortNumber(shift_median), shift_ratios.size()),
       "profiles"});
  verdicts.push_back(
      {"C13", "SWA sits on the flat side of the SWA-SGD line",
       Word(c13_train && c13_test && c13_slope, !c13_train && !c13_test),
       fmt::format(
           "train loss SWA {} vs SGD {} ({}); test loss SWA {} vs SGD {} ({}); slope beyond "
           "SGD {} vs beyond SWA {} ({}); SGD-after-SWA accepted at epoch {} (0: none, "
           "last epoch used); distance {}",
           ShortNumber(tr0), ShortNumber(tr1), c13_train ? "lower at SGD" : "not lower at SGD",
           ShortNumber(te0), ShortNumber(te1), c13_test ? "lower at SWA" : "not lower at SWA",
           ShortNumber(line.slope_beyond_sgd), ShortNumber(line.slope_beyond_swa),
           c13_slope ? "steeper beyond SGD" : "not steeper beyond SGD", line.accepted_epoch,
           ShortNumber(line.distance)),
       "line"});
  verdicts.push_back(
      {"C14", "moving past SWA toward the flat side does not hurt",
       Word(te_past <= te0 * 1.01, te_past > te0 * 1.05),
       fmt::format(
           "test loss at alpha = -0.25: {} vs {} at SWA (holds within +1%, fails beyond +5%)",
           ShortNumber(te_past), ShortNumber(te0)),
       "line"});
  verdicts.push_back(
      {"C15", "BN is a major cause (no-BN profiles closer to symmetric)",
       Word(bn_u.Fraction() > nobn_u.Fraction() &&
                bn_u.median_abs_log_ratio > nobn_u.median_abs_log_ratio,
            bn_u.Fraction() < nobn_u.Fraction() &&
                bn_u.median_abs_log_ratio < nobn_u.median_abs_log_ratio),
       fmt::format(
           "uniform01 at SWA: BN {}/{} asymmetric, median |log10 ratio| {}; no BN {}/{}, {}",
           bn_u.asymmetric, bn_u.n, ShortNumber(bn_u.median_abs_log_ratio), nobn_u.asymmetric,
           nobn_u.n, ShortNumber(nobn_u.median_abs_log_ratio)),
       "asymmetry"});
  // C16 compares the softplus network with the ReLU one along the same law: without asymmetry in
  // the ReLU network there is nothing for softplus to reproduce.
  verdicts.push_back(
      {"C16", "not a ReLU artefact (softplus)",
       soft_u.n == 0 ? "not run"
       : bn_u.asymmetric == 0
           ? "inconclusive"
           : Word(2 * soft_u.Fraction() >= bn_u.Fraction(), soft_u.asymmetric == 0),
       soft_u.n == 0
           ? std::string("this preset trains no softplus network (presets small, gpu do)")
           : fmt::format("uniform01 at SWA, asymmetric: softplus BN network {}/{} (median "
                         "|log10 ratio| {}), ReLU BN network {}/{} ({})",
                         soft_u.asymmetric, soft_u.n, ShortNumber(soft_u.median_abs_log_ratio),
                         bn_u.asymmetric, bn_u.n, ShortNumber(bn_u.median_abs_log_ratio)),
       "asymmetry"});
  const bool c17_laws = bn_u.Fraction() > bn_g.Fraction() && bn_s.Fraction() > bn_g.Fraction();
  const bool c17_init = gamma_u.Fraction() < bn_u.Fraction();
  verdicts.push_back(
      {"C17", "sign agreement drives the asymmetry (Li et al. 2024)",
       Word(c17_laws && c17_init,
            bn_u.Fraction() < bn_g.Fraction() && bn_s.Fraction() < bn_g.Fraction()),
       fmt::format("BN at SWA, asymmetric: uniform01 {}/{} (sign agreement {}), sign {}/{} ({}), "
                   "gaussian {}/{} ({}); gamma ~ N(0, 0.1): uniform01 {}/{}",
                   bn_u.asymmetric, bn_u.n, ShortNumber(bn_u.median_sign_agreement),
                   bn_s.asymmetric, bn_s.n, ShortNumber(bn_s.median_sign_agreement),
                   bn_g.asymmetric, bn_g.n, ShortNumber(bn_g.median_sign_agreement),
                   gamma_u.asymmetric, gamma_u.n),
       "asymmetry"});
  return verdicts;
}

}  // namespace valleys::realnets
