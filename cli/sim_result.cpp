#include "sim_setup.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "strict_option.hpp"
#include "valleys/io/sim_result_json.hpp"
#include "valleys/sim/prediction.hpp"

namespace valleys::cli {

Json SimResult(const sim::SimOptions& /*options*/, const sim::SimSummary& summary,
               const std::optional<sim::Prediction>& prediction) {
  return io::SimResultJson(summary, prediction);
}

Json SimMetadata(const SimArgs& a) {
  Json profiles = Json::array();
  for (const auto& p : a.profiles) profiles.push_back(p);
  return {{"profile", profiles},
          {"dim", a.dim},
          {"basis", a.basis},
          {"coupling", a.coupling},
          {"eta", a.eta},
          {"lr_schedule", a.lr_schedule},
          {"noise", a.noise},
          {"momentum", a.momentum},
          {"wd", a.wd},
          {"chains", a.chains},
          {"steps", a.steps},
          {"burnin", a.burnin},
          {"avg_start", a.avg_start},
          {"avg_every", a.avg_every},
          {"x0", a.x0},
          {"seed", a.seed},
          {"data_size", a.data_size},
          {"batch", a.batch},
          {"replacement", !a.no_replacement},
          {"data_seed", a.data_seed},
          {"eval_shift", a.eval_shift},
          {"backend", a.backend}};
}

bool SetSimArg(SimArgs& a, const std::string& name, const std::string& value) {
  const std::string what = fmt::format("grid value of '{}'", name);
  auto num = [&] { return ParseStrict<double>(value, what); };
  auto integer = [&]() { return ParseStrict<long long>(value, what); };
  if (name == "profile")
    a.profiles = {value};
  else if (name == "eta")
    a.eta = num();
  else if (name == "noise")
    a.noise = value;
  else if (name == "lr-schedule")
    a.lr_schedule = value;
  else if (name == "momentum")
    a.momentum = num();
  else if (name == "wd")
    a.wd = num();
  else if (name == "chains")
    a.chains = integer();
  else if (name == "steps")
    a.steps = integer();
  else if (name == "burnin")
    a.burnin = integer();
  else if (name == "avg-start")
    a.avg_start = integer();
  else if (name == "avg-every")
    a.avg_every = integer();
  else if (name == "x0")
    a.x0 = value;
  else if (name == "seed")
    a.seed = ParseStrict<unsigned long long>(value, what);
  else if (name == "dim")
    a.dim = ParseStrict<int>(value, what);
  else if (name == "coupling")
    a.coupling = num();
  else if (name == "data-size")
    a.data_size = ParseStrict<int>(value, what);
  else if (name == "batch")
    a.batch = ParseStrict<int>(value, what);
  else if (name == "eval-shift")
    a.eval_shift = value;
  else
    return false;
  return true;
}

}  // namespace valleys::cli
