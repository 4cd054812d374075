// The bracketing of a loss profile (internal): ProfileOptions::bracket_rise's extension of the
// grid until the training loss has risen on both sides, then the refinement of its minimum.
#pragma once

#include <vector>

#include <torch/torch.h>

#include "probe_points.hpp"

namespace valleys::realnets::detail {

// Extends the uniform grid profile *c (spacing 2 o.range / (o.points - 1)) on each side by grid
// steps until the edge's training loss is o.bracket_rise nats above the lowest point or the next
// step would pass o.bracket_limit * o.range; then adds the two midpoints beside the lowest point.
// *c stays sorted by t.
void Bracket(const ProbeTarget& net, const std::vector<torch::Tensor>& centre,
             const std::vector<torch::Tensor>& dir, const ProfileOptions& o, const ProbeData& data,
             ProbeCurve* c);

// The points of c that lie on the uniform grid of spacing `step` through t = 0 (the grid and its
// extension, without the refinement's midpoints): the input of the grid-based scores.
ProbeCurve OnGrid(const ProbeCurve& c, double step);

}  // namespace valleys::realnets::detail
