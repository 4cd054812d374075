#include "experiment_report.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace valleys::realnets::detail {

namespace {

// Text for a Markdown table cell: a '|' (as in |log10 ratio|) would end the cell, so it is escaped.
std::string TableCell(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out;
}

// "0.0312 ± 0.0040 (0.027, 0.031, 0.036)" over the seeds: mean, sample standard deviation and the
// values; one value alone.
std::string Spread(const std::vector<double>& v, int digits = 4) {
  if (v.empty()) return "-";
  auto num = [&](double x) { return fmt::format("{:.{}g}", x, digits); };
  if (v.size() == 1) return num(v[0]);
  double mean = 0, ss = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  for (double x : v) ss += (x - mean) * (x - mean);
  std::string values;
  for (double x : v) values += (values.empty() ? "" : ", ") + num(x);
  return fmt::format("{} ± {} ({})", num(mean), num(std::sqrt(ss / (v.size() - 1.0))), values);
}

std::string SeedList(const std::vector<std::uint64_t>& seeds) {
  std::string s;
  for (auto x : seeds) s += (s.empty() ? "" : ", ") + std::to_string(x);
  return s;
}

// The Hessian's directions: how they were found and each one's eigenpair and valley.
std::string HessianDirectionsSection(const ExperimentFacts& f) {
  const Preset& preset = f.options->preset;
  const int k = preset.hessian_directions;
  std::string md = fmt::format(
      "\n### Along the Hessian's own directions\n\nThe eigenvectors of the {} largest and the {} "
      "smallest eigenvalues of the training loss's Hessian at w_SWA (one Lanczos run of {} steps "
      "with full reorthogonalization over the first {} training images, BN statistics frozen; "
      "each vector's sign chosen so that cos(d, w) >= 0), profiled like the laws (rows "
      "hessian-top and hessian-bottom of the table above) with BN recomputed at every point. A "
      "top direction's offsets cover +-min({}, 2 / sqrt(eigenvalue)), where the quadratic model "
      "reaches 2 nats; a bottom direction's +-{}. An eigenvalue is converged when ||Hv - lambda "
      "v|| <= 1e-3 |lambda|; a direction whose pair has not converged is still the Ritz vector "
      "profiled, and the table says so.\n\n"
      "| seed | network | end | rank | eigenvalue (Ritz) | residual | converged | range | valley "
      "log10 w+/w- (> 0: flatter toward +) |\n|---|---|---|---|---|---|---|---|---|\n",
      k, k,
      preset.hessian_lanczos_steps > 0 ? preset.hessian_lanczos_steps : std::max(4 * k + 20, 40),
      preset.hessian_sample, ShortNumber(preset.range), ShortNumber(preset.range));
  for (const auto& job : f.hessian_directions)
    for (const auto& row : job.rows) {
      const std::string law = row.end == "top" ? "hessian-top" : "hessian-bottom";
      const DirectionRecord* d = nullptr;
      for (const auto& r : f.directions)
        if (r.seed == job.seed && r.variant == job.variant && r.checkpoint == "swa" &&
            r.law == law && r.direction == row.rank - 1)
          d = &r;
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", job.seed, job.variant,
                        row.end, row.rank, ShortNumber(row.value), ShortNumber(row.residual),
                        row.converged ? "yes" : "no", ShortNumber(row.range),
                        d ? ShortNumber(d->valley_log10_ratio) : std::string("-"));
    }
  return md;
}

}  // namespace

std::string RegimeLine(const Preset& preset) {
  if (preset.paper_regime)
    return "Networks in the paper's regime: trained on all 50,000 CIFAR-10 training images with "
           "augmentation, tested on all 10,000 test images.\n\n";
  return fmt::format(
      "**Not the paper's regime:** the networks of preset `{}` are small and trained briefly (or "
      "fit a few thousand images); this run checks the pipeline, and its verdicts are not "
      "judgements of the paper (preset `cpu-full` is).\n\n",
      preset.name);
}

