// `valleys reproduce`: the report. Stages run in order and write into one folder:
// theory tables (risk and SGD predictions for a default set of valleys) and report.md.
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "claim_scale_flag.hpp"
#include "commands.hpp"
#include "make_figure.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "strict_option.hpp"
#include "theory_results.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/factories.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"

namespace valleys::cli {

namespace {

struct ReproduceArgs {
  std::string out;
  std::string scale = "quick";
  bool no_realnets = false, force = false;
  unsigned long long seed = 1;
};

// Which figure illustrates which claim.
const char* FigureFor(const std::string& claim) {
  static const std::map<std::string, const char*> figures = {{"C1", "B"}, {"C2", "B"}, {"C3", "B"},
                                                             {"C4", "A"}, {"C5", "A"}, {"C6", "C"},
                                                             {"C7", "D"}, {"C8", "E"}, {"C9", "G"}};
  return figures.at(claim);
}

struct RiskCase {
  const char* profile;
  const char* shift;
};
struct SgdCase {
  const char* profile;
  double eta;
  const char* noise;
};

const std::vector<RiskCase> kRiskCases = {
    {"linear:p=1,c=5", "uniform:a=1"},
    {"quadratic:hplus=1,hminus=9", "uniform:a=1"},
    {"quadratic:hplus=1,hminus=9", "gaussian:sigma=0.5"},
    {"quadratic:hplus=1,hminus=4", "gaussian:sigma=1"},
    {"linear:p=1,c=5", "gaussian:sigma=1"},
    {"linex:b=1,alpha=2", "gaussian:sigma=0.5"},
    {"linex:b=1,alpha=2", "uniform:a=1"},
    {"rpcl:r=2,p=1,c=5,l=0.1", "uniform:a=1"},
    {"quadratic:hplus=1,hminus=9", "rademacher:a=1"},
};

const std::vector<SgdCase> kSgdCases = {
    {"quadratic:hplus=1,hminus=9", 0.01, "gaussian:s=1"},
    {"quadratic:hplus=1,hminus=9", 0.05, "gaussian:s=1"},
    {"quadratic:hplus=1,hminus=9", 0.1, "gaussian:s=1"},
    {"quadratic:hplus=1,hminus=9", 0.05, "uniform:s=1"},
    {"linear:p=1,c=5", 0.05, "gaussian:s=1"},
    {"linex:b=1,alpha=2", 0.05, "gaussian:s=1"},
    {"rpcl:r=2,p=1,c=5,l=0.1", 0.05, "gaussian:s=1"},
};

std::string F(const Json& v) {
  return fmt::format("{:.6g}", v.get<double>());
}

void Run(const ReproduceArgs& a) {
  const claims::ClaimScale claim_scale = ScaleFromFlag(a.scale);
  const auto start = std::chrono::steady_clock::now();
  const std::filesystem::path dir = a.out.empty()
                                        ? std::filesystem::path("results") / io::CompactTimestamp()
                                        : std::filesystem::path(a.out);
  // A report folder holds one run: writing into another run's folder would mix its files with
  // stale ones.
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec) && !std::filesystem::is_empty(dir, ec) && !a.force)
    throw io::InputError(fmt::format(
        "--out '{}' is a folder that is not empty (allowed: a new or empty folder; --force writes "
        "into it, replacing the files of the same names)",
        dir.string()));
  io::EnsureDirectory(dir);
  const Json meta = io::Metadata(
      "reproduce", {{"scale", a.scale}, {"seed", a.seed}, {"realnets", !a.no_realnets}});

  const int stages = a.no_realnets ? 4 : 5;
  Stage(1, stages, "theory: expected test risk and optimal bias");
  std::string risk_csv = "profile,shift,R0,zeta_star,R_star,window_lo,window_hi,method\n";
  std::string risk_md =
      "| profile | shift | R(0) | zeta* | R(zeta*) | improving window | method "
      "|\n|---|---|---|---|---|---|---|\n";
  for (const auto& c : kRiskCases) {
    const auto profile = io::MakeProfile(c.profile);
    const auto shift = io::MakeShift(c.shift);
    const Json r = RiskResult(*profile, shift, {});
    risk_csv += fmt::format("\"{}\",\"{}\",{},{},{},{},{},{}\n", c.profile, c.shift,
                            r["R0"].get<double>(), r["zeta_star"].get<double>(),
                            r["R_star"].get<double>(), r["window_lo"].get<double>(),
                            r["window_hi"].get<double>(), r["method"].get<std::string>());
    risk_md += fmt::format("| `{}` | `{}` | {} | {} | {} | ({}, {}) | {} |\n", c.profile, c.shift,
                           F(r["R0"]), F(r["zeta_star"]), F(r["R_star"]), F(r["window_lo"]),
                           F(r["window_hi"]), r["method"].get<std::string>());
  }

