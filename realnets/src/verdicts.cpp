#include "valleys/realnets/verdicts.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace valleys::realnets {

namespace {

const char* Word(bool holds, bool fails) {
  return holds ? "holds" : fails ? "fails" : "inconclusive";
}

std::string Ci(const Interval& i) {
  return fmt::format("95% CI {}-{}", ShortNumber(i.lo), ShortNumber(i.hi));
}

// A median with its interval: "0.31 (95% CI 0.2-0.45)".
std::string MedianText(double median, const Interval& ci) {
  return fmt::format("{} ({})", ShortNumber(median), Ci(ci));
}

// The sample behind a median: "n 9, n_eff 4.23", flagged when n_eff < 3 (2.995: an n_eff that
// prints as 3 is not flagged, as in DescribeCount).
std::string SampleText(const LawStats& s) {
  return fmt::format(
      "n {}, n_eff {}{}", s.n, ShortNumber(s.n_eff),
      s.n_eff < 2.995 ? "; n_eff < 3: too few independent directions to decide" : "");
}

// The interval of `a` lies above that of `b` (both measured).
bool Above(const LawStats& a, const LawStats& b) {
  return a.n > 0 && b.n > 0 && a.median_abs_log_ratio_ci.lo > b.median_abs_log_ratio_ci.hi;
}

// The same for the widths at matched heights.
bool WidthAbove(const LawStats& a, const LawStats& b) {
  return a.n_width > 0 && b.n_width > 0 &&
         a.median_abs_log_width_ratio_ci.lo > b.median_abs_log_width_ratio_ci.hi;
}

// C18: the chain's predicted bias and the measured one agree in sign, and the measured average
// lies on the flat side where the profile has one.
VerdictRow SwaBiasVerdict(const SwaBiasNumbers& b, std::uint64_t seed) {
  int n = 0, agree = 0, sided = 0, on_flat = 0;
  std::vector<double> measured, predicted, p_measured, p_predicted;
  for (const auto& r : b.records) {
    if (!r.predicted) continue;
    ++n;
    agree += (r.measured_bias > 0) == (r.predicted_bias > 0) && r.measured_bias != 0 &&
             r.predicted_bias != 0;
    measured.push_back(r.measured_bias);
    predicted.push_back(r.predicted_bias);
    p_measured.push_back(r.measured_p_flat);
    p_predicted.push_back(r.predicted_p_flat);
    if (r.flat_side == theory::Side::kNone) continue;
    ++sided;
    on_flat += (r.flat_side == theory::Side::kPositive) == (r.measured_bias > 0);
  }
  VerdictRow row{"C18", "the SWA average sits on the flat side, as the exact chain predicts",
                 "not run", "", "swa_bias"};
  if (b.records.empty()) {
    row.numbers = "no iterates were recorded";
    return row;
  }
  if (n == 0) {
    row.verdict = "inconclusive";
    row.numbers =
        fmt::format("the chain was solved along none of the {} directions", b.records.size());
    return row;
  }
  const double n_eff = std::min(b.n_eff > 0 ? b.n_eff : n, static_cast<double>(n));
  const double sided_eff = n_eff * sided / n;
  const Interval agree_ci = ClopperPearson(n_eff * agree / n, n_eff);
  const Interval flat_ci =
      sided ? ClopperPearson(sided_eff * on_flat / sided, sided_eff) : Interval{0, 1};
  const bool holds = agree_ci.lo > 0.5 && sided > 0 && flat_ci.lo > 0.5;
  const bool fails = agree_ci.hi < 0.5 || (sided > 0 && flat_ci.hi < 0.5);
  row.verdict = Word(holds, fails);
  auto median = [&](const std::vector<double>& v, std::uint64_t k) {
    return MedianText(Median(v), BootstrapMedian(v, seed + k));
  };
  row.numbers = fmt::format(
      "{} directions with a prediction (n_eff {}{}): measured and predicted bias of the average "
      "from the profile's minimum agree in sign along {} ({}); where the profile has a flat side "
      "({} directions), the average lies on it along {} ({}); median bias in iterate sd: measured "
      "{}, predicted {}; median fraction of iterates on the flat side: measured {}, predicted {}",
      n, ShortNumber(n_eff), n_eff < 2.995 ? ", < 3: too few independent directions to decide" : "",
      agree, Ci(agree_ci), sided, on_flat, sided ? Ci(flat_ci) : std::string("no interval"),
      median(measured, 11), median(predicted, 12), median(p_measured, 13), median(p_predicted, 14));
  return row;
}

}  // namespace

