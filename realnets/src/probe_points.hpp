// The points of a probe (internal): the data every point evaluates, the evaluation of a network
// along a direction, and the random directions of the direction laws.
#pragma once

#include <string>
#include <vector>

#include <torch/torch.h>

#include "probe_target.hpp"
#include "runtime.hpp"
#include "valleys/realnets/probes.hpp"

namespace valleys::realnets::detail {

// The data every probe point evaluates: eval_size training images (BN recompute and training
// loss) and the test set.
struct ProbeData {
  Data train, test;
};
ProbeData LoadProbeData(const ProbeOptions& p);

// Evaluates centre + t * direction at every offset t (parameters only; BN buffers are the
// centre's, or recomputed at each point as p.bn_mode says).
ProbeCurve EvaluateAlong(const ProbeTarget& net, const std::vector<torch::Tensor>& centre,
                         const std::vector<torch::Tensor>& direction,
                         const std::vector<double>& offsets, const ProbeOptions& p,
                         const ProbeData& data, const ProbeProgress& progress);

// A direction of a profile, on the CPU, scaled as its law says.
struct Direction {
  std::vector<std::string> names;      // the named parameters, in order
  std::vector<torch::Tensor> tensors;  // one per named parameter, in order
  double norm = 0;                     // its L2 norm (1 except for the filter law)
  double sign_agreement = 0;
  long long perturbed = 0;
  std::string source_sha256;  // the file it was read from (hessian laws), else empty
};
// The direction of o's law, index and masks for the parameters of `net` (its own random stream:
// the seed of o.probe.base, the index and the law).
Direction MakeDirection(const ProbeTarget& net, const ProfileOptions& o);

}  // namespace valleys::realnets::detail
