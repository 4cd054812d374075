#include "realnets_options.hpp"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "data_dir.hpp"
#include "enum_option.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::cli {

void AddTrainFlags(CLI::App& c, realnets::TrainOptions& o, RunFlags& flags) {
  AddOption(c, "--data", o.data_dir,
            "CIFAR-10 folder (default: found as in `valleys realnets data`)");
  AddOption(c, "--set", flags.subset, "small (10k/2k subset) | full (50k/10k)");
  AddOption(c, "--train-data", o.train_data,
            "Probes: your training data instead of CIFAR-10, a torch.save'd dict {images: "
            "float32 [N,C,H,W], labels: int64 [N]} (with --test-data)");
  AddOption(c, "--test-data", o.test_data, "Probes: your test data (as --train-data)");
  AddOption(c, "--train-size", o.train_size, "Use the first N training images (0: all)");
  AddOption(c, "--test-size", o.test_size, "Use the first N test images (0: all)");
  AddEnumOption(c, "--arch", o.model.arch, kArch, "preresnet | vgg16 | wrn");
  AddEnumOption(c, "--block", o.model.block, kBlock,
                "preresnet blocks: basic (depth 6k+2) | bottleneck (9k+2)");
  AddOption(c, "--depth", o.model.depth, "Depth (preresnet 6k+2 or 9k+2, wrn 6n+4, vgg16 16)");
  AddOption(c, "--width", o.model.width, "Channels of the first stage (standard: 16; vgg16 64)");
  AddOption(c, "--widen", o.model.widen, "WideResNet widening factor k");
  c.add_flag_callback(
      "--no-bn", [&o] { o.model.batch_norm = false; },
      "The BN-free twin (BN layers replaced by identities)");
  AddEnumOption(c, "--activation", o.model.activation, kActivation, "relu | sigmoid | softplus");
  AddEnumOption(c, "--bn-init", o.model.bn_init, kBnInit,
                "BN gamma init: ones | uniform01 | normal01");
  AddOption(c, "--batch", o.batch, "Batch size (training, BN recompute)");
  AddOption(c, "--bn-batches", o.bn_batches,
            "BN recompute over the first N batches (0: exact, all)");
  AddOption(c, "--seed", o.seed, "Seed (init, shuffling, augmentation, directions)");
  AddOption(c, "--threads", o.threads, "LibTorch threads");
  AddEnumOption(c, "--device", o.device, kDevice, "cpu | cuda");
  AddOption(c, "--out", o.out_dir, "Run folder (checkpoints; CSVs with JSON sidecars)")->required();
  AddFormatOption(c, flags.format);
}

void AddProbeFlags(CLI::App& c, realnets::ProbeOptions& o) {
  AddEnumOption(c, "--bn-mode", o.bn_mode, kBnMode, "recompute (exact, at every point) | frozen");
  AddOption(c, "--eval-size", o.eval_size,
            "Training images for the BN recompute and the training loss (0: all)");
  c.add_flag("--augmented-train-eval", o.augmented_train_eval,
             "Training loss and BN recompute on augmented images (the authors' loader)");
}

void FinishTrainOptions(realnets::TrainOptions& o, const std::string& subset) {
  if (subset == "small")
    o.subset = realnets::Subset::kSmall;
  else if (subset == "full")
    o.subset = realnets::Subset::kFull;
  else
    throw io::InputError(fmt::format("--set = '{}' (allowed: small, full)", subset));
  if (o.train_data.empty() || o.test_data.empty()) o.data_dir = FindDataDir(o.data_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
}

void PrepareOutDir(const std::string& out_dir) {
  if (out_dir.empty())
    throw io::InputError("--out is empty (allowed: a folder, created when missing)");
  io::EnsureDirectory(out_dir);
}

}  // namespace valleys::cli
