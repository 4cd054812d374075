// The CUDA backend of the 1-D additive-noise simulation (cuda_kernel.cu). Declared always; the
// stub in cuda_stub.cpp answers "not built" when nvcc was not found.
#pragma once

#include <cstdint>
#include <vector>

#include "chain_step.hpp"

namespace valleys::sim::detail {

enum class GradKind : int { kQuadratic = 0, kLinear = 1, kLinex = 2, kRpcl = 3 };

struct GradParams {
  GradKind kind;
  double a, b, c;  // quadratic (hp, hm), linear (p, c), linex (b, alpha), rpcl (p, c, l)
};

bool CudaBuilt();
bool CudaDevicePresent();
// Runs every chain on the GPU; x0 per chain; fills out (size = x0.size()). Throws on CUDA errors.
void RunChainsCuda(const KernelParams& params, const GradParams& grad,
                   const std::vector<double>& x0, std::vector<ChainOut>& out);

}  // namespace valleys::sim::detail