  Stage(2, stages, "theory: exact stationary law of SGD vs the SDE limit");
  std::string sgd_csv =
      "profile,eta,noise,mean,mean_error,p_flat,mean_pos,mean_neg,mean_sde,p_flat_sde,mean_avg_"
      "T100\n";
  std::string sgd_md =
      "| profile | eta | noise | E[x] exact | E[x] SDE | P(flat) exact | P(flat) SDE | E[w_100] "
      "from 0 |\n"
      "|---|---|---|---|---|---|---|---|\n";
  Progress progress("sgd cases", static_cast<long long>(kSgdCases.size()));
  long long done = 0;
  for (const auto& c : kSgdCases) {
    const auto profile = io::MakeProfile(c.profile);
    const io::NoiseSpec noise = io::MakeNoise(c.noise);
    SgdRequest req;
    req.chain.eta = c.eta;
    req.chain.noise = noise.kind;
    req.chain.noise_std = noise.s;
    req.T = 100;
    const Json r = SgdResult(*profile, req);
    sgd_csv += fmt::format("\"{}\",{},\"{}\",{},{},{},{},{},{},{},{}\n", c.profile, c.eta, c.noise,
                           r["mean"].get<double>(), r["mean_error"].get<double>(),
                           r["p_flat"].get<double>(), r["mean_pos"].get<double>(),
                           r["mean_neg"].get<double>(), r["mean_sde"].get<double>(),
                           r["p_flat_sde"].get<double>(), r["mean_avg_T"].get<double>());
    sgd_md += fmt::format("| `{}` | {} | `{}` | {} | {} | {} | {} | {} |\n", c.profile, c.eta,
                          c.noise, F(r["mean"]), F(r["mean_sde"]), F(r["p_flat"]),
                          F(r["p_flat_sde"]), F(r["mean_avg_T"]));
    progress.Update(++done);
  }
  progress.Finish();

  Stage(3, stages, "claims C1-C9: simulator vs exact theory");
  std::vector<claims::ClaimResult> results;
  Json claims_json = Json::array();
  Progress claim_progress("claims", 9);
  for (const auto& id : claims::ClaimIds()) {
    results.push_back(claims::CheckClaim(id, claim_scale, a.seed));
    claims_json.push_back(results.back().ToJson());
    claim_progress.Update(static_cast<long long>(results.size()));
  }
  claim_progress.Finish();

  Stage(4, stages, "figures A-H (gnuplot)");
  const std::filesystem::path fig_dir = dir / "figures";
  Progress fig_progress("figures", 8);
  long long figs_done = 0;
  for (const auto& f : plots::Figures()) {
    MakeFigure(f.id, fig_dir.string(), "", claim_scale, a.seed);
    fig_progress.Update(++figs_done);
  }
  fig_progress.Finish();

