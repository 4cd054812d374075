// `valleys sim`: one configuration of the Monte Carlo simulator.
#include <memory>

#include "commands.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "sim_options_cli.hpp"
#include "sim_setup.hpp"
#include "strict_option.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/sim/simulator.hpp"

namespace valleys::cli {

namespace {
struct SimCommandArgs {
  SimArgs sim;
  std::string format = "table", out;
  bool quiet = false;
};

void Run(const SimCommandArgs& a) {
  const Format format = ParseFormat(a.format);
  const sim::SimOptions options = MakeSimOptions(a.sim);
  sim::RunControl control;
  control.backend = a.sim.backend == "cuda" ? sim::Backend::kCuda : sim::Backend::kCpu;
  Progress progress("sim", 1000, a.quiet);
  control.progress = [&](double f) { progress.Update(static_cast<long long>(f * 1000)); };
  const sim::SimSummary summary = sim::Simulate(options, control);
  progress.Finish();
  const std::optional<sim::Prediction> prediction = sim::PredictIfPossible(options);
  Emit(Render(SimResult(options, summary, prediction), io::Metadata("sim", SimMetadata(a.sim)),
              format),
       a.out);
}
}  // namespace

void RegisterSimCommand(CLI::App& app) {
  auto args = std::make_shared<SimCommandArgs>();
  CLI::App* s = app.add_subcommand(
      "sim", "Monte Carlo: N independent SGD chains with weight averaging (SWA)");
  AddSimOptions(*s, args->sim);
  AddOption(*s, "--format", args->format, "table | csv | json")->capture_default_str();
  AddOption(*s, "--out", args->out, "Write to this file (atomically) instead of stdout");
  s->add_flag("--quiet", args->quiet, "No progress line");
  s->callback([args] { Run(*args); });
}

}  // namespace valleys::cli
