#include "valleys/claims/reproduce_report.hpp"

#include <map>
#include <set>

#include <fmt/format.h>

#include "valleys/io/metadata.hpp"

namespace valleys::claims {

const char* ClaimFigure(const std::string& claim) {
  // C4 (the (r,p,c,l) range) and C5 (flat beats sharp) have no figure that shows them.
  static const std::map<std::string, const char*> figures = {
      {"C1", "B"}, {"C2", "B"}, {"C3", "B"}, {"C4", ""},  {"C5", ""},
      {"C6", "C"}, {"C7", "D"}, {"C8", "E"}, {"C9", "G"}, {"C19", "I"}};
  return figures.at(claim);
}

const char* FigureCaption(const std::string& id) {
  static const std::map<std::string, const char*> captions = {
      {"A",
       "The valley families along one direction, minimum at x = 0, flat side shaded. Read: how "
       "much more slowly each family rises on the flat side than on the sharp one."},
      {"B",
       "Expected test risk against the bias zeta, under a uniform and a Gaussian shift. Read: the "
       "Monte Carlo points lie on the theory curve (C1); its minimum zeta* (dashed) lies on the "
       "flat side, zeta > 0 (C2), inside the shaded window of biases that beat the minimizer "
       "(C3)."},
      {"C",
       "The stationary law of SGD at a small and a large rate. Read: the histogram follows the "
       "exact chain's density at both rates (C6); the SDE limit is close at the small rate and "
       "misplaced at the large one."},
      {"D",
       "The SWA average's bias against the learning rate (log-log). Read: the simulation lies on "
       "the exact curve at every rate (C7); the SDE limit agrees only at small rates on the "
       "quadratic valley and is a constant factor too low on the linear one."},
      {"E",
       "Excess test risk over the minimizer against the learning rate. Read: inside the shaded "
       "window the SWA average's excess is below 0, so it beats the minimizer, and it is above 0 "
       "outside (C8); the last iterate does worse at every rate."},
      {"F",
       "The mean iterate E[x_t] and the mean average E[w_T] started at the minimizer. Read: both "
       "drift to the flat side; the iterate reaches its stationary mean first and the average "
       "follows; the simulation points lie on the exact curves."},
      {"G",
       "SGD on a rotated 2-D valley with its level sets. Read: the path spreads further toward the "
       "flat side of q_1 (green), and the running average (red; zoom at the right) settles on that "
       "side of the minimizer, as the 1-D chain along q_1 predicts (C9: separable directions are "
       "independent 1-D problems)."},
      {"H",
       "The minibatch model: the training loss of n = 50 samples against the population risk. "
       "Read: the training minimizer and the population optimum differ (the inset zooms on them): "
       "the shift that the random-shift model assumes emerges from sampling."},
      {"I",
       "The SWA average's bias against the momentum beta at a fixed rate, heavy ball and "
       "Nesterov. Read: the simulation lies on the exact 2-D chain's curve (C19); the plain "
       "chain at the folded rate eta / (1 - beta) overstates the bias more as beta grows and has "
       "no stationary law at 0.95; its SDE limit stays close for the heavy ball only, and "
       "Nesterov's bias is smaller than the heavy ball's at the same beta."},
  };
  const auto it = captions.find(id);
  return it == captions.end() ? "" : it->second;
}

namespace {

std::string ClaimsTable(const std::vector<ClaimResult>& results) {
  std::string md =
      "| claim | verdict | draws consistent | effect resolved | figure |\n|---|---|---|---|---|\n";
  for (const auto& r : results) {
    int pass = 0, resolved = 0;
    for (const auto& d : r.draws) pass += d.pass, resolved += d.resolved;
    const std::string figure = ClaimFigure(r.id);
    md += fmt::format("| {} {} | **{}** | {}/{} | {}/{} | {} |\n", r.id, r.title,
                      VerdictName(r.verdict), pass, r.draws.size(), resolved, r.draws.size(),
                      figure.empty() ? "none" : fmt::format("[{0}](figures/{0}.png)", figure));
  }
  return md;
}

std::string ClaimsDetail(const std::vector<ClaimResult>& results) {
  std::string md;
  std::set<std::string> shown;  // a figure is drawn under the first claim that reads it
  for (const auto& r : results) {
    md += r.Markdown(false);
    // The first three draws as examples of the numbers behind the verdict.
    md += "| example draw | quantity | simulated +- se | exact |\n|---|---|---|---|\n";
    for (std::size_t k = 0; k < r.draws.size() && k < 3; ++k) {
      const ClaimDraw& d = r.draws[k];
      md += fmt::format("| {} | {} | {} | {} |\n", d.ShortDescription(), d.quantity,
                        d.SimulatedCell(), d.ExactCell());
    }
    const std::string figure = ClaimFigure(r.id);
    if (figure.empty())
      md += "\n";
    else if (shown.insert(figure).second)
      md += fmt::format("\n![figure {0}](figures/{0}.png)\n\n*Figure {0}.* {1}\n\n", figure,
                        FigureCaption(figure));
    else
      md += fmt::format("\nFigure: [{0}](figures/{0}.png), shown above.\n\n", figure);
  }
  return md;
}

std::string FigureList(const std::vector<FigureLink>& figures) {
  std::string md;
  for (const auto& f : figures)
    md += fmt::format(
        "- **{}**: {} ([png](figures/{}.png), [pdf](figures/{}.pdf), data `figures/{}.csv`, script "
        "`figures/{}.gp`; regenerate: `valleys plot {} --data figures/{}.csv --out figures`). "
        "{}\n",
        f.id, f.title, f.id, f.id, f.id, f.id, f.id, f.id, FigureCaption(f.id));
  return md;
}

}  // namespace

std::string ReproduceReport(const ReproduceFacts& f) {
  const std::string smoke =
      f.scale == "smoke"
          ? "**Scale smoke:** every stage ran at its smallest size, to check the pipeline; its "
            "numbers and verdicts mean nothing (run `valleys reproduce` for the study).\n\n"
          : "";
  return io::ReportHeader("valleys reproduce report", f.meta) +
         fmt::format(
             "- scale: {}\n- seed: {}\n- wall time: {:.1f} s\n\n{}"
             "## How to read this report\n\n"
             "Theorems 1 and 2 are computed exactly by the theory engine, with no simulation. "
             "Claims C1-C9 and C19 test the simulator against those exact numbers over random "
             "draws: each "
             "states its rule, its verdict (holds, fails or inconclusive), how many draws agreed "
             "and resolved the effect, three example draws, and the figure that shows it, whose "
             "caption says what to read. The real-network part (C10-C18) measures the same "
             "statements on trained CIFAR-10 networks; each of its verdicts states its sample (n "
             "and the effectively independent n), its interval and its rule. Every table names "
             "the command that regenerates it.\n\n"
             "## Theorem 1: a bias toward the flat side lowers the expected test risk\n\n"
             "R(zeta) = E phi(zeta + delta) for the shift law delta; zeta* its minimizer; the "
             "improving window is\n"
             "{{zeta : R(zeta) < R(0)}}. Regenerate one row with\n"
             "`valleys theory risk --profile PROFILE --shift SHIFT`.\n\n{}\n"
             "## Theorem 2: SGD spends its time on the flat side, so its average is biased "
             "there\n\n"
             "Exact: the discrete-time chain x' = x - eta (phi'(x) + omega) solved numerically "
             "(Ulam's method with\n"
             "Richardson extrapolation); SDE: its small-step limit. E[w_100] is the expected "
             "average of the first 100\n"
             "iterates started at the minimizer. Regenerate one row with\n"
             "`valleys theory sgd --profile PROFILE --eta ETA --noise NOISE --T 100`.\n\n{}\n"
             "## Claims C1-C9 and C19: the simulator against the exact theory\n\n"
             "Each claim is checked over random draws of valleys and parameters; a draw is "
             "consistent when the Monte Carlo\n"
             "numbers agree with the exact ones within |z| <= 4.5 and the claimed sign holds; the "
             "effect is resolved when it\n"
             "is significant at that level. Verdict: holds (all consistent, >= 90% resolved), "
             "fails (any inconsistent) or\n"
             "inconclusive. All draws: `claims.json`. Regenerate all: `valleys check --scale {} "
             "--seed {} --out DIR`.\n\n{}\n{}"
             "## Figures\n\n{}\n"
             "## Real networks (C10-C18)\n\n{}\n"
             "Data: `theory_risk.csv`, `theory_sgd.csv`, `claims.json`, `figures/`; metadata: "
             "`metadata.json`.\n",
             f.scale, f.seed, f.wall_seconds, smoke, RiskMarkdown(f.risk), SgdMarkdown(f.sgd),
             f.scale, f.seed, ClaimsTable(f.claims), ClaimsDetail(f.claims), FigureList(f.figures),
             f.realnets_section);
}

std::string RelinkSection(std::string md, const std::string& subfolder) {
  for (const char* link :
       {"](figures/", "`profiles_summary.csv`", "`<network>/", "`bn/", "`figures/"}) {
    const std::string from = link;
    const std::string to =
        from[0] == ']' ? "](" + subfolder + "/figures/" : "`" + subfolder + "/" + from.substr(1);
    for (std::size_t pos = md.find(from); pos != std::string::npos;
         pos = md.find(from, pos + to.size()))
      md.replace(pos, from.size(), to);
  }
  return md;
}

}  // namespace valleys::claims
