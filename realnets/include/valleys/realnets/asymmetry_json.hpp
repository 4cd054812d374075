// The JSON contract of an asymmetry report (docs/cli.md, `valleys realnets score`): every field of
// AsymmetryReport, the criterion by name and parameters; infinities and NaN as "inf", "-inf",
// "nan".
#pragma once

#include <nlohmann/json.hpp>

#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/realnets/valley_measure.hpp"

namespace valleys::realnets {

nlohmann::ordered_json AsymmetryReportJson(const AsymmetryReport& report,
                                           const AsymmetryCriterion& criterion);
// Every field of a ValleyMeasure, the widths and rises also divided by its distance unit.
nlohmann::ordered_json ValleyMeasureJson(const ValleyMeasure& measure,
                                         const ValleyCriterion& criterion);

}  // namespace valleys::realnets
