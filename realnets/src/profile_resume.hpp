// A job's profiles across a kill (internal): a profile whose curve and sidecar a previous run of
// the same job wrote is read back instead of evaluated again.
#pragma once

#include <string>

#include "valleys/realnets/probes.hpp"

namespace valleys::realnets::detail {

// The profile of `o` in the run folder `dir`: when <dir>/<ProfileStem(o)>.csv and its sidecar
// exist, the curve parses, and the sidecar records the same options, data, network and
// checkpoint (every field of ProfileMeta except when, where and by which build it was written),
// ProfileFromCurve of that curve; otherwise Profile(o). Writes nothing.
ProfileResult ProfileOrResume(const std::string& dir, const ProfileOptions& o);

// The curve of a CurveCsv text with x column "t" (std::invalid_argument when it is not one).
ProbeCurve ParseCurveCsv(const std::string& csv);

}  // namespace valleys::realnets::detail
