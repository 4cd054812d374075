// The experiment's Hessian directions (one job's network): the eigenvectors of the largest and the
// smallest eigenvalues of the training loss's Hessian at the SWA solution, and the offset range
// each is profiled over.
#pragma once

#include <string>
#include <vector>

#include "valleys/realnets/experiment.hpp"
#include "valleys/realnets/training.hpp"

namespace valleys::realnets::detail {

// One eigenpair as the job record keeps it.
struct HessianDirectionRow {
  std::string end;  // "top" (rank 1: the largest eigenvalue) or "bottom" (rank 1: the smallest)
  int rank = 1;
  double value = 0;     // the Ritz value (an eigenvalue estimate; 1/nat units of t^-2)
  double residual = 0;  // ||H v - value v||
  bool converged = false;
  double range = 0;  // the profile's offsets cover [-range, range]
};

struct HessianDirections {
  std::string vectors_file;  // {"v1": ..., "bottom1": ...}: ProfileOptions::eigenvector_file
  std::vector<HessianDirectionRow> rows;
};

// The range of a top direction: where the quadratic model value t^2 / 2 reaches 2 nats (2 /
// sqrt(value)), at most preset.range; a bottom direction (or a non-positive value) has
// preset.range.
double HessianDirectionRange(const Preset& preset, const HessianDirectionRow& row);

// preset.hessian_directions eigenpairs of each end at run's swa checkpoint (Lanczos over the first
// preset.hessian_sample training images, BN statistics frozen; preset.hessian_lanczos_steps),
// read back from run.out_dir/hessian_directions.json and .pt when both are of this checkpoint
// (SHA-256) and these settings, else computed and written there.
HessianDirections HessianDirectionsOrResume(const TrainOptions& run, const Preset& preset);

}  // namespace valleys::realnets::detail
