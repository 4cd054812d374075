// The pre-registered rules' inputs read from the experiment's job records, and their report
// section (docs/realnets.md, "Pre-registered rules").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "job_record.hpp"
#include "valleys/realnets/preregistered_rules.hpp"

namespace valleys::realnets::detail {

// Each claim's values by seed: C10 the |log10 w+/w-| of the BN network's SGD-checkpoint uniform01
// profiles; C12, C15, C16, C17 one paired difference per seed (see PreregisteredRules). A profile
// without a bracketed height contributes nothing. C18 as C18Data. C15's precondition reads the
// twins' plain SWA test accuracy against `twin_min_accuracy`.
std::vector<ClaimData> PreregisteredClaimData(const std::vector<JobRecord>& records,
                                              double twin_min_accuracy = 0.85);

// C18's values: per seed, the slope through the origin of the measured on the predicted bias
// (iterate sd) over the BN network's admitted directions; the precondition needs 2 such seeds.
ClaimData C18Data(const std::vector<JobRecord>& records);

// The report's table of the verdicts: statistic, sample (n, seeds, ICC, design effect,
// effective n), the seeds' values, the mean, the one-sided bounds at Holm's strictest level, the
// cluster bootstrap interval (seeded by `seed`), p-values, verdict, the detectable distance.
std::string PreregisteredSection(const std::vector<ClaimData>& data,
                                 const std::vector<ClaimVerdict>& verdicts, std::uint64_t seed);

}  // namespace valleys::realnets::detail
