// Probes of a trained network: loss profiles along random directions (four direction laws, BN
// recomputed or frozen), the loss along the line between two checkpoints, and the top Hessian
// eigenvalue. No LibTorch types here; the implementation is probes.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/realnets/height_search.hpp"
#include "valleys/realnets/profile_analysis.hpp"
#include "valleys/realnets/training.hpp"
#include "valleys/realnets/valley_measure.hpp"

namespace valleys::realnets {

// What every probe point evaluates.
struct ProbeOptions {
  TrainOptions base;                    // model, data, batch, threads, device; out_dir: checkpoints
  BnMode bn_mode = BnMode::kRecompute;  // recompute (at every point) | frozen (the centre's)
  int eval_size = 2000;  // training images used for the BN recompute and the training loss
  bool augmented_train_eval = false;  // training loss on augmented images (the authors' loader)
  bool IsValid(std::string* why) const;
};

struct ProbeCurve {
  std::vector<double> t, train_loss, train_acc, test_loss, test_acc;
};

struct ProfileOptions {
  ProbeOptions probe;
  std::string checkpoint = "swa";
  // A TorchScript module saved from Python (torch.jit.script(model).save or a traced one) to probe
  // instead of valleys' network: its output is the logits, the loss the mean cross-entropy, its
  // BatchNorm modules (found by type) recomputed by update_bn's rule; checkpoint and the model
  // fields of probe.base are then not used. Empty: valleys' own checkpoint.
  std::string model;
  // The law of the direction's coordinates. Scaled to unit L2 norm over the perturbed parameters:
  // uniform01 (the authors': U(0,1)), gaussian (N(0,1)), sign (|N(0,1)| sign(w)), ones (every
  // coordinate 1: the limit of uniform01 as the network grows), shifted-gaussian (N(shift_mean, 1);
  // shift_mean = 0 gives the gaussian direction of the same index), sign-agreement (|N(0,1)| with
  // the sign of w on a fraction `agreement` of the coordinates, the other sign elsewhere: Li et al.
  // 2024), logit-scale (the weights of the last layer, the module of the last parameter, and zero
  // elsewhere: t multiplies the logits by 1 + t / ||w_last||, a pure temperature change; a
  // positive control for the scale effect), hessian-top and hessian-bottom (the Hessian's
  // eigenvector of the (direction + 1)-th largest or smallest eigenvalue, read from
  // eigenvector_file, its sign chosen so that cos(d, w) >= 0). Not rescaled: filter (Gaussian,
  // filter-normalized against the weights, Li et al. 2018; t = 1 moves every filter by its own
  // norm).
  DirectionLaw law = DirectionLaw::kUniform01;
  // hessian-top and hessian-bottom only: the file that `hessian --save-eigenvectors` writes
  // ({"v1": {name: tensor}, ..., "bottom1": {...}}), of the same network.
  std::string eigenvector_file;
  double shift_mean = 1.0;  // shifted-gaussian: the coordinates' mean (|mean| <= 100)
  double agreement = 0.75;  // sign-agreement: probability that a coordinate agrees (0..1)
  // The parameters the direction touches: all, exclude-bn (BN gamma/beta zero), only-bn.
  ParameterMask mask = ParameterMask::kAll;
  // Also left out of the direction (zero; drawn anyway): the parameters whose names match this
  // shell-style pattern (fnmatch: "*.bias", "head.*", "features.[04].weight"). Empty: none.
  std::string exclude_pattern;
  // Each parameter tensor's radial component removed from the direction (d - (<d,w>/<w,w>) w, per
  // tensor, before the masks and the unit-norm scaling): moving along it does not change any
  // tensor's norm to first order, which is what BN's scale invariance makes special.
  bool remove_radial = false;
  bool filter_copy_1d = false;  // filter law: 1-D parameters zero (false) or equal to the weights
  int direction = 0;            // direction index: stream seed, direction, law
  double range = 1.0;           // offsets t in [-range, range]
  int points = 21;              // odd, includes t = 0
  // Bracketing (bracket_rise 0: the grid only). After the grid each side is extended by the grid
  // step (2 range / (points - 1)) until the training loss on that side has risen bracket_rise
  // nats above the lowest sample so far or |t| reaches bracket_limit x range; then the two
  // midpoints between the lowest sample and its neighbours are evaluated (the minimum refined).
  double bracket_rise = 0;   // nats, 0..100
  double bracket_limit = 2;  // >= 1
  bool IsValid(std::string* why) const;
};

// The law with its parameter, then the parameters it leaves out, as the command line and the
// outputs write it: "uniform01", "shifted-gaussian:mean=0.5", "sign-agreement:r=0.75",
// "sign/exclude-bn" (mask kExcludeBn; "/only-bn" for kOnlyBn), "uniform01/exclude=head.*"
// (exclude_pattern), "uniform01/no-radial" (remove_radial).
std::string DirectionLabel(const ProfileOptions& options);
// Parses such a label into options->law (and shift_mean or agreement; a parameterized law without
// its parameter keeps the default), options->mask, exclude_pattern and remove_radial (absent: left
// as they are). False, with the reason in *why naming ProfileOptions::law and *options unchanged,
// for an unknown law, an unknown or malformed parameter or mask, or a parameter of a law that takes
// none.
bool ParseDirectionLabel(const std::string& text, ProfileOptions* options, std::string* why);

struct ProfileResult {
  ProbeCurve curve;
  // Fraction of the coordinates where the direction and the weights are both non-zero that have
  // the same sign.
  double sign_agreement = 0;
  double direction_norm = 0;             // L2 norm of the direction (1 except for the filter law)
  long long perturbed = 0;               // coordinates the direction touches
  ProfileScore train_score, test_score;  // the width rule at one height (kappa = 2)
  std::string model_description;         // the network measured, in words
  long long parameter_count = 0;         // its learnable parameters
  // The training and test profiles under the declared criterion (AsymmetryCriterion defaults).
  AsymmetryReport train_asymmetry, test_asymmetry;
  // The training and test profiles measured from their minimum (MeasureValley, ValleyCriterion
  // defaults; distance_unit = weights_norm).
  ValleyMeasure train_valley, test_valley;
  double weights_norm = 0;             // L2 norm of the centre's perturbed parameters
  double direction_weight_cosine = 0;  // cos(d, w) over the perturbed parameters
  int grid_points = 0;                // of curve's points, those of the grid (the rest: bracketing)
  std::string checkpoint_sha256;      // of the checkpoint file measured
  std::string direction_file_sha256;  // of eigenvector_file (hessian laws; empty otherwise)
};

// Progress of a probe: `done` of `total` points (profile, line) or iterations (Hessian), called
// after each; the Hessian's total is its iteration cap.
using ProbeProgress = std::function<void(long long done, long long total)>;

ProfileResult Profile(const ProfileOptions& options, const ProbeProgress& progress = {});
// The result Profile(options) returns when its evaluation gave `curve` (every evaluated point,
// sorted by t, the grid's points among them): the direction, its statistics and every
// measurement, without evaluating the network. For resuming a run from its written curves.
ProfileResult ProfileFromCurve(const ProfileOptions& options, const ProbeCurve& curve);

// The cosines between the directions of `profiles` (same model, data and checkpoint; each with its
// law, direction index and masks), as a row-major m x m matrix with a unit diagonal: the Gram
// matrix of the unit directions, for realnets::EffectiveCount. Loads the checkpoint once.
std::vector<double> DirectionCosines(const std::vector<ProfileOptions>& profiles);

// The direction of a profile as a file Python reads with torch.load: a dict {parameter name:
// float32 tensor} in the checkpoint's named-parameter order (BN buffers excluded), scaled as the
// profile scales it, written by torch::pickle_save. The bytes, for the caller to write.
std::string DirectionFileBytes(const ProfileOptions& options);

// A profile that reaches stated heights (HeightSearch) instead of a fixed grid: the training loss
// drives the search; at every offset the search accepts, the test loss is evaluated with the same
// BN state. ProfileOptions::range and ::points are not used.
struct HeightPoint {
  int side = 0;       // +1 or -1
  double height = 0;  // the height sought (nats above the centre's training loss)
  double offset = 0;  // |t| of the accepted point (max_offset when censored)
  double rise = 0;    // its training-loss rise
  bool censored = false;
  double train_loss = 0, train_acc = 0, test_loss = 0, test_acc = 0;  // at side * offset
};
struct HeightProfileResult {
  HeightSearchResult search;        // the training-loss search (every evaluated point)
  std::vector<HeightPoint> points;  // per side (+1 first), per height
  double centre_test_loss = 0, centre_train_acc = 0, centre_test_acc = 0;
  double sign_agreement = 0, direction_norm = 0;
  long long perturbed = 0;
  std::string checkpoint_sha256;
  std::string model_description;
  long long parameter_count = 0;
};
// `progress` counts the accepted points of 2 x heights (a censored side has none).
HeightProfileResult ProfileAtHeights(const ProfileOptions& profile,
                                     const HeightSearchOptions& search,
                                     const ProbeProgress& progress = {});

// protocol.md §2: w(alpha) = w_from + alpha (w_to - w_from) over all learnable parameters (BN
// gamma/beta included, buffers excluded), alpha on a uniform grid from alpha_lo to alpha_hi.
struct LineOptions {
  ProbeOptions probe;
  std::string from = "swa", to = "sgd_after_swa";
  bool scripted =
      false;  // from and to are TorchScript modules (ProfileOptions::model), not checkpoints
  double alpha_lo = -2, alpha_hi = 3;
  int points = 201;  // the grid must hold alpha = 0 and alpha = 1
  bool IsValid(std::string* why) const;
};
struct LineResult {
  ProbeCurve curve;                    // t = alpha
  double distance = 0;                 // ||w_to - w_from||
  std::string from_sha256, to_sha256;  // of the two checkpoint files
  std::string model_description;       // the network measured, in words
  long long parameter_count = 0;
  // Mean slopes of the training loss beyond each end: over alpha in [1, 1 + s] (past `to`) and
  // over [-s, 0] (past `from`, sign flipped so that rising away from `from` is positive), s = 1.
  double slope_beyond_to = 0, slope_beyond_from = 0;
};
LineResult Line(const LineOptions& options, const ProbeProgress& progress = {});

// Top eigenvalue of the Hessian of the mean training loss (eval mode: BN statistics frozen) at a
// checkpoint, by power iteration on Hessian-vector products (double backward) over the first
// sample_size training images.
struct HessianOptions {
  TrainOptions base;
  std::string checkpoint = "swa";
  std::string model;  // a TorchScript module instead of the checkpoint (ProfileOptions::model)
  int sample_size = 1000;
  int iterations = 20;
  double tolerance = 1e-3;  // stop when the Rayleigh quotient changes by less (relative)
  bool IsValid(std::string* why) const;
};
// The start vector: N(0, 1) coordinates over every learnable parameter (BN gamma/beta included),
// unit norm, from its own generator (seed 7919 x TrainOptions::seed + 17).
struct HessianResult {
  double top_eigenvalue = 0;  // the last Rayleigh quotient: a result only when `converged`
  int iterations = 0;
  bool converged = false;  // the quotient changed by less than the tolerance (relative)
  double last_change = 0;  // |q_k - q_(k-1)| / |q_k| at the last iteration (NaN after one)
  std::vector<double> history;
  std::string checkpoint_sha256;  // of the checkpoint file measured
  std::string model_description;
  long long parameter_count = 0;
};
HessianResult TopHessianEigenvalue(const HessianOptions& options,
                                   const ProbeProgress& progress = {});
// "99.63 (12 it., 500 images)" when converged, else "not converged after 10 iterations (last
// change 4.1%)".
std::string HessianSummary(const HessianOptions& options, const HessianResult& result);

}  // namespace valleys::realnets
