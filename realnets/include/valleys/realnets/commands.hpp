// The single-step real-network commands (train, sgd-after-swa, profile, line, hessian), one call
// each: check the options, create the run folder, run, write the files (CSVs with JSON sidecars,
// atomically) and return what the command prints. Throws std::invalid_argument naming the field
// of an invalid option (before any file is written) and std::runtime_error when the data, a
// checkpoint or a file cannot be read or written.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "valleys/realnets/hessian_spectrum.hpp"
#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/run_output.hpp"
#include "valleys/realnets/surface.hpp"
#include "valleys/realnets/training.hpp"

namespace valleys::realnets {

// Work done of a run, in `unit`s (optimizer steps, epochs, profile points, ...): called after
// each unit; `total` is the count the run expects.
using RunProgress = std::function<void(const std::string& unit, long long done, long long total)>;

// Trains into out_dir: sgd.pt, swa.pt (swa schedule), epochs.csv (rewritten after every epoch,
// so a killed run leaves the finished epochs) with its sidecar, and summary.json.
RunOutput TrainCommand(const TrainOptions& options, const RunProgress& progress = {});

// SGD restarted from out_dir/swa.pt: sgd_after_swa.pt and sgd_after_swa.csv.
RunOutput SgdAfterSwaCommand(const SgdAfterSwaOptions& options, const RunProgress& progress = {});

// A profile on the grid of `options` (PROFILE_STEM.csv), or, with `heights`, at the offsets where
// the training loss first rises by each height (PROFILE_STEM_heights.csv and _search.csv). With
// `save_direction` (a path), the direction is written there too and named in the result as
// `direction_file`.
struct ProfileCommandOptions {
  ProfileOptions profile;
  std::optional<HeightSearchOptions> heights;
  std::string save_direction;
};
RunOutput ProfileCommand(const ProfileCommandOptions& options, const RunProgress& progress = {});

// The loss along the line between two checkpoints: LINE_STEM.csv.
RunOutput LineCommand(const LineOptions& options, const RunProgress& progress = {});

// The top Hessian eigenvalue: hessian_<checkpoint>.json ({"result", "meta"}; the output's meta is
// the file's).
RunOutput HessianCommand(const HessianOptions& options, const RunProgress& progress = {});

// The Hessian's top eigenpairs, trace and density (HessianSpectrum):
// hessian_spectrum_<checkpoint>.json, and with the density hessian_density_<checkpoint>.csv
// (lambda, density) with its sidecar.
RunOutput HessianSpectrumCommand(const HessianSpectrumOptions& options,
                                 const RunProgress& progress = {});

// The loss on a 2-D grid (Surface): SURFACE_STEM.csv (columns SurfacePointFields()) with its
// sidecar, resumed from SURFACE_STEM.partial.csv when an earlier run with the same options on the
// same checkpoint was stopped. With `save_directions` (a path), d1 and d2 are written there too
// ({"d1": {name: tensor}, "d2": {...}}) and named in the result as `directions_file`.
struct SurfaceCommandOptions {
  SurfaceOptions surface;
  std::string save_directions;
};
RunOutput SurfaceCommand(const SurfaceCommandOptions& options, const RunProgress& progress = {});
// "surface_<checkpoint>_<law>_d<i>-<j>_<bn mode>" and the masks' suffixes, as ProfileStem.
std::string SurfaceStem(const SurfaceOptions& options);

}  // namespace valleys::realnets
