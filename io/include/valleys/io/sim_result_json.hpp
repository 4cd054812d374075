// The JSON contract of a simulation's result (docs/cli.md, `valleys sim`): every statistic with its
// standard error, the run's counts and speed, per-direction means for a d-dimensional valley, and,
// with an exact prediction, its values ("theory") and the z-scores of the simulation against it.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "valleys/sim/prediction.hpp"
#include "valleys/sim/summary.hpp"

namespace valleys::io {

nlohmann::ordered_json SimResultJson(const sim::SimSummary& summary,
                                     const std::optional<sim::Prediction>& prediction);

}  // namespace valleys::io
