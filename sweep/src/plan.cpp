#include "valleys/sweep/plan.hpp"

#include <set>

#include <fmt/format.h>

#include "valleys/io/spec.hpp"
#include "valleys/sweep/sweep.hpp"

namespace valleys::sweep {

SweepPlan PlanSweep(const io::SimSpec& base, const std::vector<io::GridAxis>& axes,
                    bool with_theory) {
  std::set<std::string> names;
  for (const auto& a : axes)
    if (!names.insert(a.name).second)
      throw io::InputError(fmt::format("grid axis '{}' is given twice", a.name));
  SweepPlan plan;
  plan.axes = axes;
  const long long total = io::GridSize(axes);
  plan.configurations.reserve(static_cast<std::size_t>(total));
  for (long long i = 0; i < total; ++i) {
    io::SimSpec spec = base;
    const auto point = io::GridPoint(axes, i);
    for (const auto& [name, value] : point) io::ApplyGridValue(spec, name, value);
    try {
      plan.configurations.push_back(io::MakeSimOptions(spec));
    } catch (const io::InputError& e) {
      throw io::InputError(
          fmt::format("configuration {} ({}): {}", i, point.front().second, e.what()));
    }
  }
  plan.header = CsvHeader(axes);
  plan.with_theory = with_theory;
  plan.specification = {{"base", io::SimSpecJson(base)}, {"theory", with_theory}};
  for (const auto& a : axes)
    plan.specification["axes"].push_back({{"name", a.name}, {"values", a.values}});
  plan.sweep_id = SweepId(plan.specification.dump());
  return plan;
}

}  // namespace valleys::sweep
