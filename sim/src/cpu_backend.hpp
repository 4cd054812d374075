// The CPU backend of the 1-D additive-noise simulation: OpenMP over blocks of chains, the chain
// loop vectorized. Compiled alone with -march=native (see sim/CMakeLists.txt).
#pragma once

#include <functional>
#include <vector>

#include "chain_step.hpp"
#include "valleys/theory/profile.hpp"
#include "work_poll.hpp"

namespace valleys::sim::detail {

// Runs chain i from x0[i]; out is resized to x0.size(). Analytic profiles use inlined gradients,
// others their virtual Slope. Work is reported to `poll`; once it is stopped the chains end early
// and `out` holds no result.
void RunChainsCpu(const KernelParams& params, const theory::Profile& profile,
                  const std::vector<double>& x0, std::vector<ChainOut>& out, WorkPoll& poll);

}  // namespace valleys::sim::detail
