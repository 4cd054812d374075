#include "realnets_options.hpp"

#include <optional>

#include <fmt/format.h>

#include "data_dir.hpp"
#include "strict_option.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/surface_figure.hpp"

namespace valleys::cli {

void AddTrainFlags(CLI::App& c, realnets::TrainOptions& o, Format& format) {
  AddOption(c, "--data", o.data_dir,
            "CIFAR-10 folder (default: found as in `valleys realnets data`)");
  AddEnumOption(c, "--set", o.subset, kSubset, "small (10k/2k subset) | full (50k/10k)");
  AddOption(c, "--train-data", o.train_data,
            "Probes: your training data instead of CIFAR-10, a torch.save'd dict {images: "
            "float32 [N,C,H,W], labels: int64 [N]} (with --test-data)");
  AddOption(c, "--test-data", o.test_data, "Probes: your test data (as --train-data)");
  AddOption(c, "--train-size", o.train_size, "Use the first N training images (0: all)");
  AddOption(c, "--test-size", o.test_size, "Use the first N test images (0: all)");
  AddEnumOption(c, "--arch", o.model.arch, kArch,
                "preresnet | vgg16 | wrn | airbench (the fast network; its recipe's standard "
                "values become every default)");
  AddEnumOption(c, "--block", o.model.block, kBlock,
                "preresnet blocks: basic (depth 6k+2) | bottleneck (9k+2)");
  AddOption(c, "--depth", o.model.depth, "Depth (preresnet 6k+2 or 9k+2, wrn 6n+4, vgg16 16)");
  AddOption(c, "--width", o.model.width,
            "Channels of the first stage (standard: 16; vgg16 and airbench 64)");
  AddOption(c, "--widen", o.model.widen, "WideResNet widening factor k");
  c.add_flag_callback(
      "--no-bn", [&o] { o.model.batch_norm = false; },
      "The BN-free twin (BN layers replaced by identities)");
  AddEnumOption(c, "--activation", o.model.activation, kActivation,
                "relu | sigmoid | softplus | gelu (airbench only)");
  AddEnumOption(c, "--bn-init", o.model.bn_init, kBnInit,
                "BN gamma init: ones | uniform01 | normal01");
  AddOption(c, "--batch", o.batch, "Batch size (training, BN recompute)");
  AddOption(c, "--bn-batches", o.bn_batches,
            "BN recompute over the first N batches (0: exact, all)");
  AddOption(c, "--seed", o.seed, "Seed (init, shuffling, augmentation, directions)");
  AddOption(c, "--threads", o.threads, "LibTorch threads");
  AddEnumOption(c, "--device", o.device, kDevice, "cpu | cuda");
  AddOption(c, "--out", o.out_dir, "Run folder (checkpoints; CSVs with JSON sidecars)")->required();
  AddFormatOption(c, format);
}

void AddProbeFlags(CLI::App& c, realnets::ProbeOptions& o) {
  AddEnumOption(c, "--bn-mode", o.bn_mode, kBnMode, "recompute (exact, at every point) | frozen");
  AddOption(c, "--eval-size", o.eval_size,
            "Training images for the BN recompute and the training loss (0: all)");
  c.add_flag("--augmented-train-eval", o.augmented_train_eval,
             "Training loss and BN recompute on augmented images (the authors' loader)");
}

bool AsksForAirbench(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const std::string next = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--arch=airbench" || a == "--schedule=airbench" ||
        ((a == "--arch" || a == "--schedule") && next == "airbench"))
      return true;
  }
  return false;
}

realnets::TrainOptions WithDataDir(realnets::TrainOptions o) {
  if (o.train_data.empty() || o.test_data.empty()) o.data_dir = FindDataDir(o.data_dir);
  return o;
}

namespace {

// --law, --exclude-bn and --only-bn into the direction of `o`.
void ApplyDirectionFlags(const std::string& law, bool exclude_bn, bool only_bn,
                         realnets::ProfileOptions* o) {
  std::string why;
  if (!realnets::ParseDirectionLabel(law, o, &why)) throw io::InputError(why);
  if (exclude_bn && only_bn)
    throw io::InputError("--exclude-bn and --only-bn were both given (allowed: one of them)");
  o->mask = exclude_bn ? realnets::ParameterMask::kExcludeBn
            : only_bn  ? realnets::ParameterMask::kOnlyBn
                       : realnets::ParameterMask::kAll;
}

// The direction's flags that profile and surface share.
void AddDirectionFlags(CLI::App& p, realnets::ProfileOptions& o, std::string& law, bool& exclude_bn,
                       bool& only_bn) {
  AddOption(p, "--law", law,
            "uniform01 (authors') | gaussian | sign | filter | ones | shifted-gaussian:mean=M | "
            "sign-agreement:r=R | logit-scale (the last layer's weights) | hessian-top | "
            "hessian-bottom (eigenvector --direction + 1 of --eigenvectors)");
  AddOption(p, "--eigenvectors", o.eigenvector_file,
            "hessian-top/hessian-bottom: the FILE.pt of `hessian --save-eigenvectors` (the same "
            "network)");
  p.add_flag("--exclude-bn", exclude_bn, "Leave BN gamma/beta out of the direction");
  p.add_flag("--only-bn", only_bn, "Perturb BN gamma/beta only (not with --exclude-bn)");
  AddOption(p, "--exclude-params", o.exclude_pattern,
            "Leave the parameters whose names match this pattern out of the direction "
            "(shell-style: '*.bias', 'head.*')");
  p.add_flag("--no-radial", o.remove_radial,
             "Remove each parameter tensor's radial component (its projection on the weights)");
  p.add_flag("--filter-copy-1d", o.filter_copy_1d,
             "filter law: 1-D parameters copy the weights (default: zero)");
}

}  // namespace

