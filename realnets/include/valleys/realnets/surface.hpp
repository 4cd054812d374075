// The loss on a 2-D grid through a checkpoint (or a TorchScript model), as loss-landscape draws
// it: w(a, b) = w_centre + a d1 + b d2, two directions of any profile law (filter-normalized by
// default), BN recomputed at every point as the profiles do. Resumable: points already evaluated
// are passed in and kept. No LibTorch types here; the implementation is surface.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/surface_grid.hpp"

namespace valleys::realnets {

struct SurfaceOptions {
  // The network, its data and BN mode (first.probe), the checkpoint or model, and the first
  // direction d1: law, index and masks. first.range and first.points give the a axis (points odd,
  // 3..401); bracketing is not used.
  ProfileOptions first;
  // d2: first's law and masks at this index (-1: first.direction + 1; must differ from it).
  int second_direction = -1;
  double range_b = 0;  // the b axis: offsets in [-range_b, range_b] (0: first.range)
  int points_b = 0;    // odd, 3..401 (0: first.points)
  // A second network to mark on the plane, projected onto span(d1, d2): a checkpoint of the run
  // (name or FILE.pt) of valleys' network, or with first.model a TorchScript file. Empty: none.
  std::string mark;
  bool IsValid(std::string* why) const;
  int SecondDirection() const {
    return second_direction >= 0 ? second_direction : first.direction + 1;
  }
  double RangeB() const { return range_b > 0 ? range_b : first.range; }
  int PointsB() const { return points_b > 0 ? points_b : first.points; }
  // d2's profile options: first with the second index.
  ProfileOptions Second() const;
};

// The mark's place: its offset from the centre, Delta = w_mark - w_centre over the perturbed
// parameters, split into its least-squares coordinates in span(d1, d2) and the rest.
struct SurfaceMark {
  std::string source, sha256;
  double a = 0, b = 0;       // Delta's projection: a d1 + b d2
  double out_of_plane = 0;   // ||Delta - a d1 - b d2||
  double distance = 0;       // ||Delta||
  bool inside_grid = false;  // |a| <= range_a and |b| <= range_b
};

struct SurfaceResult {
  std::vector<SurfacePoint> points;  // SurfaceGrid order: a outer, b inner, both ascending
  double range_a = 0, range_b = 0;
  int points_a = 0, points_b = 0;
  double norm_d1 = 0, norm_d2 = 0;  // 1 except for the filter law
  double cosine_d1_d2 = 0;          // cos(d1, d2)
  double sign_agreement_d1 = 0, sign_agreement_d2 = 0;
  long long perturbed = 0;  // coordinates d1 touches (d2 touches the same ones)
  bool has_mark = false;
  SurfaceMark mark;
  long long resumed = 0;  // points taken from `known`, not evaluated again
  std::string checkpoint_sha256, model_description;
  long long parameter_count = 0;
};

// Called after every evaluated point with the result so far (its points a prefix of the grid in
// SurfaceGrid order, every other field final): for writing a resumable partial result.
using SurfaceCheckpoint = std::function<void(const SurfaceResult& so_far)>;

// Evaluates the grid. `known` (points of an earlier run with the same options, measured on the
// checkpoint whose SHA-256 is known_sha256) are kept where they are a prefix of the grid in its
// order and the checkpoint's SHA-256 is the same; otherwise every point is evaluated. Throws
// std::invalid_argument for invalid options and std::runtime_error for data or checkpoints that
// cannot be read.
SurfaceResult Surface(const SurfaceOptions& options, const std::vector<SurfacePoint>& known = {},
                      const std::string& known_sha256 = "",
                      const SurfaceCheckpoint& checkpoint = {}, const ProbeProgress& progress = {});

// The two directions as a file Python reads with torch.load: {"d1": {name: tensor}, "d2": {...}}
// (float32, the named-parameter order), scaled as the surface scales them. The bytes.
std::string SurfaceDirectionsFileBytes(const SurfaceOptions& options);

}  // namespace valleys::realnets