std::string ShortNumber(double v) {
  return std::isfinite(v) ? fmt::format("{:.4g}", v) : (std::isnan(v) ? "nan" : "inf");
}

double SignedLogRatio(const AsymmetryReport& r) {
  const double plus = r.detrended_rise_plus, minus = r.detrended_rise_minus;
  if (plus <= 0 && minus <= 0) return 0.0;
  if (plus <= 0) return 3.0;
  if (minus <= 0) return -3.0;
  return std::clamp(std::log10(minus / plus), -3.0, 3.0);
}

double MatchedHeightLogWidthRatio(const AsymmetryReport& r, double* height) {
  if (height) *height = std::nan("");
  for (auto it = r.width_ratio_at.rbegin(); it != r.width_ratio_at.rend(); ++it)
    if (!it->censored && it->width_plus > 0 && it->width_minus > 0) {
      if (height) *height = it->height;
      return std::log10(it->width_plus / it->width_minus);
    }
  return std::nan("");
}

double Median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string LawStats::DescribeCount() const {
  if (n == 0) return "no profiles";
  std::string s = fmt::format("{}/{} asymmetric (n_eff {}; {})", asymmetric, n, ShortNumber(n_eff),
                              Ci(fraction_ci));
  // 2.995: an n_eff that prints as 3 (orthogonal directions up to rounding) is not flagged.
  if (n_eff < 2.995) s += " [n_eff < 3: too few independent directions to decide]";
  return s;
}

LawStats Stats(const std::vector<DirectionRecord>& records,
               const std::vector<DirectionGroup>& groups, const std::string& variant,
               const std::string& checkpoint, const std::string& law, std::uint64_t seed) {
  LawStats s;
  std::vector<double> ratios, agreements, widths;
  for (const auto& r : records) {
    if (r.variant != variant || r.checkpoint != checkpoint || r.law != law) continue;
    ++s.n;
    s.asymmetric += r.asymmetric;
    s.flat_pos += r.flat_side == theory::Side::kPositive;
    s.flat_neg += r.flat_side == theory::Side::kNegative;
    ratios.push_back(std::abs(r.log_ratio));
    agreements.push_back(r.sign_agreement);
    if (std::isfinite(r.log_width_ratio)) widths.push_back(std::abs(r.log_width_ratio));
  }
  s.n_width = static_cast<int>(widths.size());
  s.median_abs_log_width_ratio = Median(widths);
  s.median_abs_log_width_ratio_ci =
      widths.empty() ? Interval{std::nan(""), std::nan("")} : BootstrapMedian(widths, seed);
  s.n_eff = s.n;
  s.mean_cosine = std::nan("");
  double n_eff = 0, cosines = 0;
  int matched = 0;
  for (const auto& g : groups)
    if (g.variant == variant && g.checkpoint == checkpoint && g.law == law) {
      n_eff += g.n_eff;
      if (std::isfinite(g.mean_cosine)) cosines += g.mean_cosine, ++matched;
      s.mean_cosine = 0;
    }
  if (!std::isnan(s.mean_cosine)) {
    s.n_eff = std::min(n_eff, static_cast<double>(s.n));
    s.mean_cosine = matched ? cosines / matched : std::nan("");
  }
  s.median_abs_log_ratio = Median(ratios);
  s.median_sign_agreement = Median(agreements);
  if (s.n > 0) {
    s.fraction_ci = ClopperPearson(s.Fraction() * s.n_eff, s.n_eff);
    s.median_abs_log_ratio_ci = BootstrapMedian(ratios, seed);
  } else {
    s.fraction_ci = {0, 1};
    s.median_abs_log_ratio_ci = {std::nan(""), std::nan("")};
  }
  return s;
}

