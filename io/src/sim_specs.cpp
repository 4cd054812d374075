#include "valleys/io/sim_specs.hpp"

#include <cmath>

#include <fmt/format.h>

#include "valleys/io/spec.hpp"

namespace valleys::io {

sim::LrSchedule MakeLrSchedule(const std::string& text, double eta, long long total_steps,
                               const std::string& what) {
  const Spec spec = ParseSpec(text, what);
  sim::LrSchedule lr;
  lr.eta = eta;
  if (spec.kind == "constant") {
    spec.RequireOnly({});
    return lr;
  }
  if (spec.kind == "cyclic") {
    spec.RequireOnly({"min", "period"});
    lr.kind = sim::LrKind::kCyclic;
    lr.eta_end = spec.Number("min");
    const double period = spec.Number("period");
    if (!(period >= 1 && period <= 1e9 && period == std::floor(period)))
      throw InputError(fmt::format("{} cyclic: period = {} is out of range (allowed: integer >= 1)",
                                   what, period));
    lr.period = static_cast<int>(period);
    if (!(lr.eta_end >= 0 && lr.eta_end <= eta))
      throw InputError(
          fmt::format("{} cyclic: min = {} is out of range (allowed: 0 <= min <= eta = {})", what,
                      lr.eta_end, eta));
    return lr;
  }
  if (spec.kind == "linear" || spec.kind == "cosine") {
    spec.RequireOnly({"end", "steps"});
    lr.kind = spec.kind == "linear" ? sim::LrKind::kLinear : sim::LrKind::kCosine;
    lr.eta_end = spec.Number("end");
    if (!(lr.eta_end >= 0))
      throw InputError(fmt::format("{} {}: end = {} is out of range (allowed: end >= 0)", what,
                                   spec.kind, lr.eta_end));
    const double steps = spec.NumberOr("steps", static_cast<double>(total_steps));
    if (!(steps >= 1 && steps <= 2e9))
      throw InputError(fmt::format("{} {}: steps = {} is out of range (allowed: 1..2e9)", what,
                                   spec.kind, steps));
    lr.period = static_cast<int>(steps);
    return lr;
  }
  throw InputError(fmt::format("{}: unknown kind '{}' (allowed: constant, cyclic, linear, cosine)",
                               what, spec.kind));
}

sim::Start MakeStart(const std::string& text, const std::string& what) {
  sim::Start s;
  if (text == "0") return s;
  if (text == "min") {
    s.kind = sim::StartKind::kMinimizer;
    return s;
  }
  if (text.rfind("draw", 0) == 0) {
    const Spec spec = ParseSpec(text, what);
    spec.RequireOnly({"sigma"});
    s.kind = sim::StartKind::kDrawn;
    s.value = spec.Number("sigma");
    if (!(s.value > 0))
      throw InputError(
          fmt::format("{} draw: sigma = {} is out of range (allowed: sigma > 0)", what, s.value));
    return s;
  }
  s.kind = sim::StartKind::kValue;
  s.value = ParseNumber(text, what + " (allowed: 0, min, draw:sigma=S or a number)");
  return s;
}

}  // namespace valleys::io