std::string ExperimentSection(const ExperimentFacts& f) {
  const ExperimentOptions& o = *f.options;
  const Preset& preset = o.preset;
  std::string stage_times;
  for (const auto& [name, seconds] : f.stage_seconds)
    stage_times += fmt::format("{}{} {:.0f} s", stage_times.empty() ? "" : "; ", name, seconds);
  std::string md = RegimeLine(preset);
  const std::string recipe =
      preset.schedule == Schedule::kAirbench
          ? fmt::format("{} decayed and {} averaged epochs of the airbench recipe", preset.epochs,
                        preset.swa_epochs)
          : fmt::format("{} epochs of the SWA recipe", preset.epochs);
  md += fmt::format(
      "Preset `{}` ({} of CIFAR-10: {} training / {} test images; {}; {}, "
      "{}; seeds {} ({} per network); {} thread(s), device {}). Wall time {:.0f} s ({}). "
      "Regenerate: `valleys realnets experiment --preset {} --seed {} --out DIR`.\n\n",
      preset.name, preset.subset == Subset::kSmall ? "the balanced subset" : "the full set",
      preset.train_size ? std::to_string(preset.train_size) : "all",
      preset.test_size ? std::to_string(preset.test_size) : "all", preset.model.Describe(), recipe,
      preset.augment ? "random crop and flip" : "no augmentation", SeedList(f.seeds),
      f.seeds.size(), o.threads, DeviceToString(o.device), f.wall_seconds, stage_times, preset.name,
      o.seed);
  md += fmt::format(
      "Per network, over the {} seeds (mean ± standard deviation, then each seed's value). The "
      "training loss is the eval-mode loss on the clean training images at the centre the probes "
      "measure (SWA average; plain SGD for `bn-sgd`), on {} of them. Test accuracy on the "
      "plain test images; with test-time augmentation (TTA: mirror and one-pixel shifts, 6 "
      "views) where the recipe reports it.\n\n",
      f.seeds.size(), preset.eval_size > 0 ? std::to_string(preset.eval_size) : "all");
  md +=
      "| network | parameters | training loss at the centre | training acc at the centre | SGD "
      "test acc | SGD test acc (TTA) | SWA test acc | SWA test acc (TTA) | SWA test loss | "
      "training s | top Hessian eigenvalue (SWA, seed " +
      std::to_string(f.seeds.front()) + ") |\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& v : f.variants) {
    const auto& runs = f.trained.at(v.id);
    std::vector<double> centre, centre_acc, sgd_acc, sgd_tta, swa_acc, swa_tta, swa_loss, secs;
    for (const auto& s : runs) {
      centre.push_back(s.has_swa ? s.swa_train_loss : s.sgd_train_loss);
      centre_acc.push_back(s.has_swa ? s.swa_train_acc : s.sgd_train_acc);
      sgd_acc.push_back(s.sgd_test_acc);
      if (!std::isnan(s.sgd_test_acc_tta)) sgd_tta.push_back(s.sgd_test_acc_tta);
      if (s.has_swa) swa_acc.push_back(s.swa_test_acc), swa_loss.push_back(s.swa_test_loss);
      if (s.has_swa && !std::isnan(s.swa_test_acc_tta)) swa_tta.push_back(s.swa_test_acc_tta);
      secs.push_back(s.run_seconds);
    }
    const auto h = f.hessians.find(v.id);
    md += fmt::format("| {} (`{}`) | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", v.title,
                      v.id, runs.front().parameters, Spread(centre), Spread(centre_acc, 3),
                      Spread(sgd_acc, 3), Spread(sgd_tta, 3), Spread(swa_acc, 3),
                      Spread(swa_tta, 3), Spread(swa_loss), Spread(secs, 4),
                      h == f.hessians.end() ? std::string("-") : h->second);
  }
  std::string accepted;
  for (std::size_t i = 0; i < f.after.size(); ++i)
    accepted += fmt::format("{}seed {}: {}", i ? "; " : "", f.seeds[i],
                            f.after[i].accepted_epoch
                                ? fmt::format("epoch {}", f.after[i].accepted_epoch)
                                : fmt::format("none in {} epochs", f.after[i].epochs_run));
  md += fmt::format(
      "\nSGD after SWA (constant rate {}, at most {} epochs; an epoch is accepted when it fits "
      "the training images better and the test images worse than SWA): {}.\n",
      preset.after_lr, preset.after_max_epochs, accepted);
  md += fmt::format(
      "\nEvery profile: {} offsets over [-{}, {}] along a unit-norm direction (filter law: [-{}, "
      "{}] in filter units), BN statistics recomputed at every point on {} clean training images, "
      "training loss on those images, test loss on the test images. A profile is asymmetric when, "
      "after removing the tilt at the centre, the training loss rises >= 3 times more on one side "
      "than on the other at the largest distance both sides reach (the larger rise at least 0.01 "
      "nats; `valleys realnets score` measures any profile this way).\n\n",
      preset.points, preset.range, preset.range, preset.filter_range, preset.filter_range,
      preset.eval_size);
  // The real networks' claims; C11 is the 2-parameter logistic model, not a network of this run,
  // and stands in a table of its own.
  const auto row = [](const VerdictRow& v) {
    return fmt::format("| {} {} | **{}** | {} | [{}](figures/{}.png) |\n", v.id, TableCell(v.claim),
                       v.verdict, TableCell(v.numbers), v.figure, v.figure);
  };
  md += "| claim | verdict | numbers | figure |\n|---|---|---|---|\n";
  for (const auto& v : f.verdicts)
    if (v.id != "C11") md += row(v);
  for (const auto& v : f.verdicts)
    if (v.id == "C11")
      md +=
          "\nThe 2-parameter logistic model (sigmoid(wx + b) on 10 points, 50 seeds: not a network "
          "of this run):\n\n| claim | verdict | numbers | figure |\n|---|---|---|---|\n" +
          row(v);
  md += fmt::format("\n{}\n\n", kVerdictRules);
  md +=
      "| network | checkpoint | law | directions (all seeds) | n_eff | mean cosine | asymmetric "
      "(95% CI) | flat + / - | median abs log10 ratio (95% CI) | median sign agreement "
      "|\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& v : f.variants) {
    std::vector<std::string> laws = {"uniform01", "gaussian", "sign", "filter"};
    laws.insert(laws.end(), v.families.begin(), v.families.end());
    if (v.hessian_directions) laws.insert(laws.end(), {"hessian-top", "hessian-bottom"});
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
  if (!f.hessian_directions.empty()) md += HessianDirectionsSection(f);
  if (!f.swa_bias.empty()) {
    const SwaBiasResult& first = f.swa_bias.front().second;
    md += fmt::format(
        "\n### C18: the SWA average against the exact SGD chain\n\nThe BN network's iterates "
        "of the SWA phase ({} per seed, every {} optimizer steps of epochs {}-{}) projected on "
        "each direction d through w_SWA (unit norm): t_k = <w_k - w_SWA, d>. Its training "
        "objective phi(t) = L(w_SWA + t d) + (wd/2)|w_SWA + t d|^2 is measured at {} offsets over "
        "+-{} standard deviations of the t_k (BN recomputed at every point; where the fit below "
        "has no minimum inside, again over 4 and 16 times that range) and fitted by least squares "
        "with the asymmetric quadratic c + (h+/2)(t - t_min)_+^2 + (h-/2)(t - t_min)_-^2. "
        "Predicted: the stationary law of the exact chain of heavy-ball SGD on that fit, v' = "
        "beta v + phi'(t) + omega, t' = t - lr v' with lr = {} and beta = {} (solved on its 2-D "
        "state), omega Gaussian with the standard deviation of the per-batch gradients' "
        "projections <g_b, d> at w_SWA (training mode, {} batches of {}); beside it, the plain "
        "chain at the folded rate lr / (1 - beta) (the small-rate limit). Assumed, not tested: a "
        "1-D chain along d driven by the profile through w_SWA, state-independent noise, the "
        "eval-mode clean-image loss as the function SGD descends. Bias: the iterates' mean minus "
        "the profile's minimizer t_min, in units of the "
        "iterates' sd; rise ratio: h-/h+ of the fit; flat side: + where it is >= 1.5, - where it "
        "is <= 1/1.5. PC: a top principal component of the iterates (variance fraction in "
        "parentheses).\n\n",
        first.snapshots, preset.record_every, first.epochs.front(), first.epochs.back(),
        preset.swa_bias_points, first.range_sd, first.lr, first.momentum, first.noise_batches,
        first.batch);
    md +=
        "| seed | direction | iterate sd | skewness | t_min (sd) | rise ratio | flat side | bias "
        "measured (sd) | bias predicted (sd) | bias, folded rate (sd) | P(flat) measured | "
        "P(flat) predicted | noise sd | sd / predicted sd | halves' shift (sd) | admitted |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    int directions = 0, admitted = 0;
    std::vector<double> measured, predicted;
    for (const auto& [seed, r] : f.swa_bias) {
      std::size_t pc = 0;
      for (const auto& w : r.rows) {
        std::string name = w.direction;
        if (name.rfind("pc", 0) == 0 && pc < r.pc_variance_fraction.size())
          name += fmt::format(" ({:.2f})", r.pc_variance_fraction[pc++]);
        const double sd = w.sd > 0 ? w.sd : std::nan("");
        md += fmt::format(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            seed, name, ShortNumber(w.sd), ShortNumber(w.skewness), ShortNumber(w.minimum / sd),
            ShortNumber(w.ratio), theory::SideName(w.flat_side), ShortNumber(w.measured_bias / sd),
            w.predicted ? ShortNumber(w.predicted_bias / sd) : "- (" + w.why_not + ")",
            w.folded ? ShortNumber(w.folded_bias / sd) : std::string("-"),
            ShortNumber(w.measured_p_flat),
            w.predicted ? ShortNumber(w.predicted_p_flat) : std::string("-"),
            ShortNumber(w.noise_std), ShortNumber(w.sd_ratio), ShortNumber(w.halves_shift),
            w.admitted ? std::string("yes") : "no (" + w.not_admitted + ")");
        ++directions;
        if (!w.admitted) continue;
        ++admitted;
        measured.push_back(w.measured_bias / sd);
        predicted.push_back(w.predicted_bias / sd);
      }
    }
    const SignPermutationTest perm = SignAgreementPermutation(measured, predicted, 10000, o.seed);
    md += fmt::format(
        "\nAdmitted (the gates of docs/realnets.md: sd within 2x of the chain's, halves within "
        "0.5 sd, a fit window symmetric about t_min with 3 points on each side): {} of {} "
        "directions. Sign agreement of the admitted directions' measured and predicted biases: "
        "{} of {} ({}), against {} with the predictions permuted over the directions (10,000 "
        "permutations; p = {}).\n",
        admitted, directions, perm.n > 0 ? static_cast<int>(std::lround(perm.rate * perm.n)) : 0,
        perm.n, ShortNumber(perm.rate), ShortNumber(perm.baseline), ShortNumber(perm.p_value));
    md +=
        "\n![swa_bias](figures/swa_bias.png)\n\n*Figure swa_bias.* Each direction's SWA average, "
        "measured from the SWA-phase iterates against the exact chain's prediction on the fitted "
        "profile. Read: left, whether the measured bias has the predicted sign (shaded quadrants) "
        "and how far it is from the diagonal; right, the fraction of the iterates on the flat "
        "side, measured against predicted.\n";
  }
  md +=
      "\n![profiles](figures/profiles.png)\n\n*Figure profiles.* The first seed's training "
      "loss rise along each law's directions through w_SWA (dashed: the BN network's test loss, "
      "C12), and in the uniform01 panel through the SGD centres (C10); dotted: the criterion's "
      "heights, where widths are matched (C15). Read: on which side each curve rises more "
      "slowly, and whether BN and its twin differ.\n\n"
      "![asymmetry](figures/asymmetry.png)\n\n*Figure asymmetry.* Every profile's detrended rise "
      "ratio (every seed and direction; the dashed lines are the criterion's kappa). Read: the "
      "points beyond the dashed lines are asymmetric (C10, C16, C17); each network and law is a "
      "column of points.\n\n"
      "![line](figures/line.png)\n\n*Figure line.* The first seed's line from w_SWA (alpha = "
      "0) to the SGD-after-SWA solution (alpha = 1). Read: which end fits the training images "
      "better and which generalizes better (C13), and the test loss at alpha = -0.25 (C14).\n\n"
      "![logistic2d](figures/logistic2d.png)\n\n*Figure logistic2d.* The 2-parameter logistic "
      "model, one curve per seed. Read: left, the share of asymmetric profiles through the "
      "minimizer (C11); right, through the authors' 30-step average, which is not a minimum: "
      "the grey curves fall below their centre.\n\n"
      "The profile and line figures show the first seed's networks. Data: "
      "`profiles_summary.csv` (every profile's scores and shift fit, every seed), "
      "`direction_groups.csv` (n_eff and the mean cosine of each seed's, network's and law's "
      "directions), `swa_bias.csv` (C18, every seed), `seed-<N>/<network>/profile_*.csv`, "
      "`seed-<N>/bn/line_*.csv`, `seed-<N>/bn/swa_bias_profiles.csv`, `seed-<N>/<network>/"
      "epochs.csv`, `seed-<N>/<network>/hessian_swa.json`, `figures/*.csv` (each CSV with a "
      "`.json` sidecar).\n";
  return md;
}

}  // namespace valleys::realnets::detail
