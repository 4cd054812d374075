// Real networks on CIFAR-10 with LibTorch: the model zoo, SGD/SWA training with the exact BN
// recompute, SGD-after-SWA, and the probes (profiles along random directions, the SWA<->SGD line,
// the top Hessian eigenvalue). This header has no LibTorch types, so callers compile fast; the
// implementation lives in models.cpp, training.cpp and probes.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "valleys/realnets/cifar.hpp"
#include "valleys/realnets/profile_analysis.hpp"
#include "valleys/realnets/train_state.hpp"

namespace valleys::realnets {

struct ModelSpec {
  std::string arch = "preresnet";  // preresnet | vgg16 | wrn
  std::string block = "basic";     // preresnet: basic (depth 6k + 2) | bottleneck (depth 9k + 2)
  int depth = 8;  // preresnet: 20 = PreResNet-20, 164 (bottleneck) = PreResNet-164; wrn: 6n + 4
                  // (28 = WRN-28); vgg16: 16
  int width = 8;  // channels of the first stage (standard: preresnet 16, wrn 16, vgg16 64)
  int widen = 1;  // wrn: widening factor k (WRN-28-10: 10); stage widths widen * (w, 2w, 4w)
  bool batch_norm = true;           // false: BN layers replaced by identities (the BN-free twin)
  std::string activation = "relu";  // relu | sigmoid | softplus
  std::string bn_init = "ones";     // BN gamma init: ones | uniform01 | normal01 (N(0, 0.1))
  bool IsValid(std::string* why) const;
  std::string Describe() const;
};

long long CountParameters(const ModelSpec& spec);

struct TrainOptions {
  ModelSpec model;
  std::string data_dir;
  Subset subset = Subset::kSmall;
  int train_size = 0;  // first N training images (0: all of the chosen set)
  int test_size = 0;   // first N test images (0: all)
  int epochs = 4;      // the schedule's shape scales with this
  double lr_init = 0.05;
  // swa: the authors' SWA recipe (S = swa_start_fraction * E; lr_init until 0.5 S, linear to
  // lr_init / 2 at 0.9 S, then constant; weights averaged at the end of each epoch >= S).
  // sgd: the plain-SGD baseline (the same shape over all E epochs, decaying to 0.01 lr_init; no
  // averaging).
  std::string schedule = "swa";
  double swa_start_fraction = 0.56;
  double momentum = 0.9, weight_decay = 3e-4;
  int batch = 128;
  std::uint64_t seed = 1;
  bool augment = true;  // random crop (pad 4) + horizontal flip
  int bn_batches = 0;   // BN recompute over the first N batches (0: one full pass, exact)
  int threads = 2;
  std::string device = "cpu";  // cpu | cuda (when LibTorch has CUDA)
  std::string out_dir;         // checkpoints sgd.pt and swa.pt, training state (empty: not saved)
  // With out_dir set, the full training state (model, optimizer, SWA average, RNG, epoch rows) is
  // saved after every epoch; resume continues from it (refusing a state of other options), so a
  // run killed at any moment and resumed ends with the same numbers as an uninterrupted one.
  bool resume = false;
  bool IsValid(std::string* why) const;
  std::string Fingerprint() const;  // everything that changes the numbers
};

struct TrainSummary {
  std::vector<EpochRow> epochs;
  double sgd_test_loss = 0, sgd_test_acc = 0, swa_test_loss = 0, swa_test_acc = 0;
  double swa_train_loss = 0, sgd_train_loss = 0;  // eval mode, clean training images
  bool has_swa = false;
  long long parameters = 0;
  double train_images_per_s = 0;
};

double LearningRate(const TrainOptions& options, int epoch);  // epoch 0-based

// Trains and writes out_dir/sgd.pt (the last iterate) and, with the swa schedule, out_dir/swa.pt
// (the average, its BN statistics recomputed). on_epoch sees every finished epoch.
TrainSummary Train(const TrainOptions& options,
                   const std::function<void(const EpochRow&)>& on_epoch = {});

// protocol.md §2: plain SGD restarted from swa.pt at a constant small rate; after each epoch the BN
// statistics are recomputed and the eval-mode losses on the clean training images and the test set
// are compared with the SWA model's. The first epoch with a lower training loss and a higher test
// loss is accepted and written to out_dir/sgd_after_swa.pt (without one, the last epoch is written
// and accepted_epoch is 0).
struct SgdAfterSwaOptions {
  TrainOptions base;  // model, data, batch, momentum, weight decay, seed, out_dir (with swa.pt)
  double lr = 0.001;
  int max_epochs = 50;
  bool IsValid(std::string* why) const;
};
struct SgdAfterSwaRow {
  int epoch = 0;
  double train_loss = 0, test_loss = 0, test_acc = 0;
  bool accepted = false;
};
struct SgdAfterSwaResult {
  double swa_train_loss = 0, swa_test_loss = 0, swa_test_acc = 0;
  std::vector<SgdAfterSwaRow> rows;
  int accepted_epoch = 0;
};
SgdAfterSwaResult SgdAfterSwa(const SgdAfterSwaOptions& options,
                              const std::function<void(const SgdAfterSwaRow&)>& on_epoch = {});

// What every probe point evaluates.
struct ProbeOptions {
  TrainOptions base;                  // model, data, batch, threads, device; out_dir: checkpoints
  std::string bn_mode = "recompute";  // recompute (at every point) | frozen (the centre's stats)
  int eval_size = 2000;  // training images used for the BN recompute and the training loss
  bool augmented_train_eval = false;  // training loss on augmented images (the authors' loader)
  bool IsValid(std::string* why) const;
};

struct ProbeCurve {
  std::vector<double> t, train_loss, train_acc, test_loss, test_acc;
};

// A checkpoint name (sgd, swa, sgd_after_swa: files in out_dir) or a path ending in .pt, taken as
// given (relative to the working directory).
std::string CheckpointPath(const TrainOptions& base, const std::string& checkpoint);
// What output file names call a checkpoint: the name itself, or a path's file name without .pt.
std::string CheckpointName(const std::string& checkpoint);

// The direction laws of a profile (ProfileOptions::law). A law's code, its 1-based position
// here, enters the direction's random stream and the experiment's figure data.
inline constexpr std::array<const char*, 4> kDirectionLaws = {"uniform01", "gaussian", "sign",
                                                              "filter"};
// 1..4 for a law of kDirectionLaws, 0 for any other string.
inline int DirectionLawCode(const std::string& law) {
  for (std::size_t i = 0; i < kDirectionLaws.size(); ++i)
    if (law == kDirectionLaws[i]) return static_cast<int>(i) + 1;
  return 0;
}

struct ProfileOptions {
  ProbeOptions probe;
  std::string checkpoint = "swa";
  // uniform01 (the authors': U(0,1) coordinates), gaussian (zero mean), sign (|e| sign(w)): scaled
  // to unit L2 norm over all perturbed parameters; filter: Gaussian, filter-normalized against the
  // weights (Li et al. 2018), not rescaled (t = 1 moves every filter by its own norm).
  std::string law = "uniform01";
  bool include_bn = true;       // BN gamma/beta perturbed too
  bool filter_copy_1d = false;  // filter law: 1-D parameters zero (false) or equal to the weights
  int direction = 0;            // direction index: stream seed, direction, law
  double range = 1.0;           // offsets t in [-range, range]
  int points = 21;              // odd, includes t = 0
  bool IsValid(std::string* why) const;
};

struct ProfileResult {
  ProbeCurve curve;
  // Fraction of the coordinates where the direction and the weights are both non-zero that have
  // the same sign.
  double sign_agreement = 0;
  double direction_norm = 0;  // L2 norm of the direction (1 except for the filter law)
  long long perturbed = 0;    // coordinates the direction touches
  ProfileScore train_score, test_score;
  std::string checkpoint_sha256;  // of the checkpoint file measured
};

ProfileResult Profile(const ProfileOptions& options);

// protocol.md §2: w(alpha) = w_from + alpha (w_to - w_from) over all learnable parameters (BN
// gamma/beta included, buffers excluded), alpha on a uniform grid from alpha_lo to alpha_hi.
struct LineOptions {
  ProbeOptions probe;
  std::string from = "swa", to = "sgd_after_swa";
  double alpha_lo = -2, alpha_hi = 3;
  int points = 201;  // the grid must hold alpha = 0 and alpha = 1
  bool IsValid(std::string* why) const;
};
struct LineResult {
  ProbeCurve curve;                    // t = alpha
  double distance = 0;                 // ||w_to - w_from||
  std::string from_sha256, to_sha256;  // of the two checkpoint files
  // Mean slopes of the training loss beyond each end: over alpha in [1, 1 + s] (past `to`) and
  // over [-s, 0] (past `from`, sign flipped so that rising away from `from` is positive), s = 1.
  double slope_beyond_to = 0, slope_beyond_from = 0;
};
LineResult Line(const LineOptions& options);

// Top eigenvalue of the Hessian of the mean training loss (eval mode: BN statistics frozen) at a
// checkpoint, by power iteration on Hessian-vector products (double backward) over the first
// sample_size training images.
struct HessianOptions {
  TrainOptions base;
  std::string checkpoint = "swa";
  int sample_size = 1000;
  int iterations = 20;
  double tolerance = 1e-3;  // stop when the Rayleigh quotient changes by less (relative)
  bool IsValid(std::string* why) const;
};
struct HessianResult {
  double top_eigenvalue = 0;
  int iterations = 0;
  bool converged = false;
  std::vector<double> history;
  std::string checkpoint_sha256;  // of the checkpoint file measured
};
HessianResult TopHessianEigenvalue(const HessianOptions& options);

// Whether this LibTorch can run on `device` ("cpu" always; "cuda" when built with CUDA and a GPU is
// present).
bool DeviceAvailable(const std::string& device);

}  // namespace valleys::realnets
