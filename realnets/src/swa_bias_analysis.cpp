// C18's analysis of one direction and the statistics over directions (swa_bias_analysis.hpp).
#include "valleys/realnets/swa_bias_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/realnets/asymmetric_quadratic_fit.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/sgd_chain.hpp"

namespace valleys::realnets {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Mean(const std::vector<double>& v, std::size_t begin, std::size_t end) {
  double s = 0;
  for (std::size_t i = begin; i < end; ++i) s += v[i];
  return s / static_cast<double>(end - begin);
}

// The sample sd (n - 1) of all values.
double Sd(const std::vector<double>& v, double mean) {
  if (v.size() < 2) return 0;
  double s = 0;
  for (double x : v) s += (x - mean) * (x - mean);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

// Solves one chain on the fitted profile; false (with the reason) when it is invalid or refused.
bool SolveChain(const theory::QuadraticProfile& profile, const theory::ChainOptions& options,
                bool minus_flat, double* bias, double* p_flat, double* sd, std::string* failure) {
  std::string invalid;
  if (!options.IsValid(profile, &invalid)) {
    *failure = invalid;
    return false;
  }
  theory::SolverOptions solver;
  solver.max_bytes = 1e9;  // a 2-D grid beyond 1 GB is refused (the reason says so)
  try {
    theory::ExactChain exact(profile, options, solver);
    const theory::StationaryStats st = exact.Stationary();
    *bias = st.mean;
    *p_flat = minus_flat ? 1.0 - st.p_pos : st.p_pos;
    *sd = std::sqrt(exact.Variance().var_x);
    return true;
  } catch (const std::exception& e) {
    *failure = e.what();
    return false;
  }
}

}  // namespace

bool SwaBiasGates::IsValid(std::string* why) const {
  const auto fail = [&](const std::string& m) {
    if (why) *why = m;
    return false;
  };
  if (!(max_sd_ratio > 1 && std::isfinite(max_sd_ratio)))
    return fail(fmt::format("SwaBiasGates::max_sd_ratio = {} (allowed: > 1)", max_sd_ratio));
  if (!(max_halves_shift > 0 && std::isfinite(max_halves_shift)))
    return fail(
        fmt::format("SwaBiasGates::max_halves_shift = {} (allowed: > 0)", max_halves_shift));
  if (min_side_points < 2 || min_side_points > 50)
    return fail(
        fmt::format("SwaBiasGates::min_side_points = {} (allowed: 2..50)", min_side_points));
  return true;
}

double HalvesShift(const std::vector<double>& values) {
  const std::size_t n = values.size();
  if (n < 4) return kNaN;
  const double sd = Sd(values, Mean(values, 0, n));
  if (!(sd > 0)) return kNaN;
  const std::size_t half = n / 2;
  return (Mean(values, n - half, n) - Mean(values, 0, half)) / sd;
}

double SlopeThroughOrigin(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.empty() || x.size() != y.size()) return kNaN;
  double xy = 0, xx = 0;
  for (std::size_t i = 0; i < x.size(); ++i) xy += x[i] * y[i], xx += x[i] * x[i];
  return xx > 0 ? xy / xx : kNaN;
}

SignPermutationTest SignAgreementPermutation(const std::vector<double>& measured,
                                             const std::vector<double>& predicted, int permutations,
                                             std::uint64_t seed) {
  if (measured.size() != predicted.size())
    throw std::invalid_argument(fmt::format(
        "SignAgreementPermutation: {} measured and {} predicted values (allowed: as many)",
        measured.size(), predicted.size()));
  if (permutations < 1)
    throw std::invalid_argument(
        fmt::format("SignAgreementPermutation: permutations = {} (allowed: >= 1)", permutations));
  std::vector<int> m, p;  // the signs of the usable pairs
  for (std::size_t i = 0; i < measured.size(); ++i)
    if (std::isfinite(measured[i]) && std::isfinite(predicted[i]) && measured[i] != 0 &&
        predicted[i] != 0) {
      m.push_back(measured[i] > 0 ? 1 : -1);
      p.push_back(predicted[i] > 0 ? 1 : -1);
    }
  SignPermutationTest r;
  r.n = static_cast<int>(m.size());
  r.permutations = permutations;
  if (r.n == 0) {
    r.rate = r.baseline = kNaN;
    return r;
  }
  const auto rate = [&](const std::vector<int>& q) {
    int agree = 0;
    for (std::size_t i = 0; i < m.size(); ++i) agree += m[i] == q[i];
    return static_cast<double>(agree) / static_cast<double>(m.size());
  };
  r.rate = rate(p);
  std::mt19937_64 rng(seed);
  double sum = 0;
  int at_least = 0;
  std::vector<int> q = p;
  for (int k = 0; k < permutations; ++k) {
    // Fisher-Yates with the engine's raw output, so that the draws do not depend on the
    // standard library's distributions.
    for (std::size_t i = q.size() - 1; i > 0; --i) std::swap(q[i], q[rng() % (i + 1)]);
    const double x = rate(q);
    sum += x;
    at_least += x >= r.rate - 1e-12;
  }
  r.baseline = sum / permutations;
  r.p_value = (1.0 + at_least) / (1.0 + permutations);
  return r;
}