const char* const kVerdictRules =
    "Verdict rules. A profile is asymmetric when its detrended rise ratio at the largest common "
    "distance is >= 3 (and the larger rise >= 0.01 nats). Fractions carry Clopper-Pearson 95% "
    "intervals over the effectively independent directions n_eff = m^2 / sum of squared cosines; "
    "medians of |log10 ratio| carry bootstrap 95% intervals. C10 (the BN network's "
    "decayed-rate plain-SGD solution, uniform01) and C11 (the independent seeds whose logistic "
    "model has a minimizer, "
    "profiled through it; the authors' 30-step average is reported beside it) hold when the "
    "interval of the asymmetric fraction lies at or above 1/2 and fail when it lies below 1/2. C12 "
    "compares the median mismatch ratio xi(delta*)/xi(0) of the asymmetric uniform01 profiles "
    "with that of controls where no shift explains the test loss (the Gaussian directions and "
    "mismatched train/test pairs of the same network): holds when its bootstrap interval lies "
    "below the controls', fails when its lower end is at or above the controls' median. C13 "
    "holds when on every seed's line the training loss is lower at SGD, the test loss lower at "
    "SWA and the loss rises faster beyond SGD, and fails when on every line neither loss ordering "
    "holds; C14 holds when on every line the test loss at alpha = -0.25 is within 1% of SWA's and "
    "fails when on every line it is beyond 5% (one line per seed: the count carries a "
    "Clopper-Pearson interval, the rule asks for all of them). C15 "
    "compares the BN network with its BN-free twin along filter-normalized directions (the "
    "twin's loss grows without bound along all-positive ones) at matched heights: the median "
    "|log10 width ratio| at the largest height both sides of a profile reach; holds when the BN "
    "network's interval lies above the twin's, fails when below. C16 (softplus) holds "
    "when the softplus network's asymmetric fraction lies at or above 1/2 and fails when below, "
    "provided the ReLU network's does; otherwise inconclusive. C17 holds when the intervals of "
    "the median |log10 ratio| put uniform01 and sign directions above gaussian ones and the "
    "N(0, 0.1) gamma init below the ones init, fails when uniform01 and sign lie below gaussian. "
    "C18 (Theorem 2 on the BN network: random directions and the top principal components of "
    "the SWA phase's iterates, every seed) holds when the Clopper-Pearson interval of the fraction "
    "of directions whose measured bias of the iterates' average from the profile's minimum has "
    "the sign the exact chain predicts lies above 1/2 and so does that of the fraction whose "
    "average lies on the flat side (among directions whose objective has one, rise ratio >= 1.5 "
    "at the noise scale); fails when either lies below 1/2. Otherwise inconclusive.";

