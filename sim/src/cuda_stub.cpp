#include <stdexcept>

#include "cuda_backend.hpp"

namespace valleys::sim::detail {
bool CudaBuilt() {
  return false;
}
bool CudaDevicePresent() {
  return false;
}
void RunChainsCuda(const KernelParams&, const GradParams&, const std::vector<double>&,
                   std::vector<ChainOut>&) {
  throw std::runtime_error(
      "sim: this build has no CUDA backend (nvcc was not found at configure time)");
}
}  // namespace valleys::sim::detail
