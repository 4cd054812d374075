// valleys-realnets: the LibTorch commands of `valleys realnets` (train, sgd-after-swa, profile,
// line, hessian, experiment), in their own executable so LibTorch's start-up never slows the other
// commands. `valleys realnets train ...` hands over to this program; it can also be run directly.
// Exit codes: 0 success, 1 runtime failure, 2 bad input.
#include <malloc.h>

#include <memory>
#include <optional>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "output.hpp"
#include "progress.hpp"
#include "realnets_experiment.hpp"
#include "realnets_options.hpp"
#include "run_app.hpp"
#include "strict_option.hpp"
#include "valleys/plots/hessian_figure.hpp"
#include "valleys/realnets/commands.hpp"

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

  // `train --schedule airbench` (or --arch airbench) starts from the recipe's standard options;
  // every option given still overrides them.
  const bool airbench = cli::AsksForAirbench(argc, argv);
  realnets::TrainOptions train;
  if (airbench) train = realnets::AirbenchOptions();
  cli::Format train_format = cli::Format::kTable;
  CLI::App* t = app.add_subcommand(
      "train",
      "SGD with the SWA recipe or the plain-SGD baseline; writes epochs.csv, summary.json, "
      "sgd.pt, swa.pt");
  cli::AddTrainFlags(*t, train, train_format);
  AddOption(*t, "--epochs", train.epochs, "Epochs (the schedule shape scales with them)");
  AddOption(*t, "--lr", train.lr_init, "Initial learning rate (SWA rate: half of it)");
  cli::AddEnumOption(*t, "--schedule", train.schedule, cli::kSchedule,
                     "swa (the authors' recipe) | sgd (plain baseline) | airbench (the fast "
                     "recipe of --arch airbench; its standard values become every default)");
  AddOption(*t, "--swa-epochs", train.swa_epochs,
            "airbench: constant-rate averaged epochs after the decayed ones");
  AddOption(*t, "--swa-lr-factor", train.swa_lr_factor,
            "airbench: their rate as a multiple of --lr");
  AddOption(*t, "--micro-batch", train.micro_batch,
            "airbench: gradient accumulated over micro-batches of N images (0: the batch)");
  AddOption(*t, "--adaptive-clip", train.adaptive_clip,
            "airbench: adaptive gradient clipping at LAMBDA x each unit's weight norm (NFNets; "
            "0: off)");
  AddOption(*t, "--centre-eval-size", train.centre_eval_size,
            "airbench: training images of the training loss at the solutions (0: all)");
  AddOption(*t, "--swa-start", train.swa_start_fraction, "SWA start as a fraction of the epochs");
  AddOption(*t, "--momentum", train.momentum, "SGD momentum");
  AddOption(*t, "--wd", train.weight_decay, "Weight decay (every parameter)");
  t->add_flag_callback(
      "--no-augment", [&train] { train.augment = false; }, "No crop/flip augmentation");
  t->add_flag("--resume", train.resume,
              "Continue from the state saved after the last finished epoch in --out");

  realnets::SgdAfterSwaOptions after;
  if (airbench) after.base = realnets::AirbenchOptions();
  cli::Format after_format = cli::Format::kTable;
  CLI::App* a =
      app.add_subcommand("sgd-after-swa",
                         "Plain SGD from swa.pt at a small constant rate until it fits better and "
                         "generalizes worse; writes sgd_after_swa.pt and .csv");
  cli::AddTrainFlags(*a, after.base, after_format);
  AddOption(*a, "--lr", after.lr, "Constant learning rate");
  AddOption(*a, "--max-epochs", after.max_epochs, "Give up after this many epochs");

  cli::ProfileFlags prof;
  if (airbench) prof.run.profile.probe.base = realnets::AirbenchOptions();
  CLI::App* p = app.add_subcommand(
      "profile",
      "Loss along a random direction through a checkpoint, on a fixed grid or at stated heights; "
      "writes profile_*.csv");
  cli::AddProfileFlags(*p, prof);

  cli::SurfaceFlags surf;
  if (airbench) surf.run.surface.first.probe.base = realnets::AirbenchOptions();
  CLI::App* s = app.add_subcommand(
      "surface",
      "Loss on a 2-D grid w_centre + a d1 + b d2 (filter-normalized directions by default, BN "
      "recomputed at every point); writes surface_*.csv, its contour and 3-D figures; resumes a "
      "stopped grid");
  cli::AddSurfaceFlags(*s, surf);

  realnets::LineOptions line;
  if (airbench) line.probe.base = realnets::AirbenchOptions();
  cli::Format line_format = cli::Format::kTable;
  CLI::App* l = app.add_subcommand(
      "line", "Loss along w(alpha) = w_from + alpha (w_to - w_from); writes line_*.csv");
  cli::AddTrainFlags(*l, line.probe.base, line_format);
  cli::AddProbeFlags(*l, line.probe);
  AddOption(*l, "--from", line.from, "Checkpoint at alpha = 0");
  AddOption(*l, "--to", line.to, "Checkpoint at alpha = 1");
  l->add_flag("--scripted", line.scripted,
              "--from and --to are TorchScript modules saved from Python");
  AddOption(*l, "--alpha-min", line.alpha_lo, "First alpha");
  AddOption(*l, "--alpha-max", line.alpha_hi, "Last alpha");
  AddOption(*l, "--points", line.points, "Grid points (must hold 0 and 1)");

  realnets::HessianSpectrumOptions spectrum;
  realnets::HessianOptions& hess = spectrum.hessian;
  if (airbench) hess.base = realnets::AirbenchOptions();
  cli::Format hess_format = cli::Format::kTable;
  CLI::App* h = app.add_subcommand(
      "hessian",
      "The Hessian of the training loss: its top eigenvalue by power iteration "
      "(hessian_<checkpoint>.json), or with --top-k/--trace/--density the top k eigenpairs by "
      "Lanczos, Hutchinson's trace and the SLQ eigenvalue density "
      "(hessian_spectrum_<checkpoint>.json, hessian_density_<checkpoint>.csv and its figure)");
  cli::AddTrainFlags(*h, hess.base, hess_format);
  AddOption(*h, "--checkpoint", hess.checkpoint, "sgd | swa | sgd_after_swa | FILE.pt");
  AddOption(*h, "--model", hess.model, "A TorchScript module instead of a checkpoint (as profile)");
  AddOption(*h, "--sample-size", hess.sample_size, "Training images in the loss");
  AddOption(*h, "--iterations", hess.iterations, "Power iterations at most");
  AddOption(*h, "--tolerance", hess.tolerance,
            "Power iteration: the relative change that stops it; --top-k: the relative residual "
            "||Hv - lambda v|| / |lambda| of a converged eigenpair");
  AddOption(*h, "--top-k", spectrum.top_k, "The K largest eigenvalues and eigenvectors (Lanczos)");
  AddOption(*h, "--bottom-k", spectrum.bottom_k,
            "Also the J smallest eigenvalues and eigenvectors of the same Lanczos run (needs "
            "--top-k)");
  AddOption(*h, "--lanczos-steps", spectrum.lanczos_steps,
            "Lanczos steps for --top-k and --bottom-k (0: max(2 (K + J) + 20, 40))");
  h->add_flag("--trace", spectrum.trace, "Hutchinson's trace estimate with its 95% interval");
  AddOption(*h, "--trace-probes", spectrum.trace_probes, "Rademacher probes of the trace");
  h->add_flag("--density", spectrum.density,
              "The eigenvalue density by stochastic Lanczos quadrature (CSV and figure)");
  AddOption(*h, "--density-probes", spectrum.density_options.probes,
            "Rademacher start vectors of the density");
  AddOption(*h, "--density-steps", spectrum.density_options.steps,
            "Lanczos steps per start vector of the density");
  AddOption(*h, "--density-bins", spectrum.density_options.bins, "Grid points of the density");
  AddOption(*h, "--save-eigenvectors", spectrum.save_eigenvectors,
            "FILE.pt: the eigenvectors as {\"v1\": {name: tensor}, ..., \"bottom1\": ...} "
            "(torch.load; profile --law hessian-top/hessian-bottom --eigenvectors reads it)");
  bool hess_no_figures = false;
  h->add_flag("--no-figures", hess_no_figures, "Write the density's data only, no figure");

  auto experiment = std::make_shared<cli::ExperimentArgs>();
  cli::RegisterExperimentCommand(app, *experiment);

  cli::ProgressByUnit progress;
  const auto print = [&](const realnets::RunOutput& out, cli::Format format) {
    progress.Finish();
    cli::Emit(cli::Render(out.result, out.meta, format), "");
  };
  return cli::RunApp(app, argc, argv, "valleys realnets", [&] {
    using cli::WithDataDir;
    if (t->parsed()) print(realnets::TrainCommand(WithDataDir(train), progress), train_format);
    if (a->parsed()) {
      after.base = WithDataDir(after.base);
      print(realnets::SgdAfterSwaCommand(after, progress), after_format);
    }
    if (p->parsed())
      print(realnets::ProfileCommand(cli::ProfileCommandFromFlags(prof), progress), prof.format);
    if (s->parsed()) {
      const realnets::SurfaceCommandOptions run = cli::SurfaceCommandFromFlags(surf);
      const realnets::RunOutput out = realnets::SurfaceCommand(run, progress);
      if (!surf.no_figures) cli::RenderSurfaceFiguresOf(run.surface, out);
      print(out, surf.format);
    }
    if (l->parsed()) {
      line.probe.base = WithDataDir(line.probe.base);
      print(realnets::LineCommand(line, progress), line_format);
    }
    if (h->parsed()) {
      hess.base = WithDataDir(hess.base);
      if (spectrum.top_k > 0 || spectrum.bottom_k != 0 || spectrum.trace || spectrum.density) {
        const realnets::RunOutput out = realnets::HessianSpectrumCommand(spectrum, progress);
        if (spectrum.density && !hess_no_figures) {
          const std::string name =
              realnets::CheckpointName(hess.model.empty() ? hess.checkpoint : hess.model);
          plots::RenderHessianDensityFigure(hess.base.out_dir, "hessian_density_" + name,
                                            "Hessian eigenvalue density (" + name + ", " +
                                                std::to_string(hess.sample_size) +
                                                " training images)");
        }
        print(out, hess_format);
      } else {
        print(realnets::HessianCommand(hess, progress), hess_format);
      }
    }
    cli::RunExperimentIfParsed(app, *experiment);
  });
}
