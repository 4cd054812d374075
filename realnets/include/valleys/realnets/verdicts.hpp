// The C10-C17 verdict rules of the real-network experiment, as plain functions of its measured
// numbers (no LibTorch): each claim holds, fails or is inconclusive by the rule stated with it
// (kVerdictRules, which the report prints), and carries the numbers it was judged on.
#pragma once

#include <string>
#include <vector>

#include "valleys/theory/asymmetry.hpp"

namespace valleys::realnets {

// One profile of the experiment, as the rules see it.
struct DirectionRecord {
  std::string variant;     // bn | nobn | gamma | softplus
  std::string checkpoint;  // swa | sgd
  std::string law;         // uniform01 | gaussian | sign | filter
  theory::AsymmetryScore train_score;
  double sign_agreement = 0;
  double shift_ratio = 1;  // xi(delta*) / xi(0) of the shift fit
};

// The SWA-SGD line (alpha = 0 at SWA, 1 at SGD after SWA) and its restart.
struct LineNumbers {
  double train_at_swa = 0, train_at_sgd = 0;  // training loss at alpha = 0 and 1
  double test_at_swa = 0, test_at_sgd = 0;    // test loss at alpha = 0 and 1
  double test_past_swa = 0;                   // test loss at alpha = -0.25
  double slope_beyond_sgd = 0, slope_beyond_swa = 0;
  int accepted_epoch = 0;  // SGD-after-SWA epoch accepted (0: none)
  double distance = 0;     // ||w_sgd - w_swa||
};

struct LogisticNumbers {
  int seeds = 0, asymmetric = 0, flat_pos = 0, flat_neg = 0;
};

struct VerdictRow {
  std::string id, claim;
  std::string verdict;  // holds | fails | inconclusive | not run
  std::string numbers;  // what it was judged on, in words
  std::string figure;   // the figure that shows it
};

// log10(w+ / w-) of a score: > 0 when the positive side is flatter; one censored side gives +-1.5,
// two give 0; clipped to [-1.5, 1.5].
double SignedLogRatio(const theory::AsymmetryScore& s);

// Four significant digits ("0.0123", "1.5e+04"); "nan", and "inf" for either infinity.
std::string ShortNumber(double v);

// Median of the values (the mean of the middle two for an even count); NaN when empty.
double Median(std::vector<double> values);

struct LawStats {
  int n = 0, asymmetric = 0, flat_pos = 0, flat_neg = 0;
  double median_abs_log_ratio = 0, median_sign_agreement = 0;
  double Fraction() const { return n ? static_cast<double>(asymmetric) / n : 0.0; }
};
// Tallies of the records of one network, checkpoint and law.
LawStats Stats(const std::vector<DirectionRecord>& records, const std::string& variant,
               const std::string& checkpoint, const std::string& law);

// C10 .. C17, in order.
std::vector<VerdictRow> EvaluateVerdicts(const std::vector<DirectionRecord>& records,
                                         const LineNumbers& line, const LogisticNumbers& logistic);

// The rules, in words, as the report states them.
extern const char* const kVerdictRules;

}  // namespace valleys::realnets
