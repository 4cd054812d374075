// valleys-realnets: the LibTorch commands of `valleys realnets` (train, profile), in their own
// executable so LibTorch's start-up never slows the other commands. `valleys realnets train ...`
// hands over to this program; it can also be run directly.
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "output.hpp"
#include "progress.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/experiment.hpp"

using namespace valleys;
using cli::Json;

namespace {

void AddCommon(CLI::App& c, realnets::TrainOptions& o, std::string& subset) {
  c.add_option("--data", o.data_dir,
               "CIFAR-10 folder (default: found as in `valleys realnets data`)");
  c.add_option("--set", subset, "small (10k/2k subset) | full (50k/10k)")->capture_default_str();
  c.add_option("--train-size", o.train_size, "Use the first N training images (0: all)")
      ->capture_default_str();
  c.add_option("--test-size", o.test_size, "Use the first N test images (0: all)")
      ->capture_default_str();
  c.add_option("--depth", o.model.depth, "PreResNet depth (6k + 2)")->capture_default_str();
  c.add_option("--width", o.model.width, "Channels of the first stage")->capture_default_str();
  c.add_flag("!--no-bn", o.model.batch_norm, "The BN-free twin (BN layers replaced by identities)");
  c.add_option("--activation", o.model.activation, "relu | sigmoid | softplus")
      ->capture_default_str();
  c.add_option("--bn-init", o.model.bn_init, "BN gamma init: ones | uniform01 | normal01")
      ->capture_default_str();
  c.add_option("--seed", o.seed, "Seed (init, shuffling, augmentation, directions)")
      ->capture_default_str();
  c.add_option("--threads", o.threads, "LibTorch threads")->capture_default_str();
  c.add_option("--out", o.out_dir, "Run folder (checkpoints sgd.pt, swa.pt; CSVs with sidecars)")
      ->required();
}

Json ModelMeta(const realnets::TrainOptions& o, const std::string& subset) {
  return {
      {"model", o.model.Describe()}, {"bn", o.model.batch_norm}, {"seed", o.seed}, {"set", subset},
      {"train_size", o.train_size},  {"test_size", o.test_size}};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"valleys-realnets: CIFAR-10 networks with and without batch norm (LibTorch)"};
  app.require_subcommand(1);
  realnets::TrainOptions train;
  std::string subset = "small";
  CLI::App* t = app.add_subcommand(
      "train", "SGD with the SWA recipe; writes epochs.csv, summary.json, sgd.pt, swa.pt");
  AddCommon(*t, train, subset);
  t->add_option("--epochs", train.epochs, "Epochs (the schedule shape scales with them)")
      ->capture_default_str();
  t->add_option("--lr", train.lr_init, "Initial learning rate (SWA rate: half of it)")
      ->capture_default_str();
  t->add_option("--batch", train.batch, "Batch size")->capture_default_str();
  t->add_flag("!--no-augment", train.augment, "No crop/flip augmentation");
  t->add_flag("--resume", train.resume,
              "Continue from the state saved after the last finished epoch in --out");

