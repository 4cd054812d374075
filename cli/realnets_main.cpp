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

#include "field_flags.hpp"
#include "output.hpp"
#include "parse_errors.hpp"
#include "progress.hpp"
#include "realnets_experiment.hpp"
#include "realnets_options.hpp"
#include "strict_option.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"

using namespace valleys;
using cli::AddOption;
using cli::Json;

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
  cli::RunFlags train_flags;
  CLI::App* t = app.add_subcommand(
      "train",
      "SGD with the SWA recipe or the plain-SGD baseline; writes epochs.csv, summary.json, "
      "sgd.pt, swa.pt");
  cli::AddTrainFlags(*t, train, train_flags);
  AddOption(*t, "--epochs", train.epochs, "Epochs (the schedule shape scales with them)");
  AddOption(*t, "--lr", train.lr_init, "Initial learning rate (SWA rate: half of it)");
  cli::AddEnumOption(*t, "--schedule", train.schedule, cli::kSchedule,
                     "swa (the authors' recipe) | sgd (plain baseline)");
  AddOption(*t, "--swa-start", train.swa_start_fraction, "SWA start as a fraction of the epochs");
  AddOption(*t, "--momentum", train.momentum, "SGD momentum");
  AddOption(*t, "--wd", train.weight_decay, "Weight decay (every parameter)");
  t->add_flag_callback(
      "--no-augment", [&train] { train.augment = false; }, "No crop/flip augmentation");
  t->add_flag("--resume", train.resume,
              "Continue from the state saved after the last finished epoch in --out");

  realnets::SgdAfterSwaOptions after;
  cli::RunFlags after_flags;
  CLI::App* a =
      app.add_subcommand("sgd-after-swa",
                         "Plain SGD from swa.pt at a small constant rate until it fits better and "
                         "generalizes worse; writes sgd_after_swa.pt and .csv");
  cli::AddTrainFlags(*a, after.base, after_flags);
  AddOption(*a, "--lr", after.lr, "Constant learning rate");
  AddOption(*a, "--max-epochs", after.max_epochs, "Give up after this many epochs");

  cli::ProfileCommand prof;
  CLI::App* p = app.add_subcommand(
      "profile",
      "Loss along a random direction through a checkpoint, on a fixed grid or at stated heights; "
      "writes profile_*.csv");
  cli::AddTrainFlags(*p, prof.options.probe.base, prof.flags);
  cli::AddProbeFlags(*p, prof.options.probe);
  AddOption(*p, "--checkpoint", prof.options.checkpoint, "sgd | swa | sgd_after_swa | FILE.pt");
  AddOption(*p, "--model", prof.options.model,
            "A TorchScript module saved from Python (torch.jit.script(model).save) to probe "
            "instead of a checkpoint of valleys' network");
  AddOption(*p, "--law", prof.law,
            "uniform01 (authors') | gaussian | sign | filter | ones | shifted-gaussian:mean=M | "
            "sign-agreement:r=R");
  AddOption(*p, "--direction", prof.options.direction, "Direction index (its own random stream)");
  p->add_flag("--exclude-bn", prof.exclude_bn, "Leave BN gamma/beta out of the direction");
  p->add_flag("--only-bn", prof.only_bn, "Perturb BN gamma/beta only (not with --exclude-bn)");
  AddOption(*p, "--exclude-params", prof.options.exclude_pattern,
            "Leave the parameters whose names match this pattern out of the direction "
            "(shell-style: '*.bias', 'head.*')");
  p->add_flag("--filter-copy-1d", prof.options.filter_copy_1d,
              "filter law: 1-D parameters copy the weights (default: zero)");
  AddOption(*p, "--range", prof.options.range, "Grid: offsets in [-range, range]");
  AddOption(*p, "--points", prof.options.points, "Grid: number of offsets (odd)");
  AddOption(*p, "--heights", prof.heights,
            "Find the offsets where the training loss first rises by these heights (nats, "
            "increasing, e.g. 0.05,0.1,0.25,0.5,1,2) instead of the grid");
  AddOption(*p, "--max-offset", prof.search.max_offset, "Height search: |t| at most (censored)");
  AddOption(*p, "--height-tolerance", prof.search.tolerance,
            "Height search: relative tolerance on the height and the bracket");
  AddOption(*p, "--save-direction", prof.save_direction,
            "Write the direction to FILE.pt (torch.load gives {parameter name: tensor})");

  realnets::LineOptions line;
  cli::RunFlags line_flags;
  CLI::App* l = app.add_subcommand(
      "line", "Loss along w(alpha) = w_from + alpha (w_to - w_from); writes line_*.csv");
  cli::AddTrainFlags(*l, line.probe.base, line_flags);
  cli::AddProbeFlags(*l, line.probe);
  AddOption(*l, "--from", line.from, "Checkpoint at alpha = 0");
  AddOption(*l, "--to", line.to, "Checkpoint at alpha = 1");
  l->add_flag("--scripted", line.scripted,
              "--from and --to are TorchScript modules saved from Python");
  AddOption(*l, "--alpha-min", line.alpha_lo, "First alpha");
  AddOption(*l, "--alpha-max", line.alpha_hi, "Last alpha");
  AddOption(*l, "--points", line.points, "Grid points (must hold 0 and 1)");

  realnets::HessianOptions hess;
  cli::RunFlags hess_flags;
  CLI::App* h = app.add_subcommand(
      "hessian", "Top Hessian eigenvalue by power iteration; writes hessian_<checkpoint>.json");
  cli::AddTrainFlags(*h, hess.base, hess_flags);
  AddOption(*h, "--checkpoint", hess.checkpoint, "sgd | swa | sgd_after_swa | FILE.pt");
  AddOption(*h, "--model", hess.model, "A TorchScript module instead of a checkpoint (as profile)");
  AddOption(*h, "--sample-size", hess.sample_size, "Training images in the loss");
  AddOption(*h, "--iterations", hess.iterations, "Power iterations at most");
  AddOption(*h, "--tolerance", hess.tolerance, "Relative change that stops the iteration");

  auto experiment = std::make_shared<cli::ExperimentArgs>();
  cli::RegisterExperimentCommand(app, *experiment);

  try {
    app.parse(argc, argv);
    if (t->parsed()) cli::RunTrain(train, train_flags);
    if (a->parsed()) cli::RunSgdAfterSwa(after, after_flags);
    if (p->parsed()) cli::RunProfile(prof);
    if (l->parsed()) cli::RunLine(line, line_flags);
    if (h->parsed()) cli::RunHessian(hess, hess_flags);
    cli::RunExperimentIfParsed(app, *experiment);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return cli::ReportError("valleys realnets", "error",
                            cli::ExplainParseError(app, e, "valleys realnets").c_str(), 2);
  } catch (const std::invalid_argument& e) {  // io::InputError included
    return cli::ReportError("valleys realnets", "error", cli::FieldsToFlags(e.what()).c_str(), 2);
  } catch (const std::exception& e) {
    return cli::ReportError("valleys realnets", "failed", e.what(), 1);
  }
  return 0;
}
