// SGD/SWA training of a model-zoo network on CIFAR-10 (the authors' SWA recipe, the exact BN
// recompute, a resumable training state) and SGD restarted from the SWA solution. No LibTorch
// types here; the implementation is training.cpp.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "valleys/realnets/cifar.hpp"
#include "valleys/realnets/model_spec.hpp"
#include "valleys/realnets/train_state.hpp"

namespace valleys::realnets {

struct TrainOptions {
  ModelSpec model;
  std::string data_dir;
  Subset subset = Subset::kSmall;
  // Probes only: the user's own data instead of CIFAR-10, each a file of Python's torch.save({
  // "images": float32 [N, C, H, W] normalized as the model expects, "labels": int64 [N]}). Both
  // or neither; train_size and test_size take their first N.
  std::string train_data, test_data;
  int train_size = 0;  // first N training images (0: all of the chosen set)
  int test_size = 0;   // first N test images (0: all)
  int epochs = 4;      // the schedule's shape scales with this
  double lr_init = 0.05;
  // swa: the authors' SWA recipe (S = swa_start_fraction * E; lr_init until 0.5 S, linear to
  // lr_init / 2 at 0.9 S, then constant; weights averaged at the end of each epoch >= S).
  // sgd: the plain-SGD baseline (the same shape over all E epochs, decaying to 0.01 lr_init; no
  // averaging).
  // airbench: the fast recipe of the airbench network (airbench_recipe.hpp): E decayed epochs,
  // then swa_epochs averaged epochs at swa_lr_factor x lr_init. AirbenchOptions() gives its
  // standard values.
  Schedule schedule = Schedule::kSwa;
  int swa_epochs = 0;          // airbench: constant-rate averaged epochs after the decayed ones
  double swa_lr_factor = 0.1;  // airbench: their rate, a multiple of lr_init
  // The training loss and accuracy at the solutions (TrainSummary) on the first N clean training
  // images (0: all of them). airbench only; the other schedules use all.
  int centre_eval_size = 0;
  // airbench: the gradient of a batch accumulated over micro-batches of this many images (their BN
  // statistics their own: ghost batch norm), 0: the whole batch at once. On 2 CPU cores batches
  // of 256 run about twice as fast per image as batches of 1024 (caches).
  int micro_batch = 0;
  // airbench: adaptive gradient clipping (Brock et al. 2021, the NFNets), 0: off. Before each
  // step every unit's gradient (a weight's slice along its first dimension; a 1-D parameter whole)
  // is scaled down, where it is longer, to adaptive_clip x max(the unit's weight norm, 1e-3) in L2
  // norm; the head (the last layer) is left out, as in the NFNets. For a BN-free network, whose
  // steps no normalization keeps in proportion to its weights.
  double adaptive_clip = 0;
  double swa_start_fraction = 0.56;
  double momentum = 0.9, weight_decay = 3e-4;
  int batch = 128;
  std::uint64_t seed = 1;
  bool augment = true;  // random crop (pad 4) + horizontal flip
  int bn_batches = 0;   // BN recompute over the first N batches (0: one full pass, exact)
  int threads = 2;
  Device device = Device::kCpu;  // CUDA when LibTorch has it
  std::string out_dir;           // checkpoints sgd.pt and swa.pt, training state (empty: not saved)
  // With out_dir set, the full training state (model, optimizer, SWA average, RNG, epoch rows) is
  // saved after every epoch; resume continues from it (refusing a state of other options), so a
  // run killed at any moment and resumed ends with the same numbers as an uninterrupted one.
  bool resume = false;
  // SWA schedule, for the C18 measurement (swa_bias.hpp): in every averaged epoch N, the
  // flattened learnable parameters (float32, named-parameter order) after every record_every-th
  // optimizer step, saved with out_dir as IteratesPath(out_dir, N), a [k, parameters] tensor.
  // 0: none. Reads the parameters only, so it is not in the fingerprint.
  int record_every = 0;
  bool IsValid(std::string* why) const;
  std::string Fingerprint() const;  // everything that changes the numbers
};

// The iterates recorded in averaged epoch `epoch` (1-based): out_dir/iterates_e<epoch>.pt.
std::string IteratesPath(const std::string& out_dir, int epoch);
// The first averaged epoch (1-based): the SWA schedule's smallest N with N >= swa_start_fraction x
// epochs; the airbench schedule's epochs + 1.
int FirstAveragedEpoch(const TrainOptions& options);
// All epochs of a run: epochs, and for the airbench schedule epochs + swa_epochs.
int TotalEpochs(const TrainOptions& options);

// The airbench recipe's standard options (after airbench94, which reaches 94% test accuracy with
// test-time augmentation on CIFAR-10): the airbench network of width 64 with GELU, batch 1024,
// 12 decayed epochs, lr_init 1.5 on the mean loss (airbench94's 11.5 per 1024 examples on the
// summed loss with its momentum scaling: 11.5 / (1 + 1 / 0.15)), Nesterov momentum 0.85, weight
// decay 0.0013304 (airbench94's 0.0153 per 1024 examples: 0.0153 / (1 + 1 / 0.15) / 1.5), then
// 2 averaged epochs at 0.1 x lr_init; micro-batches of 256; the full set, augmented.
TrainOptions AirbenchOptions();

struct TrainSummary {
  std::vector<EpochRow> epochs;
  double sgd_test_loss = 0, sgd_test_acc = 0, swa_test_loss = 0, swa_test_acc = 0;
  double swa_train_loss = 0, sgd_train_loss = 0;  // eval mode, clean training images
  double swa_train_acc = 0, sgd_train_acc = 0;    // the same images
  // airbench: test accuracy with test-time augmentation (6 views; NaN for the other schedules)
  double sgd_test_acc_tta = std::nan(""), swa_test_acc_tta = std::nan("");
  bool has_swa = false;
  long long parameters = 0;
  double train_images_per_s = 0;
  // Seconds in the optimizer's epochs of this call (train_seconds: their steps only; run_seconds:
  // the epochs' rows, saved states included, on resume also the earlier calls' epochs).
  double train_seconds = 0, run_seconds = 0;
};

double LearningRate(const TrainOptions& options, int epoch);  // epoch 0-based

// Trains and writes out_dir/sgd.pt (the last iterate) and, with the swa schedule, out_dir/swa.pt
// (the average, its BN statistics recomputed). on_epoch sees every finished epoch.
// `on_epoch` sees each epoch's row (on resume, the saved rows first); `on_step` the optimizer
// steps done of the run's total (epochs x ceil(training images / batch)), after every step.
TrainSummary Train(const TrainOptions& options,
                   const std::function<void(const EpochRow&)>& on_epoch = {},
                   const std::function<void(long long done, long long total)>& on_step = {});

// protocol.md §2: plain SGD restarted from swa.pt at a constant small rate; after each epoch the BN
// statistics are recomputed and the eval-mode losses on the clean training images and the test set
// are compared with the SWA model's. The first epoch with a lower training loss and a higher test
// loss is accepted and written to out_dir/sgd_after_swa.pt (without one, the last epoch is written
// and accepted_epoch is 0).
struct SgdAfterSwaOptions {
  TrainOptions base;  // model, data, batch, momentum, weight decay, seed, out_dir (with swa.pt)
  double lr = 0.001;
  int max_epochs = 50;
  // true: stop at the first epoch whose training loss is below SWA's and test loss above it (the
  // accepted epoch), else at max_epochs; false: run exactly max_epochs (the SGD end chosen
  // independently of the orderings the line tests); sgd_after_swa.pt is the last epoch's network.
  bool stop_when_accepted = true;
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

// A checkpoint name (sgd, swa, sgd_after_swa: files NAME.pt in out_dir; a name has no dot and
// no slash) or a file path, taken as given (relative to the working directory).
std::string CheckpointPath(const TrainOptions& base, const std::string& checkpoint);
// What output file names call a checkpoint: the name itself, or a path's file name without its
// extension.
std::string CheckpointName(const std::string& checkpoint);

}  // namespace valleys::realnets