  realnets::ProfileOptions prof;
  std::string prof_subset = "small";
  CLI::App* p = app.add_subcommand(
      "profile", "Loss along a random direction through a checkpoint; writes profile_<law>.csv");
  AddCommon(*p, prof.base, prof_subset);
  p->add_option("--checkpoint", prof.checkpoint, "sgd | swa")->capture_default_str();
  p->add_option("--law", prof.law, "uniform01 (authors') | gaussian | sign")->capture_default_str();
  p->add_flag("!--exclude-bn", prof.include_bn, "Leave BN gamma/beta out of the direction");
  p->add_option("--bn-mode", prof.bn_mode, "recompute (exact, at every point) | frozen")
      ->capture_default_str();
  p->add_option("--range", prof.range, "Offsets in [-range, range] (unit-norm direction)")
      ->capture_default_str();
  p->add_option("--points", prof.points, "Number of offsets (odd)")->capture_default_str();
  p->add_option("--eval-size", prof.eval_size, "Training images evaluated per point")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
    auto parse_subset = [](const std::string& s) {
      if (s == "small") return realnets::Subset::kSmall;
      if (s == "full") return realnets::Subset::kFull;
      throw io::InputError(fmt::format("--set = '{}' (allowed: small, full)", s));
    };
    if (t->parsed()) {
      train.subset = parse_subset(subset);
      train.data_dir = realnets::FindDataDir(train.data_dir);
      std::string why;
      if (!train.IsValid(&why)) throw io::InputError(why);
      io::EnsureDirectory(train.out_dir);
      std::string csv = "epoch,lr,train_loss,train_acc,test_loss,test_acc,seconds,swa_averaged\n";
      const Json meta = io::Metadata("realnets train", ModelMeta(train, subset));
      cli::Progress progress("epochs", train.epochs);
      const realnets::TrainSummary s = realnets::Train(train, [&](const realnets::EpochRow& r) {
        csv += fmt::format("{},{},{},{},{},{},{},{}\n", r.epoch, r.lr, r.train_loss, r.train_acc,
                           r.test_loss, r.test_acc, r.seconds, r.swa_averaged ? 1 : 0);
        io::WriteFileAtomically(std::filesystem::path(train.out_dir) / "epochs.csv", csv);
        progress.Update(r.epoch);
      });
      progress.Finish();
      io::WriteFileAtomically(std::filesystem::path(train.out_dir) / "epochs.csv.json",
                              meta.dump(2) + "\n");
      Json result = {
          {"parameters", s.parameters},
          {"sgd_train_loss", s.sgd_train_loss},
          {"sgd_test_loss", s.sgd_test_loss},
          {"sgd_test_acc", s.sgd_test_acc},
          {"swa_train_loss", s.swa_train_loss},
          {"swa_test_loss", s.swa_test_loss},
          {"swa_test_acc", s.swa_test_acc},
          {"train_images_per_s", s.train_images_per_s},
          {"bn_recompute", "exact (cumulative, one pass over the augmented training set)"}};
      io::WriteFileAtomically(std::filesystem::path(train.out_dir) / "summary.json",
                              Json({{"result", result}, {"meta", meta}}).dump(2) + "\n");
      fmt::print("{}", cli::Render(result, meta, cli::Format::kTable));
    }
    if (p->parsed()) {
      prof.base.subset = parse_subset(prof_subset);
      prof.base.data_dir = realnets::FindDataDir(prof.base.data_dir);
      const realnets::ProfileResult r = realnets::Profile(prof);
      const Json meta = io::Metadata("realnets profile", ModelMeta(prof.base, prof_subset));
      Json m = meta;
      m["checkpoint"] = prof.checkpoint;
      m["direction_law"] = prof.law;
      m["bn_in_direction"] = prof.include_bn;
      m["bn_mode"] = prof.bn_mode;
      m["eval_size"] = prof.eval_size;
      std::string csv = "t,train_loss,train_acc,test_loss,test_acc\n";
      for (std::size_t i = 0; i < r.t.size(); ++i)
        csv += fmt::format("{},{},{},{},{}\n", r.t[i], r.train_loss[i], r.train_acc[i],
                           r.test_loss[i], r.test_acc[i]);
      const std::string name =
          fmt::format("profile_{}_{}_{}", prof.checkpoint, prof.law, prof.bn_mode);
      io::WriteFileAtomically(std::filesystem::path(prof.base.out_dir) / (name + ".csv"), csv);
      io::WriteFileAtomically(std::filesystem::path(prof.base.out_dir) / (name + ".csv.json"),
                              m.dump(2) + "\n");
      Json result = {{"profile", name + ".csv"},
                     {"sign_agreement", r.sign_agreement},
                     {"flat_side", theory::SideName(r.train_score.flat_side)},
                     {"width_ratio", r.train_score.width_ratio},
                     {"asymmetric_kappa2", r.train_score.asymmetric},
                     {"fitted_p", r.train_score.fitted_p},
                     {"fitted_c", r.train_score.fitted_c}};
      fmt::print("{}", cli::Render(result, m, cli::Format::kTable));
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "valleys realnets: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "valleys realnets: failed: {}\n", e.what());
    return 1;
  }
  return 0;
}
