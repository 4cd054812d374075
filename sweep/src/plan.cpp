#include "valleys/sweep/plan.hpp"

#include <set>

#include <fmt/format.h>

#include "valleys/io/spec.hpp"
#include "valleys/io/sweep_file.hpp"
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

SweepPlan PlanSweep(const SweepRequest& request) {
  if (request.base.profiles.empty() && request.file.empty())
    throw io::InputError("sweep: SimSpec::profiles (or a SweepRequest::file with one) is required");
  io::SimSpec base = request.base;
  std::vector<io::GridAxis> axes;
  if (!request.file.empty()) {
    const io::SweepFile file = io::ReadSweepToml(request.file);
    io::ApplySweepBase(base, file, request.file);
    axes = file.grid;
  }
  for (const auto& g : request.grid) axes.push_back(io::ParseGridAxis(g, "SweepRequest::grid"));
  if (axes.empty())
    throw io::InputError(
        "sweep: no grid axes (use SweepRequest::grid NAME=SPEC or a SweepRequest::file with a "
        "[grid] table)");
  return PlanSweep(base, axes, request.with_theory);
}

}  // namespace valleys::sweep
