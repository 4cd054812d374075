// Theorem 2 on a real network (claim C18): where the SWA average sits along a direction, as the
// SGD iterates of the SWA phase measure it and as the exact SGD chain on the measured training
// profile along that direction predicts it.
//
// Along a unit direction d through the SWA solution w_swa, an iterate w_k of the SWA phase has the
// offset t_k = <w_k - w_swa, d>. The measured side: the distribution of the t_k (mean, spread,
// skewness) and where their mean sits relative to the minimizer t_min of the training objective
// along d. The predicted side, under the 1-D model of the companion theory:
//   t' = t - eta_eff (phi'(t) + omega),  phi(t) = L(w_swa + t d) + (wd / 2) |w_swa + t d|^2,
// with L the measured eval-mode training loss (BN recomputed at every point, clean images). At the
// scale of the iterates' spread the rises are 1e-6 to 1e-3 nats, where float32 evaluation noise
// gives an interpolant of the points (theory::TableProfile) spurious curvature beyond the chain's
// stability limit; phi enters as its least-squares asymmetric-quadratic fit
// c + (h+ / 2) (t - t_min)_+^2 + (h- / 2) (t - t_min)_-^2 (theory::QuadraticProfile), fitted on
// the window of the profile symmetric about t_min. The chain is the exact heavy-ball (or
// Nesterov) chain at the run's rate and momentum on the 2-D state (t, eta v); the plain chain at
// the folded rate lr / (1 - momentum) is reported beside it. omega is Gaussian with the standard
// deviation of the per-batch gradients' projections <g_b, d> at w_swa (training mode, augmented
// batches, as the optimizer sees them), state-independent. The exact chain (theory::ExactChain)
// gives E[t] - t_min, P(t on the flat side of t_min) and the stationary sd, which the admission
// gates (SwaBiasGates) compare with the iterates' own.
//
// Assumptions this makes and does not test: the iterates' motion along d is a 1-D chain driven by
// the profile through w_swa (the other coordinates enter only through the noise); the noise does
// not depend on the position; the eval-mode clean-image loss is the function SGD descends (it
// descends the training-mode augmented one). No LibTorch types here; swa_bias.cpp implements it.
#pragma once

#include <string>
#include <vector>

#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/realnets/probes.hpp"

namespace valleys::realnets {

// A direction is admitted to C18's statistic when all three gates pass.
struct SwaBiasGates {
  // The iterates' sd lies within [1/max_sd_ratio, max_sd_ratio] times the exact chain's
  // stationary sd (> 1): the chain reproduces the spread it is asked to place.
  double max_sd_ratio = 2;
  // |mean of the second half of the iterates - mean of the first half| <= max_halves_shift x sd
  // (> 0): the iterates are in a stationary phase, not drifting.
  double max_halves_shift = 0.5;
  // The fit window is symmetric about the fitted minimum t_min and holds at least this many
  // profile points on each side of it (>= 2).
  int min_side_points = 3;
  bool IsValid(std::string* why) const;
};

struct SwaBiasOptions {
  // The SWA run: base.out_dir holds swa.pt and the iterates recorded in training
  // (TrainOptions::record_every > 0), base its model, data, rate schedule, momentum and weight
  // decay. bn_mode and eval_size as for every profile.
  ProbeOptions probe;
  // Random directions (law, index, masks; range and points unused), each scaled to unit norm.
  std::vector<ProfileOptions> directions;
  int principal_components = 2;  // the top principal components of the iterates, also probed
  int points = 15;               // offsets per profile (odd, >= 7)
  // Profile half-range: this many standard deviations of the t_k (> 0); where the fitted
  // objective has no minimum inside, measured again at 4 and 16 times the range.
  double range_sd = 4;
  int noise_batches = 32;  // per-batch gradients at w_swa for the noise scale (>= 4)
  // The asymmetry of the objective at this scale: the fitted curvature ratio h- / h+ (the rise
  // ratio at matched distance from t_min); a side is flat when the ratio is at least kappa in its
  // favour. The rises at this scale lie far below the profiles' 0.01-nat floor, so there is none.
  double kappa = 1.5;
  SwaBiasGates gates;  // C18's admission of a direction
  bool IsValid(std::string* why) const;
};

struct SwaBiasRow {
  std::string direction;  // "uniform01 #0", "pc1"
  int snapshots = 0;      // iterates projected
  // The offsets t_k of the iterates from w_swa along the direction.
  double mean = 0, sd = 0, skewness = 0;
  double range = 0;    // the profile's half-range (range_sd * sd)
  ProbeCurve curve;    // training and test loss along the direction (t = 0: w_swa)
  double minimum = 0;  // t_min of the fit (NaN when phi falls toward an end of the profile)
  double h_plus = 0, h_minus = 0, fit_r2 = 0;    // the fit's curvatures and its R^2
  double ratio = 0;                              // h- / h+ (> 1: the positive side is flatter)
  theory::Side flat_side = theory::Side::kNone;  // kNone unless ratio or 1/ratio >= kappa
  double measured_bias = 0;                      // mean - t_min
  double measured_p_flat = 0;  // fraction of the t_k on the flat side of t_min (+ side when none)
  double eta_eff = 0, noise_std = 0;
  // The prediction: the exact chain of heavy-ball SGD at the run's rate and momentum (2-D state).
  bool predicted = false;  // the chain was solved
  std::string why_not;     // why it was not (no interior minimum, unstable chain, ...)
  double predicted_bias = 0, predicted_p_flat = 0, predicted_sd = 0;  // E[t] - t_min, P, sd
  // Beside it, the plain chain at the folded rate eta_eff = lr / (1 - momentum).
  bool folded = false;
  double folded_bias = 0, folded_p_flat = 0, folded_sd = 0;
  // The admission gates (SwaBiasGates): the fit window [t_min - w, t_min + w] and its points
  // below and above t_min; the iterates' halves' shift in sd; their sd over the predicted one.
  double window_half_width = 0;
  int window_below = 0, window_above = 0;
  double halves_shift = 0, sd_ratio = 0;
  bool admitted = false;
  std::string not_admitted;  // the first gate that failed (empty when admitted)
};

struct SwaBiasResult {
  std::vector<SwaBiasRow> rows;  // the random directions in order, then pc1, pc2, ...
  int snapshots = 0;             // iterates recorded
  std::vector<int> epochs;       // the epochs they come from
  double lr = 0, momentum = 0, weight_decay = 0;
  // As measured: SwaBiasOptions::range_sd and noise_batches, and the batch size of the noise.
  double range_sd = 0;
  int noise_batches = 0, batch = 0;
  std::string model_description, checkpoint_sha256;
  // The variance fraction of each principal component among the iterates.
  std::vector<double> pc_variance_fraction;
  // Cosines between the rows' directions (row-major, unit diagonal), for EffectiveCount.
  std::vector<double> cosines;
};

// Throws std::invalid_argument for invalid options and std::runtime_error when the run folder has
// no recorded iterates. `progress` counts the directions measured.
SwaBiasResult MeasureSwaBias(const SwaBiasOptions& options, const ProbeProgress& progress = {});

}  // namespace valleys::realnets