void AddProfileFlags(CLI::App& p, ProfileFlags& f) {
  realnets::ProfileOptions& o = f.run.profile;
  AddTrainFlags(p, o.probe.base, f.format);
  AddProbeFlags(p, o.probe);
  AddOption(p, "--checkpoint", o.checkpoint, "sgd | swa | sgd_after_swa | FILE.pt");
  AddOption(p, "--model", o.model,
            "A TorchScript module saved from Python (torch.jit.script(model).save) to probe "
            "instead of a checkpoint of valleys' network");
  AddDirectionFlags(p, o, f.law, f.exclude_bn, f.only_bn);
  AddOption(p, "--direction", o.direction, "Direction index (its own random stream)");
  AddOption(p, "--range", o.range, "Grid: offsets in [-range, range]");
  AddOption(p, "--points", o.points, "Grid: number of offsets (odd)");
  AddOption(p, "--bracket-rise", o.bracket_rise,
            "Extend each side of the grid by its step until the training loss has risen this "
            "much (nats) above the lowest sample, then refine the minimum (0: the grid only)");
  AddOption(p, "--bracket-limit", o.bracket_limit,
            "Bracketing: |t| at most this many times --range");
  AddOption(p, "--heights", f.heights,
            "Find the offsets where the training loss first rises by these heights (nats, "
            "increasing, e.g. 0.05,0.1,0.25,0.5,1,2) instead of the grid");
  AddOption(p, "--max-offset", f.search.max_offset, "Height search: |t| at most (censored)");
  AddOption(p, "--height-tolerance", f.search.tolerance,
            "Height search: relative tolerance on the height and the bracket");
  AddOption(p, "--save-direction", f.run.save_direction,
            "Write the direction to FILE.pt (torch.load gives {parameter name: tensor})");
}

realnets::ProfileCommandOptions ProfileCommandFromFlags(const ProfileFlags& f) {
  realnets::ProfileCommandOptions run = f.run;
  realnets::ProfileOptions& o = run.profile;
  o.probe.base = WithDataDir(o.probe.base);
  ApplyDirectionFlags(f.law, f.exclude_bn, f.only_bn, &o);
  if (!f.heights.empty()) {
    run.heights = f.search;
    run.heights->heights = ParseNumberList(f.heights, "--heights");
  }
  return run;
}

void AddSurfaceFlags(CLI::App& p, SurfaceFlags& f) {
  realnets::SurfaceOptions& s = f.run.surface;
  realnets::ProfileOptions& o = s.first;
  o.range = 1, o.points = 21;
  AddTrainFlags(p, o.probe.base, f.format);
  AddProbeFlags(p, o.probe);
  AddOption(p, "--checkpoint", o.checkpoint, "sgd | swa | sgd_after_swa | FILE.pt");
  AddOption(p, "--model", o.model,
            "A TorchScript module saved from Python to probe instead of a checkpoint (as profile)");
  AddDirectionFlags(p, o, f.law, f.exclude_bn, f.only_bn);
  AddOption(p, "--direction", o.direction, "Index of the first direction d1");
  AddOption(p, "--direction-2", s.second_direction,
            "Index of the second direction d2 (-1: --direction + 1)");
  AddOption(p, "--range", o.range, "Grid: a in [-range, range] (and b, unless --range-b)");
  AddOption(p, "--points", o.points, "Grid: values of a (odd; and of b, unless --points-b)");
  AddOption(p, "--range-b", s.range_b, "Grid: b in [-range-b, range-b] (0: --range)");
  AddOption(p, "--points-b", s.points_b, "Grid: values of b (odd; 0: --points)");
  AddOption(p, "--mark", s.mark,
            "A second network to mark on the plane (a checkpoint name or FILE.pt; with --model a "
            "TorchScript file), projected onto span(d1, d2)");
  AddOption(p, "--save-directions", f.run.save_directions,
            "Write d1 and d2 to FILE.pt (torch.load gives {\"d1\": {name: tensor}, \"d2\": ...})");
  p.add_flag("--no-figures", f.no_figures, "Write the surface's data only, no figures");
}

realnets::SurfaceCommandOptions SurfaceCommandFromFlags(const SurfaceFlags& f) {
  realnets::SurfaceCommandOptions run = f.run;
  realnets::ProfileOptions& o = run.surface.first;
  o.probe.base = WithDataDir(o.probe.base);
  ApplyDirectionFlags(f.law, f.exclude_bn, f.only_bn, &o);
  return run;
}

void RenderSurfaceFiguresOf(const realnets::SurfaceOptions& o, const realnets::RunOutput& out) {
  std::optional<plots::SurfaceMarkPoint> mark;
  if (out.result.contains("mark")) {
    const auto& m = out.result["mark"];
    mark = plots::SurfaceMarkPoint{
        m["a"].get<double>(), m["b"].get<double>(),
        fmt::format("mark (out of plane {:.3g})", m["out_of_plane"].get<double>())};
  }
  const std::string title = fmt::format(
      "{} along {} directions d{} and d{}, BN {}",
      o.first.model.empty() ? o.first.checkpoint : o.first.model, realnets::DirectionLabel(o.first),
      o.first.direction, o.SecondDirection(), realnets::BnModeToString(o.first.probe.bn_mode));
  plots::RenderSurfaceFigures(o.first.probe.base.out_dir, realnets::SurfaceStem(o), title, mark);
}

}  // namespace valleys::cli