  std::string claims_md =
      "| claim | verdict | draws consistent | effect resolved | figure |\n|---|---|---|---|---|\n";
  std::string claims_detail;
  for (const auto& r : results) {
    int pass = 0, resolved = 0;
    for (const auto& d : r.draws) pass += d.pass, resolved += d.resolved;
    claims_md += fmt::format("| {} {} | **{}** | {}/{} | {}/{} | [{}](figures/{}.png) |\n", r.id,
                             r.title, claims::VerdictName(r.verdict), pass, r.draws.size(),
                             resolved, r.draws.size(), FigureFor(r.id), FigureFor(r.id));
    claims_detail += r.Markdown(false);
    // The first three draws as examples of the numbers behind the verdict.
    claims_detail += "| example draw | quantity | simulated +- se | exact |\n|---|---|---|---|\n";
    for (std::size_t k = 0; k < r.draws.size() && k < 3; ++k)
      claims_detail +=
          fmt::format("| {} | {} | {:.5g} +- {:.2g} | {:.5g} |\n", r.draws[k].description,
                      r.draws[k].quantity, r.draws[k].simulated, r.draws[k].se, r.draws[k].exact);
    claims_detail +=
        fmt::format("\n![figure {}](figures/{}.png)\n\n", FigureFor(r.id), FigureFor(r.id));
  }
  std::string figures_md;
  for (const auto& f : plots::Figures())
    figures_md += fmt::format(
        "- **{}**: {} ([png](figures/{}.png), [pdf](figures/{}.pdf), data `figures/{}.csv`, script "
        "`figures/{}.gp`; regenerate: `valleys plot {} --data figures/{}.csv --out figures`)\n",
        f.id, f.title, f.id, f.id, f.id, f.id, f.id, f.id);
  // The real-network experiment runs in valleys-realnets (LibTorch), as a child process: preset
  // tiny for --scale quick, small for --scale full. Its report section is included here.
  std::string realnets_md = "Skipped (`--no-realnets`).\n";
  int realnets_status = 0;
  if (!a.no_realnets) {
    const std::string preset = a.scale == "full" ? "small" : "tiny";
    Stage(5, stages, fmt::format("real networks: valleys realnets experiment --preset {}", preset));
    realnets_status =
        RunRealnetsChild({"experiment", "--preset", preset, "--seed", std::to_string(a.seed),
                          "--out", (dir / "realnets").string()});
    if (realnets_status == -1) {
      realnets_md =
          "Not run: this build has no LibTorch (valleys-realnets is missing; see README, build "
          "options).\n";
    } else if (realnets_status != 0) {
      realnets_md = fmt::format(
          "**Failed**: `valleys realnets experiment --preset {}` exited with status {} (its output "
          "above; partial results in `realnets/`).\n",
          preset, realnets_status);
    } else {
      realnets_md = io::ReadFile(dir / "realnets" / "section.md");
      for (const char* link :
           {"](figures/", "`profiles_summary.csv`", "`<network>/", "`bn/", "`figures/"}) {
        const std::string from = link;
        const std::string to =
            from[0] == ']' ? "](realnets/figures/" : "`realnets/" + from.substr(1);
        for (std::size_t pos = realnets_md.find(from); pos != std::string::npos;
             pos = realnets_md.find(from, pos + to.size()))
          realnets_md.replace(pos, from.size(), to);
      }
    }
  }

  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string md =
      io::ReportHeader("valleys reproduce report", meta) +
      fmt::format(
          "- scale: {}\n- seed: {}\n- wall time: "
          "{:.1f} s\n\n"
          "## Theorem 1: a bias toward the flat side lowers the expected test risk\n\n"
          "R(zeta) = E phi(zeta + delta) for the shift law delta; zeta* its minimizer; the "
          "improving "
          "window is\n"
          "{{zeta : R(zeta) < R(0)}}. Regenerate one row with\n"
          "`valleys theory risk --profile PROFILE --shift SHIFT`.\n\n{}\n"
          "## Theorem 2: SGD spends its time on the flat side, so its average is biased there\n\n"
          "Exact: the discrete-time chain x' = x - eta (phi'(x) + omega) solved numerically "
          "(Ulam's "
          "method with\n"
          "Richardson extrapolation); SDE: its small-step limit. E[w_100] is the expected average "
          "of "
          "the first 100\n"
          "iterates started at the minimizer. Regenerate one row with\n"
          "`valleys theory sgd --profile PROFILE --eta ETA --noise NOISE --T 100`.\n\n{}\n"
          "## Claims C1-C9: the simulator against the exact theory\n\n"
          "Each claim is checked over random draws of valleys and parameters; a draw is consistent "
          "when the Monte Carlo\n"
          "numbers agree with the exact ones within |z| <= 4.5 and the claimed sign holds; the "
          "effect "
          "is resolved when it\n"
          "is significant at that level. Verdict: holds (all consistent, >= 90% resolved), "
          "fails (any "
          "inconsistent) or\n"
          "inconclusive. All draws: `claims.json`. Regenerate all: `valleys check --scale {} "
          "--seed {} "
          "--out DIR`.\n\n{}\n{}"
          "## Figures\n\n{}\n"
          "## Real networks (C10-C17)\n\n{}\n"
          "Data: `theory_risk.csv`, `theory_sgd.csv`, `claims.json`, `figures/`; metadata: "
          "`metadata.json`.\n",
          a.scale, a.seed, wall, risk_md, sgd_md, a.scale, a.seed, claims_md, claims_detail,
          figures_md, realnets_md);
  Json full_meta = meta;
  full_meta["wall_time_s"] = wall;
  io::WriteFileAtomically(dir / "theory_risk.csv", risk_csv);
  io::WriteFileAtomically(dir / "theory_sgd.csv", sgd_csv);
  io::WriteFileAtomically(dir / "metadata.json", full_meta.dump(2) + "\n");
  io::WriteFileAtomically(dir / "claims.json", claims_json.dump(2) + "\n");
  io::WriteFileAtomically(dir / "report.md", md);
  fmt::print("wrote {}\n", (dir / "report.md").string());
  if (realnets_status > 0)
    throw std::runtime_error(
        fmt::format("the real-network experiment failed (status {}); the report says so "
                    "(--no-realnets skips it)",
                    realnets_status));
}

}  // namespace

void RegisterReproduceCommand(CLI::App& app) {
  auto args = std::make_shared<ReproduceArgs>();
  CLI::App* r = app.add_subcommand(
      "reproduce", "Run the whole study and write a report (results/<time>/report.md)");
  AddOption(*r, "--out", args->out, "Output folder (default results/<UTC timestamp>)");
  AddOption(*r, "--scale", args->scale, "quick | full")->capture_default_str();
  r->add_flag("--no-realnets", args->no_realnets, "Skip the real-network part");
  r->add_flag("--force", args->force, "Write into a non-empty --out folder");
  AddOption(*r, "--seed", args->seed, "Seed of every random draw and simulation")
      ->capture_default_str();
  r->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
