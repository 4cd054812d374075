// The airbench recipe's standard options (no LibTorch: the presets use them too).
#include "valleys/realnets/training.hpp"

namespace valleys::realnets {

TrainOptions AirbenchOptions() {
  TrainOptions o;
  o.model.arch = Arch::kAirbench;
  o.model.depth = 8;
  o.model.width = 64;
  o.model.activation = Activation::kGelu;
  o.subset = Subset::kFull;
  o.schedule = Schedule::kAirbench;
  o.epochs = 12;
  o.swa_epochs = 2;
  o.swa_lr_factor = 0.1;
  o.lr_init = 1.5;
  o.momentum = 0.85;
  o.weight_decay = 0.0153 / (1.0 + 1.0 / 0.15) / 1.5;
  o.batch = 1024;
  o.micro_batch = 256;
  o.augment = true;
  return o;
}

}  // namespace valleys::realnets
