// Turns the simulator's command-line arguments (shared by `valleys sim`, `sweep` and `check`) into
// sim::SimOptions, and a finished simulation into the result object of the JSON contract.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "output.hpp"
#include "valleys/sim/options.hpp"
#include "valleys/sim/prediction.hpp"
#include "valleys/sim/summary.hpp"

namespace valleys::cli {

// Everything as the user typed it; numbers already parsed by CLI11 or the grid expander.
struct SimArgs {
  std::vector<std::string> profiles;  // one, or one per direction
  int dim = 1;
  std::string basis = "identity";  // identity | random:seed=K
  double coupling = 0.0;
  double eta = 0.05;
  std::string lr_schedule =
      "constant";  // constant | cyclic:min=,period= | linear:end=[,steps=] | cosine:end=[,steps=]
  std::string noise = "gaussian:s=1";
  std::vector<double>
      noise_per_direction;  // d standard deviations in the rotated basis (overrides s)
  double momentum = 0.0, wd = 0.0;
  long long chains = 1000, steps = 10000, burnin = 0, avg_start = 1, avg_every = 1;
  std::string x0 = "0";  // 0 | min | draw:sigma=S | NUMBER
  unsigned long long seed = 1;
  int data_size = 0, batch = 1;
  bool no_replacement = false;
  unsigned long long data_seed = 1;
  std::string eval_shift;  // required for risk statistics and the minibatch model
  double divergence_bound = 1e8;
  std::string backend = "cpu";
};

// Throws io::InputError naming the argument and its allowed range.
sim::SimOptions MakeSimOptions(const SimArgs& args);

// The contract keys (docs/cli.md) plus "theory" (the prediction's values, when given) and "z".
Json SimResult(const sim::SimOptions& options, const sim::SimSummary& summary,
               const std::optional<sim::Prediction>& prediction);

// The parameters as metadata.
Json SimMetadata(const SimArgs& args);

// Sets a SimArgs field by its command-line name without dashes ("eta", "hminus" is not one of
// these), used by sweep grids. Returns false when the name is not a simulator argument.
bool SetSimArg(SimArgs& args, const std::string& name, const std::string& value);

}  // namespace valleys::cli
