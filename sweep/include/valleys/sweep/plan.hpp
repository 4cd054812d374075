// A sweep before it runs: the configurations of a base simulation over grid axes, each checked,
// and the specification whose id names the sweep (a kept CSV belongs to it only when the ids
// agree).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "valleys/io/grid.hpp"
#include "valleys/io/sim_spec.hpp"
#include "valleys/sim/options.hpp"

namespace valleys::sweep {

struct SweepPlan {
  std::vector<io::GridAxis> axes;
  std::vector<sim::SimOptions> configurations;  // by index, in grid order
  nlohmann::ordered_json specification;         // {"base", "theory", "axes"}
  std::string sweep_id;                         // SweepId of the specification's canonical text
  std::string header;                           // CsvHeader(axes)
  bool with_theory = true;                      // exact predictions where possible
};

// Expands and checks every configuration before any work (a typo fails now, not after hours).
// Throws io::InputError for an axis given twice, or naming the first configuration that is not
// valid ("configuration 3 (first axis value): why").
SweepPlan PlanSweep(const io::SimSpec& base, const std::vector<io::GridAxis>& axes,
                    bool with_theory);

// `valleys sweep` as its user gives it: a base configuration, a TOML sweep file (its [base] over
// the base, its [grid] axes first) and more axes as text.
struct SweepRequest {
  io::SimSpec base;
  std::string file;               // the TOML sweep file (empty: none)
  std::vector<std::string> grid;  // NAME=lo:hi:count[:lin|log] | NAME=v1,v2,...
  bool with_theory = true;
};

// PlanSweep of the request. Throws io::InputError for a request without a profile or without
// axes, an axis written wrong (naming SweepRequest::grid) and a sweep file that cannot be used.
SweepPlan PlanSweep(const SweepRequest& request);

}  // namespace valleys::sweep
