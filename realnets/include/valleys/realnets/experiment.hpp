// Real networks on CIFAR-10 with LibTorch: a small model zoo, SGD and SWA training with the exact
// BN recompute, and loss profiles along random directions. This header has no LibTorch types, so
// callers compile fast; the implementation lives in models.cpp and experiment.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "valleys/realnets/cifar.hpp"
#include "valleys/theory/asymmetry.hpp"

namespace valleys::realnets {

struct ModelSpec {
  std::string arch = "preresnet";   // preresnet (depth 6k+2, basic blocks)
  int depth = 8;                    // 8, 14, 20, ... (PreResNet-20 = depth 20, width 16)
  int width = 8;                    // channels of the first stage (stages: w, 2w, 4w)
  bool batch_norm = true;           // false: BN layers replaced by identities (the BN-free twin)
  std::string activation = "relu";  // relu | sigmoid | softplus
  std::string bn_init = "ones";     // BN gamma init: ones | uniform01 | normal01 (N(0, 0.1))
  bool IsValid(std::string* why) const;
  std::string Describe() const;
};

long long CountParameters(const ModelSpec& spec);

struct EpochRow {
  int epoch = 0;
  double lr = 0, train_loss = 0, train_acc = 0, test_loss = 0, test_acc = 0, seconds = 0;
  bool swa_averaged = false;  // this epoch's weights entered the SWA average
};

struct TrainOptions {
  ModelSpec model;
  std::string data_dir;
  Subset subset = Subset::kSmall;
  int train_size = 0;  // first N training images (0: all of the chosen set)
  int test_size = 0;   // first N test images (0: all)
  int epochs = 4;      // the authors' schedule shape scales with this
  double lr_init = 0.05;
  double swa_start_fraction = 0.56;  // SWA from epoch 0.56 E, swa_lr = lr_init / 2 (protocol.md)
  double momentum = 0.9, weight_decay = 3e-4;
  int batch = 128;
  std::uint64_t seed = 1;
  bool augment = true;  // random crop (pad 4) + horizontal flip
  int threads = 2;
  std::string out_dir;  // checkpoints sgd.pt and swa.pt (empty: not saved)
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
  double swa_train_loss = 0, sgd_train_loss = 0;
  long long parameters = 0;
  double train_images_per_s = 0;
};

// Trains with the authors' SWA recipe shape (lr_init until 0.5 S, linear to lr_init/2 at 0.9 S,
// then constant; S = swa_start_fraction * E) and averages the weights at the end of each epoch
// from S on; the SWA model's BN statistics are recomputed exactly (one cumulative pass).
TrainSummary Train(const TrainOptions& options,
                   const std::function<void(const EpochRow&)>& on_epoch = {});

struct ProfileOptions {
  TrainOptions base;                  // model, data and seed; out_dir holds the checkpoint
  std::string checkpoint = "swa";     // sgd | swa
  std::string law = "uniform01";      // uniform01 | gaussian | sign
  bool include_bn = true;             // BN gamma/beta perturbed too
  std::string bn_mode = "recompute";  // recompute | frozen
  double range = 1.0;  // offsets t in [-range, range] (the direction has unit L2 norm)
  int points = 21;
  int eval_size = 2000;  // training images evaluated per point (test: all of the test set)
  bool IsValid(std::string* why) const;
};

struct ProfileResult {
  std::vector<double> t, train_loss, train_acc, test_loss, test_acc;
  double sign_agreement = 0;  // fraction of coordinates where sign(direction) == sign(weight)
  theory::AsymmetryScore train_score;
};

ProfileResult Profile(const ProfileOptions& options);

}  // namespace valleys::realnets
