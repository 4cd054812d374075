#include "realnets_options.hpp"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"

namespace valleys::cli {

void AddTrainFlags(CLI::App& c, realnets::TrainOptions& o, std::string& subset) {
  AddOption(c, "--data", o.data_dir,
            "CIFAR-10 folder (default: found as in `valleys realnets data`)");
  AddOption(c, "--set", subset, "small (10k/2k subset) | full (50k/10k)")->capture_default_str();
  AddOption(c, "--train-size", o.train_size, "Use the first N training images (0: all)")
      ->capture_default_str();
  AddOption(c, "--test-size", o.test_size, "Use the first N test images (0: all)")
      ->capture_default_str();
  AddOption(c, "--arch", o.model.arch, "preresnet | vgg16 | wrn")->capture_default_str();
  AddOption(c, "--block", o.model.block, "preresnet blocks: basic (depth 6k+2) | bottleneck (9k+2)")
      ->capture_default_str();
  AddOption(c, "--depth", o.model.depth, "Depth (preresnet 6k+2 or 9k+2, wrn 6n+4, vgg16 16)")
      ->capture_default_str();
  AddOption(c, "--width", o.model.width, "Channels of the first stage (standard: 16; vgg16 64)")
      ->capture_default_str();
  AddOption(c, "--widen", o.model.widen, "WideResNet widening factor k")->capture_default_str();
  c.add_flag("!--no-bn", o.model.batch_norm, "The BN-free twin (BN layers replaced by identities)");
  AddOption(c, "--activation", o.model.activation, "relu | sigmoid | softplus")
      ->capture_default_str();
  AddOption(c, "--bn-init", o.model.bn_init, "BN gamma init: ones | uniform01 | normal01")
      ->capture_default_str();
  AddOption(c, "--batch", o.batch, "Batch size (training, BN recompute)")->capture_default_str();
  AddOption(c, "--bn-batches", o.bn_batches,
            "BN recompute over the first N batches (0: exact, all)")
      ->capture_default_str();
  AddOption(c, "--seed", o.seed, "Seed (init, shuffling, augmentation, directions)")
      ->capture_default_str();
  AddOption(c, "--threads", o.threads, "LibTorch threads")->capture_default_str();
  AddOption(c, "--device", o.device, "cpu | cuda")->capture_default_str();
  AddOption(c, "--out", o.out_dir, "Run folder (checkpoints; CSVs with JSON sidecars)")->required();
}

void AddProbeFlags(CLI::App& c, realnets::ProbeOptions& o) {
  AddOption(c, "--bn-mode", o.bn_mode, "recompute (exact, at every point) | frozen")
      ->capture_default_str();
  AddOption(c, "--eval-size", o.eval_size,
            "Training images for the BN recompute and the training loss (0: all)")
      ->capture_default_str();
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
  o.data_dir = realnets::FindDataDir(o.data_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
}

void PrepareOutDir(const std::string& out_dir) {
  if (out_dir.empty())
    throw io::InputError("--out is empty (allowed: a folder, created when missing)");
  io::EnsureDirectory(out_dir);
}

Json RunMeta(const std::string& command, const realnets::TrainOptions& o) {
  Json params = {
      {"model", o.model.Describe()},
      {"parameters", realnets::CountParameters(o.model)},
      {"bn", o.model.batch_norm},
      {"set", o.subset == realnets::Subset::kSmall ? "small" : "full"},
      {"train_size", o.train_size},
      {"test_size", o.test_size},
      {"batch", o.batch},
      {"bn_recompute", o.bn_batches == 0 ? std::string("exact (one full pass)")
                                         : fmt::format("first {} batches", o.bn_batches)},
      {"seed", o.seed},
      {"threads", o.threads},
      {"device", o.device},
      {"fingerprint", o.Fingerprint()}};
  return Json(io::Metadata("realnets " + command, params));
}

Json ProbeMeta(const std::string& command, const realnets::ProbeOptions& p) {
  Json m = RunMeta(command, p.base);
  m["bn_mode"] = p.bn_mode;
  m["eval_size"] = p.eval_size;
  m["train_eval"] = p.augmented_train_eval ? "augmented" : "clean";
  return m;
}

void WriteCsv(const std::string& dir, const std::string& stem, const std::string& csv,
              const Json& meta) {
  const std::filesystem::path base = std::filesystem::path(dir) / stem;
  io::WriteFileAtomically(base.string() + ".csv", csv);
  io::WriteFileAtomically(base.string() + ".csv.json", meta.dump(2) + "\n");
}

std::string CurveCsv(const realnets::ProbeCurve& c, const char* x_name) {
  std::string csv = fmt::format("{},train_loss,train_acc,test_loss,test_acc\n", x_name);
  for (std::size_t i = 0; i < c.t.size(); ++i)
    csv += fmt::format("{},{},{},{},{}\n", c.t[i], c.train_loss[i], c.train_acc[i], c.test_loss[i],
                       c.test_acc[i]);
  return csv;
}

const char* const kEpochCsvHeader =
    "epoch,lr,train_loss,train_acc,test_loss,test_acc,seconds,swa_averaged\n";

std::string EpochCsvRow(const realnets::EpochRow& r) {
  return fmt::format("{},{},{},{},{},{},{},{}\n", r.epoch, r.lr, r.train_loss, r.train_acc,
                     r.test_loss, r.test_acc, r.seconds, r.swa_averaged ? 1 : 0);
}

Json TrainMeta(const realnets::TrainOptions& o) {
  Json m = RunMeta("train", o);
  m["schedule"] = o.schedule;
  m["epochs"] = o.epochs;
  m["lr"] = o.lr_init;
  m["momentum"] = o.momentum;
  m["weight_decay"] = o.weight_decay;
  m["augment"] = o.augment;
  return m;
}

std::string SgdAfterSwaCsv(const realnets::SgdAfterSwaResult& r) {
  std::string csv = "epoch,train_loss,test_loss,test_acc,accepted\n";
  for (const auto& row : r.rows)
    csv += fmt::format("{},{},{},{},{}\n", row.epoch, row.train_loss, row.test_loss, row.test_acc,
                       row.accepted ? 1 : 0);
  return csv;
}

Json SgdAfterSwaMeta(const realnets::SgdAfterSwaOptions& o) {
  Json m = RunMeta("sgd-after-swa", o.base);
  m["lr"] = o.lr;
  m["max_epochs"] = o.max_epochs;
  m["criterion"] =
      "first epoch with training loss below and test loss above the SWA model's (eval mode, BN "
      "recomputed, clean training images)";
  return m;
}

Json ProfileMeta(const realnets::ProfileOptions& o, const realnets::ProfileResult& r) {
  Json m = ProbeMeta("profile", o.probe);
  m["checkpoint"] = o.checkpoint;
  m["checkpoint_sha256"] = r.checkpoint_sha256;
  m["direction_law"] = o.law;
  m["direction_index"] = o.direction;
  m["bn_in_direction"] = o.include_bn;
  if (o.law == "filter") m["filter_1d_policy"] = o.filter_copy_1d ? "copy" : "zero";
  m["range"] = o.range;
  m["points"] = o.points;
  m["direction_norm"] = r.direction_norm;
  m["sign_agreement"] = r.sign_agreement;
  return m;
}

namespace {
Json Finite(double v) {
  return std::isfinite(v) ? Json(v) : Json(std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
}
}  // namespace

Json ScoreJson(const realnets::ProfileScore& s) {
  return {{"flat_side", theory::SideName(s.score.flat_side)},
          {"width_ratio", Finite(s.score.width_ratio)},
          {"asymmetric_kappa2", s.score.asymmetric},
          {"height_delta", s.delta},
          {"width_pos", Finite(s.score.width_pos)},
          {"width_neg", Finite(s.score.width_neg)},
          {"fitted_p", s.score.fitted_p},
          {"fitted_c", s.score.fitted_c},
          {"curvature_pos", Finite(s.curvature_pos)},
          {"curvature_neg", Finite(s.curvature_neg)}};
}

}  // namespace valleys::cli