std::vector<VerdictRow> EvaluateVerdicts(const std::vector<DirectionRecord>& records,
                                         const std::vector<DirectionGroup>& groups,
                                         const std::vector<LineNumbers>& lines,
                                         const LogisticNumbers& logistic,
                                         const ShiftControls& controls,
                                         const SwaBiasNumbers& swa_bias, std::uint64_t seed) {
  auto stats = [&](const char* variant, const char* checkpoint, const char* law) {
    return Stats(records, groups, variant, checkpoint, law, seed);
  };
  const LawStats sgd_u = stats("bn-sgd", "sgd", "uniform01");
  const LawStats last_u = stats("bn", "sgd", "uniform01");
  const LawStats bn_u = stats("bn", "swa", "uniform01");
  const LawStats bn_g = stats("bn", "swa", "gaussian");
  const LawStats bn_s = stats("bn", "swa", "sign");
  const LawStats bn_f = stats("bn", "swa", "filter");
  const LawStats nobn_f = stats("nobn", "swa", "filter");
  const LawStats gamma_u = stats("gamma", "swa", "uniform01");
  const LawStats soft_u = stats("softplus", "swa", "uniform01");
  auto at_least_half = [](const LawStats& s) { return s.n > 0 && s.fraction_ci.lo >= 0.5; };
  auto below_half = [](const LawStats& s) { return s.n > 0 && s.fraction_ci.hi < 0.5; };
  std::vector<VerdictRow> verdicts;
  verdicts.push_back(
      {"C10", "asymmetric directions exist at SGD solutions of BN networks",
       Word(at_least_half(sgd_u), below_half(sgd_u)),
       fmt::format("uniform01 directions at the decayed-rate plain-SGD solution: {}; beside it, "
                   "at the SWA run's last constant-rate iterate: {}; at the SWA solution: {}",
                   sgd_u.DescribeCount(), last_u.DescribeCount(), bn_u.DescribeCount()),
       "profiles"});
  auto seeds_stats = [](int n, int asymmetric) {
    LawStats st;
    st.n = n;
    st.n_eff = n;
    st.asymmetric = asymmetric;
    if (n > 0) st.fraction_ci = ClopperPearson(asymmetric, n);
    return st;
  };
  const LawStats at_minimum = seeds_stats(logistic.minimizers, logistic.asymmetric_at_minimum);
  const LawStats at_average = seeds_stats(logistic.seeds, logistic.asymmetric);
  verdicts.push_back(
      {"C11", "the 2-parameter logistic model is asymmetric",
       Word(at_least_half(at_minimum), below_half(at_minimum)),
       fmt::format("at the minimizer (Newton; {} of {} seeds have one): {} of them (flat side + "
                   "{}, - {}); at the authors' 30-step average (not a minimum): {} (flat side + "
                   "{}, - {})",
                   logistic.minimizers, logistic.seeds, at_minimum.DescribeCount(),
                   logistic.flat_pos_at_minimum, logistic.flat_neg_at_minimum,
                   at_average.DescribeCount(), logistic.flat_pos, logistic.flat_neg),
       "logistic2d"});
  // C12 against its controls: the asymmetric profiles' mismatch ratios must lie below those of
  // the Gaussian directions and of mismatched train/test pairs, where no shift explains the test
  // loss.
  std::vector<double> shift_ratios, null_ratios = controls.mismatched;
  for (const auto& r : records) {
    if (r.variant != "bn" || r.checkpoint != "swa") continue;
    if (r.law == "uniform01" && r.asymmetric) shift_ratios.push_back(r.shift_ratio);
    if (r.law == "gaussian") null_ratios.push_back(r.shift_ratio);
  }
  const double shift_median = Median(shift_ratios), null_median = Median(null_ratios);
  const Interval shift_ci = shift_ratios.empty() ? Interval{std::nan(""), std::nan("")}
                                                 : BootstrapMedian(shift_ratios, seed);
  const Interval null_ci = null_ratios.empty() ? Interval{std::nan(""), std::nan("")}
                                               : BootstrapMedian(null_ratios, seed + 1);
  const bool c12_judged = !shift_ratios.empty() && !null_ratios.empty();
  verdicts.push_back(
      {"C12", "test loss ~ training loss shifted along the direction",
       !c12_judged ? "inconclusive" : Word(shift_ci.hi < null_ci.lo, shift_ci.lo >= null_median),
       shift_ratios.empty()
           ? std::string("no asymmetric uniform01 profile at the BN SWA solution to fit")
           : fmt::format(
                 "median mismatch ratio xi(delta*)/xi(0) of the n = {} asymmetric uniform01 "
                 "profiles (n_eff {}): {}; controls (n = {}: Gaussian directions and "
                 "mismatched train/test pairs): {} (authors: about 0.15)",
                 shift_ratios.size(), ShortNumber(bn_u.n_eff), MedianText(shift_median, shift_ci),
                 null_ratios.size(),
                 null_ratios.empty() ? std::string("none") : MedianText(null_median, null_ci)),
       "profiles"});
  // C13 and C14: one line per seed; a claim holds when every seed's line shows it and fails when
  // every seed's line shows the opposite.
  int c13_holds = 0, c13_fails = 0, c14_holds = 0, c14_fails = 0;
  std::string c13_lines, c14_lines;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const LineNumbers& line = lines[i];
    const double tr0 = line.train_at_swa, tr1 = line.train_at_sgd;
    const double te0 = line.test_at_swa, te1 = line.test_at_sgd;
    const bool train_lower = tr1 < tr0;  // training loss lower at SGD
    const bool test_lower = te0 < te1;   // test loss lower at SWA
    const bool steeper = line.slope_beyond_sgd > line.slope_beyond_swa;
    c13_holds += train_lower && test_lower && steeper;
    c13_fails += !train_lower && !test_lower;
    c14_holds += line.test_past_swa <= te0 * 1.01;
    c14_fails += line.test_past_swa > te0 * 1.05;
    c13_lines += fmt::format(
        "{}line {}: train loss SWA {} vs SGD {} ({}); test loss SWA {} vs SGD {} ({}); slope "
        "beyond SGD {} vs beyond SWA {} ({}); SGD-after-SWA accepted at epoch {} (0: none, last "
        "epoch used); distance {}",
        i ? "; " : "", i + 1, ShortNumber(tr0), ShortNumber(tr1),
        train_lower ? "lower at SGD" : "not lower at SGD", ShortNumber(te0), ShortNumber(te1),
        test_lower ? "lower at SWA" : "not lower at SWA", ShortNumber(line.slope_beyond_sgd),
        ShortNumber(line.slope_beyond_swa),
        steeper ? "steeper beyond SGD" : "not steeper beyond SGD", line.accepted_epoch,
        ShortNumber(line.distance));
    c14_lines += fmt::format("{}line {}: {} vs {} at SWA", i ? "; " : "", i + 1,
                             ShortNumber(line.test_past_swa), ShortNumber(te0));
  }
  const int n_lines = static_cast<int>(lines.size());
  auto line_count = [&](int k) {
    const Interval ci = ClopperPearson(k, n_lines);
    return n_lines == 1 ? fmt::format("{} of 1 line (n = 1, no interval)", k)
                        : fmt::format("{} of {} lines, one per seed ({})", k, n_lines, Ci(ci));
  };
  verdicts.push_back({"C13", "SWA sits on the flat side of the SWA-SGD line",
                      n_lines == 0 ? "not run" : Word(c13_holds == n_lines, c13_fails == n_lines),
                      n_lines == 0 ? std::string("no line")
                                   : fmt::format("{} show all three orderings: {}",
                                                 line_count(c13_holds), c13_lines),
                      "line"});
  verdicts.push_back(
      {"C14", "moving past SWA toward the flat side does not hurt",
       n_lines == 0 ? "not run" : Word(c14_holds == n_lines, c14_fails == n_lines),
       n_lines == 0 ? std::string("no line")
                    : fmt::format("{} within +1%: test loss at alpha = -0.25 {} (holds within +1%, "
                                  "fails beyond +5%)",
                                  line_count(c14_holds), c14_lines),
       "line"});
  verdicts.push_back(
      {"C15", "BN is a major cause (no-BN profiles closer to symmetric)",
       Word(WidthAbove(bn_f, nobn_f), WidthAbove(nobn_f, bn_f)),
       fmt::format(
           "filter-normalized directions at SWA, median |log10 width ratio| at the "
           "largest matched height: BN {} over {} of {} profiles ({}); BN-free {} over {} of "
           "{} ({})",
           MedianText(bn_f.median_abs_log_width_ratio, bn_f.median_abs_log_width_ratio_ci),
           bn_f.n_width, bn_f.n, SampleText(bn_f),
           MedianText(nobn_f.median_abs_log_width_ratio, nobn_f.median_abs_log_width_ratio_ci),
           nobn_f.n_width, nobn_f.n, SampleText(nobn_f)),
       "asymmetry"});
  // Without asymmetry in the ReLU network there is nothing for softplus to reproduce.
  verdicts.push_back(
      {"C16", "not a ReLU artefact (softplus)",
       soft_u.n == 0          ? "not run"
       : !at_least_half(bn_u) ? "inconclusive"
                              : Word(at_least_half(soft_u), below_half(soft_u)),
       soft_u.n == 0 ? std::string("this preset trains no softplus network (presets small, gpu do)")
                     : fmt::format("uniform01 at SWA: softplus BN network {}; ReLU BN network {}",
                                   soft_u.DescribeCount(), bn_u.DescribeCount()),
       "asymmetry"});
  verdicts.push_back(
      {"C17", "sign agreement drives the asymmetry (Li et al. 2024)",
       Word(Above(bn_u, bn_g) && Above(bn_s, bn_g) && Above(bn_u, gamma_u),
            Above(bn_g, bn_u) && Above(bn_g, bn_s)),
       fmt::format("BN at SWA, median |log10 ratio|: uniform01 {} (sign agreement {}; {}), sign "
                   "{} ({}; {}), gaussian {} ({}; {}); gamma ~ N(0, 0.1): uniform01 {} ({})",
                   MedianText(bn_u.median_abs_log_ratio, bn_u.median_abs_log_ratio_ci),
                   ShortNumber(bn_u.median_sign_agreement), SampleText(bn_u),
                   MedianText(bn_s.median_abs_log_ratio, bn_s.median_abs_log_ratio_ci),
                   ShortNumber(bn_s.median_sign_agreement), SampleText(bn_s),
                   MedianText(bn_g.median_abs_log_ratio, bn_g.median_abs_log_ratio_ci),
                   ShortNumber(bn_g.median_sign_agreement), SampleText(bn_g),
                   MedianText(gamma_u.median_abs_log_ratio, gamma_u.median_abs_log_ratio_ci),
                   SampleText(gamma_u)),
       "asymmetry"});
  verdicts.push_back(SwaBiasVerdict(swa_bias, seed));
  return verdicts;
}

}  // namespace valleys::realnets
