// valleys-realnets: the LibTorch commands of `valleys realnets` (train, sgd-after-swa, profile,
// line, hessian, experiment), in their own executable so LibTorch's start-up never slows the other
// commands. `valleys realnets train ...` hands over to this program; it can also be run directly.
// Exit codes: 0 success, 1 runtime failure, 2 bad input.
#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "output.hpp"
#include "progress.hpp"
#include "realnets_experiment.hpp"
#include "realnets_options.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"

using namespace valleys;
using cli::AddOption;
using cli::Json;

namespace {

void AddScore(Json& result, const char* prefix, const realnets::ProfileScore& s) {
  const Json score = cli::ScoreJson(s);
  for (auto it = score.cbegin(); it != score.cend(); ++it) result[prefix + it.key()] = *it;
}

void RunTrain(realnets::TrainOptions& o, const std::string& subset) {
  cli::FinishTrainOptions(o, subset);
  cli::PrepareOutDir(o.out_dir);
  std::string csv = cli::kEpochCsvHeader;
  const Json meta = cli::TrainMeta(o);
  cli::Progress progress("epochs", o.epochs);
  const realnets::TrainSummary s = realnets::Train(o, [&](const realnets::EpochRow& r) {
    csv += cli::EpochCsvRow(r);
    io::WriteFileAtomically(std::filesystem::path(o.out_dir) / "epochs.csv", csv);
    progress.Update(r.epoch);
  });
  progress.Finish();
  cli::WriteCsv(o.out_dir, "epochs", csv, meta);
  Json result = {{"parameters", s.parameters},
                 {"sgd_train_loss", s.sgd_train_loss},
                 {"sgd_test_loss", s.sgd_test_loss},
                 {"sgd_test_acc", s.sgd_test_acc}};
  if (s.has_swa) {
    result["swa_train_loss"] = s.swa_train_loss;
    result["swa_test_loss"] = s.swa_test_loss;
    result["swa_test_acc"] = s.swa_test_acc;
  }
  result["train_images_per_s"] = s.train_images_per_s;
  io::WriteFileAtomically(std::filesystem::path(o.out_dir) / "summary.json",
                          Json({{"result", result}, {"meta", meta}}).dump(2) + "\n");
  cli::Emit(cli::Render(result, meta, cli::Format::kTable), "");
}

void RunSgdAfterSwa(realnets::SgdAfterSwaOptions& o, const std::string& subset) {
  cli::FinishTrainOptions(o.base, subset);
  cli::PrepareOutDir(o.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const Json meta = cli::SgdAfterSwaMeta(o);
  cli::Progress progress("epochs", o.max_epochs);
  const auto r = realnets::SgdAfterSwa(
      o, [&](const realnets::SgdAfterSwaRow& row) { progress.Update(row.epoch); });
  progress.Finish();
  cli::WriteCsv(o.base.out_dir, "sgd_after_swa", cli::SgdAfterSwaCsv(r), meta);
  Json result = {
      {"swa_train_loss", r.swa_train_loss},       {"swa_test_loss", r.swa_test_loss},
      {"accepted_epoch", r.accepted_epoch},       {"sgd_train_loss", r.rows.back().train_loss},
      {"sgd_test_loss", r.rows.back().test_loss}, {"checkpoint", "sgd_after_swa.pt"}};
  cli::Emit(cli::Render(result, meta, cli::Format::kTable), "");
}

void RunProfile(realnets::ProfileOptions& o, const std::string& subset) {
  cli::FinishTrainOptions(o.probe.base, subset);
  cli::PrepareOutDir(o.probe.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const realnets::ProfileResult r = realnets::Profile(o);
  const Json meta = cli::ProfileMeta(o, r);
  const std::string stem = cli::ProfileStem(o);
  cli::WriteCsv(o.probe.base.out_dir, stem, cli::CurveCsv(r.curve, "t"), meta);
  Json result = {{"profile", stem + ".csv"},
                 {"sign_agreement", r.sign_agreement},
                 {"direction_norm", r.direction_norm},
                 {"perturbed_coordinates", r.perturbed}};
  AddScore(result, "train_", r.train_score);
  AddScore(result, "test_", r.test_score);
  cli::Emit(cli::Render(result, meta, cli::Format::kTable), "");
}

void RunLine(realnets::LineOptions& o, const std::string& subset) {
  cli::FinishTrainOptions(o.probe.base, subset);
  cli::PrepareOutDir(o.probe.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const realnets::LineResult r = realnets::Line(o);
  Json meta = cli::ProbeMeta("line", o.probe);
  meta["from"] = o.from;
  meta["to"] = o.to;
  meta["from_sha256"] = r.from_sha256;
  meta["to_sha256"] = r.to_sha256;
  meta["direction_law"] = "line (w_to - w_from, unnormalized; alpha = 0 at from, 1 at to)";
  meta["distance"] = r.distance;
  const std::string stem = fmt::format("line_{}_{}_{}", realnets::CheckpointName(o.from),
                                       realnets::CheckpointName(o.to), o.probe.bn_mode);
  cli::WriteCsv(o.probe.base.out_dir, stem, cli::CurveCsv(r.curve, "alpha"), meta);
  Json result = {{"line", stem + ".csv"},
                 {"distance", r.distance},
                 {"slope_beyond_to", r.slope_beyond_to},
                 {"slope_beyond_from", r.slope_beyond_from}};
  cli::Emit(cli::Render(result, meta, cli::Format::kTable), "");
}

void RunHessian(realnets::HessianOptions& o, const std::string& subset) {
  cli::FinishTrainOptions(o.base, subset);
  cli::PrepareOutDir(o.base.out_dir);
  std::string why;
  if (!o.IsValid(&why)) throw io::InputError(why);
  const realnets::HessianResult r = realnets::TopHessianEigenvalue(o);
  Json meta = cli::RunMeta("hessian", o.base);
  meta["checkpoint"] = o.checkpoint;
  meta["checkpoint_sha256"] = r.checkpoint_sha256;
  meta["sample_size"] = o.sample_size;
  meta["bn_mode"] = "frozen (eval mode)";
  Json result = {{"top_eigenvalue", r.top_eigenvalue},
                 {"iterations", r.iterations},
                 {"converged", r.converged},
                 {"sample_size", o.sample_size},
                 {"history", r.history}};
  io::WriteFileAtomically(std::filesystem::path(o.base.out_dir) /
                              ("hessian_" + realnets::CheckpointName(o.checkpoint) + ".json"),
                          Json({{"result", result}, {"meta", meta}}).dump(2) + "\n");
  cli::Emit(cli::Render(result, meta, cli::Format::kTable), "");
}

}  // namespace

int main(int argc, char** argv) {
  // LibTorch allocates and frees activation tensors of several MB per layer; glibc would serve each
  // with a fresh mmap (page faults on every batch: a third of the run time in the kernel). Keep
  // them in the heap instead (measured: a profile 11.3 s -> 7.5 s, docs/benchmarks.md).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
  CLI::App app{"valleys-realnets: CIFAR-10 networks with and without batch norm (LibTorch)"};
  app.require_subcommand(1);

  realnets::TrainOptions train;
  std::string train_set = "small";
  CLI::App* t = app.add_subcommand(
      "train",
      "SGD with the SWA recipe or the plain-SGD baseline; writes epochs.csv, summary.json, "
      "sgd.pt, swa.pt");
  cli::AddTrainFlags(*t, train, train_set);
  AddOption(*t, "--epochs", train.epochs, "Epochs (the schedule shape scales with them)")
      ->capture_default_str();
  AddOption(*t, "--lr", train.lr_init, "Initial learning rate (SWA rate: half of it)")
      ->capture_default_str();
  AddOption(*t, "--schedule", train.schedule, "swa (the authors' recipe) | sgd (plain baseline)")
      ->capture_default_str();
  AddOption(*t, "--swa-start", train.swa_start_fraction, "SWA start as a fraction of the epochs")
      ->capture_default_str();
  AddOption(*t, "--momentum", train.momentum, "SGD momentum")->capture_default_str();
  AddOption(*t, "--wd", train.weight_decay, "Weight decay (every parameter)")
      ->capture_default_str();
  t->add_flag("!--no-augment", train.augment, "No crop/flip augmentation");
  t->add_flag("--resume", train.resume,
              "Continue from the state saved after the last finished epoch in --out");

  realnets::SgdAfterSwaOptions after;
  std::string after_set = "small";
  CLI::App* a =
      app.add_subcommand("sgd-after-swa",
                         "Plain SGD from swa.pt at a small constant rate until it fits better and "
                         "generalizes worse; writes sgd_after_swa.pt and .csv");
  cli::AddTrainFlags(*a, after.base, after_set);
  AddOption(*a, "--lr", after.lr, "Constant learning rate")->capture_default_str();
  AddOption(*a, "--max-epochs", after.max_epochs, "Give up after this many epochs")
      ->capture_default_str();

  realnets::ProfileOptions prof;
  std::string prof_set = "small";
  CLI::App* p = app.add_subcommand(
      "profile", "Loss along a random direction through a checkpoint; writes profile_*.csv");
  cli::AddTrainFlags(*p, prof.probe.base, prof_set);
  cli::AddProbeFlags(*p, prof.probe);
  AddOption(*p, "--checkpoint", prof.checkpoint, "sgd | swa | sgd_after_swa | FILE.pt")
      ->capture_default_str();
  AddOption(*p, "--law", prof.law, "uniform01 (authors') | gaussian | sign | filter")
      ->capture_default_str();
  AddOption(*p, "--direction", prof.direction, "Direction index (its own random stream)")
      ->capture_default_str();
  p->add_flag("!--exclude-bn", prof.include_bn, "Leave BN gamma/beta out of the direction");
  p->add_flag("--filter-copy-1d", prof.filter_copy_1d,
              "filter law: 1-D parameters copy the weights (default: zero)");
  AddOption(*p, "--range", prof.range, "Offsets in [-range, range]")->capture_default_str();
  AddOption(*p, "--points", prof.points, "Number of offsets (odd)")->capture_default_str();

  realnets::LineOptions line;
  std::string line_set = "small";
  CLI::App* l = app.add_subcommand(
      "line", "Loss along w(alpha) = w_from + alpha (w_to - w_from); writes line_*.csv");
  cli::AddTrainFlags(*l, line.probe.base, line_set);
  cli::AddProbeFlags(*l, line.probe);
  AddOption(*l, "--from", line.from, "Checkpoint at alpha = 0")->capture_default_str();
  AddOption(*l, "--to", line.to, "Checkpoint at alpha = 1")->capture_default_str();
  AddOption(*l, "--alpha-min", line.alpha_lo, "First alpha")->capture_default_str();
  AddOption(*l, "--alpha-max", line.alpha_hi, "Last alpha")->capture_default_str();
  AddOption(*l, "--points", line.points, "Grid points (must hold 0 and 1)")->capture_default_str();

  realnets::HessianOptions hess;
  std::string hess_set = "small";
  CLI::App* h = app.add_subcommand(
      "hessian", "Top Hessian eigenvalue by power iteration; writes hessian_<checkpoint>.json");
  cli::AddTrainFlags(*h, hess.base, hess_set);
  AddOption(*h, "--checkpoint", hess.checkpoint, "sgd | swa | sgd_after_swa | FILE.pt")
      ->capture_default_str();
  AddOption(*h, "--sample-size", hess.sample_size, "Training images in the loss")
      ->capture_default_str();
  AddOption(*h, "--iterations", hess.iterations, "Power iterations at most")->capture_default_str();
  AddOption(*h, "--tolerance", hess.tolerance, "Relative change that stops the iteration")
      ->capture_default_str();

  auto experiment = std::make_shared<cli::ExperimentArgs>();
  cli::RegisterExperimentCommand(app, *experiment);

  try {
    app.parse(argc, argv);
    if (t->parsed()) RunTrain(train, train_set);
    if (a->parsed()) RunSgdAfterSwa(after, after_set);
    if (p->parsed()) RunProfile(prof, prof_set);
    if (l->parsed()) RunLine(line, line_set);
    if (h->parsed()) RunHessian(hess, hess_set);
    cli::RunExperimentIfParsed(app, *experiment);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return cli::ReportError("valleys realnets", "error", e.what(), 2);
  } catch (const std::invalid_argument& e) {  // io::InputError included
    return cli::ReportError("valleys realnets", "error", e.what(), 2);
  } catch (const std::exception& e) {
    return cli::ReportError("valleys realnets", "failed", e.what(), 1);
  }
  return 0;
}
