#include "experiment_report.hpp"

#include <fmt/format.h>

namespace valleys::realnets::detail {

std::string ExperimentSection(const ExperimentFacts& f) {
  const ExperimentOptions& o = *f.options;
  const Preset& preset = o.preset;
  std::string stage_times;
  for (const auto& [name, seconds] : f.stage_seconds)
    stage_times += fmt::format("{}{} {:.0f} s", stage_times.empty() ? "" : "; ", name, seconds);
  std::string md = fmt::format(
      "Preset `{}` ({} of CIFAR-10: {} training / {} test images; {}; {} epochs of the SWA recipe; "
      "seed {}; {} thread(s), device {}). Wall time {:.0f} s ({}). Regenerate: `valleys "
      "realnets experiment --preset {} --seed {} --out DIR`.\n\n",
      preset.name, preset.subset == Subset::kSmall ? "the balanced subset" : "the full set",
      preset.train_size ? std::to_string(preset.train_size) : "all",
      preset.test_size ? std::to_string(preset.test_size) : "all", preset.model.Describe(),
      preset.epochs, o.seed, o.threads, DeviceToString(o.device), f.wall_seconds, stage_times,
      preset.name, o.seed);
  md +=
      "| network | parameters | SGD test acc | SWA test acc | SWA test loss | top Hessian "
      "eigenvalue (SWA) |\n|---|---|---|---|---|---|\n";
  for (const auto& v : f.variants) {
    const auto& s = f.trained.at(v.id);
    const auto h = f.hessians.find(v.id);
    md += fmt::format("| {} (`{}`) | {} | {:.3f} | {} | {} | {} |\n", v.title, v.id, s.parameters,
                      s.sgd_test_acc, s.has_swa ? fmt::format("{:.3f}", s.swa_test_acc) : "-",
                      s.has_swa ? fmt::format("{:.4f}", s.swa_test_loss) : "-",
                      h == f.hessians.end() ? std::string("-") : h->second);
  }
  md += fmt::format(
      "\nEvery profile: {} offsets over [-{}, {}] along a unit-norm direction (filter law: [-{}, "
      "{}] in filter units), BN statistics recomputed at every point on {} clean training images, "
      "training loss on those images, test loss on the test images. A profile is asymmetric when, "
      "after removing the tilt at the centre, the training loss rises >= 3 times more on one side "
      "than on the other at the largest distance both sides reach (the larger rise at least 0.01 "
      "nats; `valleys realnets score` measures any profile this way).\n\n",
      preset.points, preset.range, preset.range, preset.filter_range, preset.filter_range,
      preset.eval_size);
  md += "| claim | verdict | numbers | figure |\n|---|---|---|---|\n";
  for (const auto& v : f.verdicts)
    md += fmt::format("| {} {} | **{}** | {} | [{}](figures/{}.png) |\n", v.id, v.claim, v.verdict,
                      v.numbers, v.figure, v.figure);
  md += fmt::format("\n{}\n\n", kVerdictRules);
  md +=
      "| network | checkpoint | law | directions | n_eff | mean cosine | asymmetric (95% CI) | "
      "flat + / - | median abs log10 ratio (95% CI) | median sign agreement "
      "|\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& v : f.variants) {
    std::vector<std::string> laws = {"uniform01", "gaussian", "sign", "filter"};
    laws.insert(laws.end(), v.families.begin(), v.families.end());
    for (const char* ck : {"swa", "sgd"})
      for (const std::string& law : laws) {
        const LawStats s = Stats(f.directions, f.groups, v.id, ck, law, o.seed);
        if (s.n == 0) continue;
        md += fmt::format(
            "| {} | {} | {} | {} | {} | {} | {} ({}-{}) | {} / {} | {} ({}-{}) | {} |\n", v.id, ck,
            law, s.n, ShortNumber(s.n_eff), ShortNumber(s.mean_cosine), s.asymmetric,
            ShortNumber(s.fraction_ci.lo), ShortNumber(s.fraction_ci.hi), s.flat_pos, s.flat_neg,
            ShortNumber(s.median_abs_log_ratio), ShortNumber(s.median_abs_log_ratio_ci.lo),
            ShortNumber(s.median_abs_log_ratio_ci.hi), ShortNumber(s.median_sign_agreement));
      }
  }
  md +=
      "\n![profiles](figures/profiles.png)\n![asymmetry](figures/asymmetry.png)\n"
      "![line](figures/line.png)\n![logistic2d](figures/logistic2d.png)\n\n"
      "Data: `profiles_summary.csv` (every profile's scores and shift fit), "
      "`direction_groups.csv` (n_eff and the mean cosine of each law's directions), "
      "`<network>/profile_*.csv`, `bn/line_*.csv`, `<network>/epochs.csv`, "
      "`<network>/hessian_swa.json`, `figures/*.csv` (each CSV with a `.json` sidecar).\n";
  return md;
}

}  // namespace valleys::realnets::detail