void AnalyseSwaBiasDirection(const SwaBiasDirectionData& data, double kappa,
                             const SwaBiasGates& gates, SwaBiasRow* row) {
  std::string why;
  if (!gates.IsValid(&why)) throw std::invalid_argument(why);
  if (!(kappa > 1 && std::isfinite(kappa)))
    throw std::invalid_argument(
        fmt::format("AnalyseSwaBiasDirection: kappa = {} (allowed: > 1)", kappa));
  const std::vector<double>& t = data.offsets;
  row->snapshots = static_cast<int>(t.size());
  row->mean = t.empty() ? kNaN : Mean(t, 0, t.size());
  row->sd = Sd(t, row->mean);
  row->skewness = kNaN;
  if (row->sd > 0) {
    double s3 = 0;
    for (double x : t) s3 += std::pow(x - row->mean, 3);
    row->skewness = s3 / static_cast<double>(t.size()) / std::pow(row->sd, 3);
  }
  row->halves_shift = HalvesShift(t);
  row->eta_eff = data.lr / (1.0 - data.momentum);
  {
    const std::vector<double>& g = data.grad_projections;
    row->noise_std = g.size() < 2 ? kNaN : Sd(g, Mean(g, 0, g.size()));
  }
  const auto& c = data.curve;
  std::vector<double> phi(c.t.size());
  for (std::size_t i = 0; i < c.t.size(); ++i)
    phi[i] = c.train_loss[i] + data.weight_decay * (data.w_dot_d * c.t[i] + 0.5 * c.t[i] * c.t[i]);
  const SymmetricWindowFit window =
      FitAsymmetricQuadraticSymmetric(c.t, phi, gates.min_side_points);
  const AsymmetricQuadraticFit& fit = window.fit;
  row->window_half_width = window.half_width;
  row->window_below = window.below;
  row->window_above = window.above;
  const auto refuse = [&](const std::string& reason) { row->not_admitted = reason; };
  if (!fit.interior) {
    row->minimum = kNaN;
    row->why_not = window.why_not;
    refuse("no fit: " + window.why_not);
    return;
  }
  row->minimum = fit.m;
  row->h_plus = fit.h_plus;
  row->h_minus = fit.h_minus;
  row->fit_r2 = fit.r2;
  if (!(fit.h_plus > 0 && fit.h_minus > 0)) {
    row->why_not = fmt::format("a fitted curvature is not positive (h+ = {:.3g}, h- = {:.3g})",
                               fit.h_plus, fit.h_minus);
    refuse("no fit: " + row->why_not);
    return;
  }
  row->ratio = fit.h_minus / fit.h_plus;
  row->flat_side = row->ratio >= kappa         ? theory::Side::kPositive
                   : row->ratio <= 1.0 / kappa ? theory::Side::kNegative
                                               : theory::Side::kNone;
  const bool minus_flat = row->flat_side == theory::Side::kNegative;
  row->measured_bias = row->mean - fit.m;
  {
    int flat = 0;
    for (double x : t) flat += minus_flat ? x < fit.m : x > fit.m;
    row->measured_p_flat = t.empty() ? kNaN : static_cast<double>(flat) / t.size();
  }
  theory::QuadraticOptions q;
  q.hplus = fit.h_plus;
  q.hminus = fit.h_minus;
  if (!q.IsValid(&why)) {
    row->why_not = why;
    refuse("no fit: " + why);
    return;
  }
  const theory::QuadraticProfile profile(q);
  theory::ChainOptions chain;
  chain.eta = data.lr;
  chain.momentum = data.momentum;
  chain.nesterov = data.nesterov;
  chain.noise = theory::LawKind::kGaussian;
  chain.noise_std = row->noise_std;
  theory::ChainOptions folded = chain;
  folded.eta = row->eta_eff;
  folded.momentum = 0;
  folded.nesterov = false;
  std::string folded_failure;
  row->predicted = SolveChain(profile, chain, minus_flat, &row->predicted_bias,
                              &row->predicted_p_flat, &row->predicted_sd, &row->why_not);
  row->folded = SolveChain(profile, folded, minus_flat, &row->folded_bias, &row->folded_p_flat,
                           &row->folded_sd, &folded_failure);
  // The gates, in the order the rule states them.
  row->sd_ratio = row->predicted && row->predicted_sd > 0 ? row->sd / row->predicted_sd : kNaN;
  if (!row->predicted)
    refuse("the chain was not solved: " + row->why_not);
  else if (!window.ok)
    refuse(window.why_not);
  else if (!(row->sd_ratio >= 1.0 / gates.max_sd_ratio && row->sd_ratio <= gates.max_sd_ratio))
    refuse(fmt::format("the iterates' sd is {:.3g} x the chain's (allowed: 1/{:g} .. {:g})",
                       row->sd_ratio, gates.max_sd_ratio, gates.max_sd_ratio));
  else if (!(std::abs(row->halves_shift) <= gates.max_halves_shift))
    refuse(fmt::format("the iterates' halves differ by {:.3g} sd (allowed: {:g}): not stationary",
                       row->halves_shift, gates.max_halves_shift));
  row->admitted = row->not_admitted.empty();
}

}  // namespace valleys::realnets
