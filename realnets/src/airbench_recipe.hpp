// The airbench training recipe (internal header: includes LibTorch). Train() hands a run of the
// airbench schedule over to TrainAirbench.
#pragma once

#include <functional>

#include "runtime.hpp"
#include "valleys/realnets/training.hpp"

namespace valleys::realnets::detail {

// The recipe (after airbench94, arXiv 2404.00498), for `options.schedule` airbench:
//  - data-dependent initialization from the first 5,000 training images (InitFromData);
//  - Nesterov SGD on the mean cross-entropy with label smoothing 0.2; the BN biases at 64x
//    lr_init and weight_decay / 64 (the same decay per step; the BN-free twin's biases at 1x), the
//    whitening bias trained in the first 3 epochs only; a non-finite loss stops the run with an
//    error (std::runtime_error naming the step);
//  - `epochs` decayed epochs: the rate rises linearly from 0.2 to 1 x lr_init over the first 23%
//    of their steps, then falls linearly to 0.07 x; a lookahead average every 5 steps (the weights
//    and BN statistics pulled to an exponential average of decay 0.95^5 (step / steps)^3), the
//    last step setting the weights to the average: sgd.pt;
//  - `swa_epochs` constant-rate epochs at swa_lr_factor x lr_init, the parameters averaged over
//    every step, then the exact BN recompute on the clean training images: swa.pt;
//  - augmentation: every image flipped or not once (a fair coin), all flipped in odd epochs, and
//    translated by up to 2 pixels (reflection padding) in every epoch;
//  - the last batch of an epoch dropped when short (steps per epoch: floor(n / batch));
//  - each batch's gradient accumulated over micro-batches of micro_batch images, whose BN
//    statistics are their own (ghost batch norm); the step is the batch's.
// Every random draw comes from generators seeded by (seed, epoch), so a resumed run sees the same
// draws without a saved random state. Test accuracy with test-time augmentation (TestTimeAugmented)
// is reported beside the plain one.
TrainSummary TrainAirbench(const TrainOptions& options,
                           const std::function<void(const EpochRow&)>& on_epoch,
                           const std::function<void(long long, long long)>& on_step);

// The mean cross-entropy and accuracy of the logits averaged over 6 views of each image: itself
// and its mirror image (weight 1/2 together), and both shifted by one pixel diagonally up-left and
// down-right from the reflection-padded image (1/4 each pair). Eval mode.
Eval TestTimeAugmented(const Net& net, const Data& data);

// Adaptive gradient clipping (TrainOptions::adaptive_clip): each unit's gradient of `params`
// scaled down, where longer, to lambda x max(||unit's weights||, 1e-3); a unit is a slice along
// dimension 0 of a parameter of dimension >= 2, a 1-D parameter is one unit. Parameters without a
// gradient are skipped.
void AdaptiveGradientClip(const std::vector<torch::Tensor>& params, double lambda);

// The rate factor of the decayed phase at optimizer step `step` (0-based) of `steps`.
double AirbenchRateFactor(long long step, long long steps);

}  // namespace valleys::realnets::detail
