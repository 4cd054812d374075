// The JSON contract of an asymmetry report (docs/cli.md, `valleys realnets score`): every field of
// AsymmetryReport, the criterion by name and parameters; infinities and NaN as "inf", "-inf",
// "nan".
#pragma once

#include <nlohmann/json.hpp>

#include "valleys/realnets/asymmetry_measure.hpp"

namespace valleys::realnets {

nlohmann::ordered_json AsymmetryReportJson(const AsymmetryReport& report,
                                           const AsymmetryCriterion& criterion);

}  // namespace valleys::realnets
