// `valleys sim`: one configuration of the Monte Carlo simulator.
#include <omp.h>

#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "sim_options_cli.hpp"
#include "strict_option.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/sim_result_json.hpp"
#include "valleys/io/sim_spec.hpp"
#include "valleys/sim/simulator.hpp"

namespace valleys::cli {

namespace {
struct SimCommandArgs {
  io::SimSpec sim;
  std::string out;
  Format format = Format::kTable;
  bool quiet = false;
};

void Run(const SimCommandArgs& a) {
  const sim::SimOptions options = io::MakeSimOptions(a.sim);
  sim::RunControl control;
  control.backend = a.sim.backend == "cuda" ? sim::Backend::kCuda : sim::Backend::kCpu;
  // In chain-steps (chains x (burn-in + steps)), so the rate reads as chain-steps/s; computed in
  // double, since the product can exceed 2^63.
  const double total = static_cast<double>(options.chains) *
                       (static_cast<double>(options.burnin) + static_cast<double>(options.steps));
  // A run that will take long says so before it starts, on a terminal or in a log.
  if (total > 1e9) {
    const double seconds = sim::EstimateSeconds(options, control.backend);
    if (seconds > 10)
      fmt::print(stderr, "sim: {:.3g} chain-steps, expected to take about {} on {} threads\n",
                 total, DurationText(seconds), omp_get_max_threads());
  }
  const long long work = total < 9e18 ? static_cast<long long>(total) : 0;
  Progress progress("sim chain-steps", work, a.quiet || work == 0);
  control.progress = [&](double f) { progress.Update(static_cast<long long>(f * work)); };
  const sim::SimSummary summary = sim::Simulate(options, control);
  progress.Finish();
  const std::optional<sim::Prediction> prediction = sim::PredictIfPossible(options);
  Emit(Render(io::SimResultJson(summary, prediction), io::Metadata("sim", io::SimSpecJson(a.sim)),
              a.format),
       a.out);
}
}  // namespace

void RegisterSimCommand(CLI::App& app) {
  auto args = std::make_shared<SimCommandArgs>();
  CLI::App* s = app.add_subcommand(
      "sim", "Monte Carlo: N independent SGD chains with weight averaging (SWA)");
  AddSimOptions(*s, args->sim);
  AddFormatOption(*s, args->format);
  AddOption(*s, "--out", args->out, "Write to this file (atomically) instead of stdout");
  s->add_flag("--quiet", args->quiet, "No progress line");
  s->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
