// The C10-C18 verdict rules of the real-network experiment, as plain functions of its measured
// numbers (no LibTorch). A profile is asymmetric under the declared criterion (AsymmetryCriterion:
// the detrended rise ratio at the largest common distance). Counts carry Clopper-Pearson 95%
// intervals over the effectively independent directions, medians bootstrap 95% intervals; a claim
// holds or fails only when its interval lies on one side of the rule's threshold, and is
// inconclusive otherwise. Each verdict carries its numbers (n, n_eff, interval) and its rule
// (kVerdictRules, printed by the report).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/realnets/intervals.hpp"

namespace valleys::realnets {

// One profile of the experiment, as the rules see it.
struct DirectionRecord {
  std::uint64_t seed = 1;   // the training seed of the network
  std::string variant;      // bn | nobn | gamma | softplus
  std::string checkpoint;   // swa | sgd
  std::string law;          // uniform01 | gaussian | sign | filter
  bool asymmetric = false;  // the training profile, under the criterion
  theory::Side flat_side = theory::Side::kNone;
  double log_ratio = 0;  // SignedLogRatio of the training profile
  double sign_agreement = 0;
  double shift_ratio = 1;  // xi(delta*) / xi(0) of the shift fit
  // MatchedHeightLogWidthRatio of the training profile (NaN: no height reached on both sides).
  double log_width_ratio = std::nan("");
  int direction = 0;  // the direction's index within its law
  // The training profile measured from its minimum (MeasureValley): log10 w+/w- at the largest
  // height both sides reach (NaN: not bracketed) and that height.
  double valley_log10_ratio = std::nan("");
  double valley_height = 0;
  double direction_weight_cosine = 0;  // cos(d, w) over the perturbed parameters
};

// The directions of one network, checkpoint and law: how many are effectively independent
// (EffectiveCount of their cosines) and their mean pairwise cosine. With several training seeds,
// one group per seed; the networks of different seeds are independent, so their n_eff add.
struct DirectionGroup {
  std::string variant, checkpoint, law;
  double n_eff = 0;
  double mean_cosine = 0;
  std::uint64_t seed = 1;
};

// The SWA-SGD line (alpha = 0 at SWA, 1 at SGD after SWA) and its restart.
struct LineNumbers {
  double train_at_swa = 0, train_at_sgd = 0;  // training loss at alpha = 0 and 1
  double test_at_swa = 0, test_at_sgd = 0;    // test loss at alpha = 0 and 1
  double test_past_swa = 0;                   // test loss at alpha = -0.25
  double slope_beyond_sgd = 0, slope_beyond_swa = 0;
  int accepted_epoch = 0;  // SGD-after-SWA epoch accepted (0: none)
  double distance = 0;     // ||w_sgd - w_swa||
  // The line's training profile measured from its minimum (MeasureValley, t = -alpha x distance:
  // + toward SWA, in weight units): log10 w+/w- at the comparison height (NaN: not bracketed),
  // w+ there, and the test loss at w_SWA + w+ u (u the unit vector from the SGD end to SWA)
  // relative to SWA's, minus 1 (NaN: beyond the line's grid or not bracketed).
  double valley_log10_ratio = std::numeric_limits<double>::quiet_NaN();
  double flat_width = std::numeric_limits<double>::quiet_NaN();
  double test_past_swa_by_width = std::numeric_limits<double>::quiet_NaN();
};

// The logistic model's seeds (independent): at the authors' centre (the 30-step average) and at
// the minimizer, where one exists (`minimizers` of the seeds).
struct LogisticNumbers {
  int seeds = 0, asymmetric = 0, flat_pos = 0, flat_neg = 0;
  int minimizers = 0, asymmetric_at_minimum = 0, flat_pos_at_minimum = 0, flat_neg_at_minimum = 0;
};

// The controls of C12: shift-fit mismatch ratios xi(delta*) / xi(0) where a shift should not
// explain the test loss: the test profile of one direction against the training profile of
// another direction of the same network, checkpoint and law (the BN network at SWA, uniform01).
// The other control, the zero-mean Gaussian directions of the same network, is read from the
// records.
struct ShiftControls {
  std::vector<double> mismatched;
};

// C18: one direction through the BN network's SWA solution (realnets::MeasureSwaBias), biases in
// units of the iterates' standard deviation along it.
struct SwaBiasRecord {
  std::uint64_t seed = 1;
  std::string direction;
  bool predicted = false;  // the chain was solved
  double measured_bias = 0, predicted_bias = 0;
  theory::Side flat_side = theory::Side::kNone;
  double measured_p_flat = 0, predicted_p_flat = 0;
  bool admitted = false;  // passed C18's admission gates (SwaBiasGates)
};
struct SwaBiasNumbers {
  std::vector<SwaBiasRecord> records;
  double n_eff = 0;  // effectively independent directions among the predicted records
};

struct VerdictRow {
  std::string id, claim;
  std::string verdict;  // holds | fails | inconclusive | not run
  std::string numbers;  // what it was judged on: n, n_eff, the interval
  std::string figure;   // the figure that shows it
};

// log10 of the detrended rise ratio r- / r+ (> 0: the positive side is flatter), clipped to
// [-3, 3]; +-3 when one rise is 0, 0 when both are.
double SignedLogRatio(const AsymmetryReport& r);

// log10(width_plus / width_minus) (> 0: the positive side is flatter) at the largest height of
// r.width_ratio_at that both sides reach inside the profile; NaN when none is. *height (if given)
// receives that height (NaN when none).
double MatchedHeightLogWidthRatio(const AsymmetryReport& r, double* height = nullptr);

// Four significant digits ("0.0123", "1.5e+04"); "nan", and "inf" for either infinity.
std::string ShortNumber(double v);

// Median of the values (the mean of the middle two for an even count); NaN when empty.
double Median(std::vector<double> values);

struct LawStats {
  int n = 0, asymmetric = 0, flat_pos = 0, flat_neg = 0;
  double n_eff = 0;        // effectively independent directions (n when no group was given)
  double mean_cosine = 0;  // NaN when no group was given
  Interval fraction_ci;    // Clopper-Pearson 95% of the asymmetric fraction, over n_eff
  double median_abs_log_ratio = 0;
  Interval median_abs_log_ratio_ci;  // bootstrap 95% over the directions
  double median_sign_agreement = 0;
  // Median |MatchedHeightLogWidthRatio| over the n_width records that have one, with its bootstrap
  // 95% interval.
  int n_width = 0;
  double median_abs_log_width_ratio = 0;
  Interval median_abs_log_width_ratio_ci;
  double Fraction() const { return n ? static_cast<double>(asymmetric) / n : 0.0; }
  // "3/4 asymmetric (n_eff 1.4; 95% CI 0.07-1)", with a warning when n_eff < 3.
  std::string DescribeCount() const;
};
// Tallies of the records of one network, checkpoint and law; `seed` seeds the bootstrap.
LawStats Stats(const std::vector<DirectionRecord>& records,
               const std::vector<DirectionGroup>& groups, const std::string& variant,
               const std::string& checkpoint, const std::string& law, std::uint64_t seed = 1);

// C10 .. C18, in order; `lines` has one SWA-SGD line per training seed (C13, C14).
std::vector<VerdictRow> EvaluateVerdicts(const std::vector<DirectionRecord>& records,
                                         const std::vector<DirectionGroup>& groups,
                                         const std::vector<LineNumbers>& lines,
                                         const LogisticNumbers& logistic,
                                         const ShiftControls& controls = {},
                                         const SwaBiasNumbers& swa_bias = {},
                                         std::uint64_t seed = 1);

// The rules, in words, as the report states them.
extern const char* const kVerdictRules;

}  // namespace valleys::realnets
