// The outputs of the torch-free analyses, as `valleys realnets logistic2d` and `shift` write and
// print them (docs/cli.md): the 2-parameter logistic model (per-seed rows, the profile CSV, the
// counts) and the translation between a test and a training profile.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "valleys/realnets/logistic2d.hpp"
#include "valleys/realnets/profile_analysis.hpp"

namespace valleys::realnets {

// Metadata: the options, the direction law, the two centres and the criterion.
nlohmann::ordered_json Logistic2dMeta(const Logistic2dOptions& options);
// logistic2d.csv: seed,t,loss,loss_through_minimizer (the last empty where no minimizer exists).
std::string Logistic2dCsv(const Logistic2dSummary& summary);
// The counts and one object per seed (centre, direction, flat side, detrended ratio as a number
// or "inf", and the same at the minimizer, null where none was found).
nlohmann::ordered_json Logistic2dResultJson(const Logistic2dSummary& summary,
                                            const Logistic2dOptions& options);

// delta, offset, mismatch0, mismatch, ratio, overlap_points.
nlohmann::ordered_json ShiftFitJson(const ShiftFit& fit);

}  // namespace valleys::realnets
