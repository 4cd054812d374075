// CUDA backend: one thread per chain running detail::RunChain, the same code as the CPU's scalar
// path, on the same Philox streams.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "cuda_backend.hpp"

namespace valleys::sim::detail {

namespace {

void Check(cudaError_t err, const char* what) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("sim cuda: ") + what + ": " + cudaGetErrorString(err));
}

template <typename Grad>
__global__ void ChainsKernel(KernelParams p, Grad grad, const double* x0, ChainOut* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = RunChain(p, grad, static_cast<std::uint32_t>(i), x0[i]);
}

template <typename Grad>
void Launch(const KernelParams& p, const Grad& grad, const double* x0, ChainOut* out, int n) {
  const int threads = 128;
  ChainsKernel<<<(n + threads - 1) / threads, threads>>>(p, grad, x0, out, n);
}

}  // namespace

bool CudaBuilt() {
  return true;
}

bool CudaDevicePresent() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess && count > 0;
}

void RunChainsCuda(const KernelParams& params, const GradParams& grad,
                   const std::vector<double>& x0, std::vector<ChainOut>& out) {
  const int n = static_cast<int>(x0.size());
  double* d_x0 = nullptr;
  ChainOut* d_out = nullptr;
  Check(cudaMalloc(&d_x0, n * sizeof(double)), "cudaMalloc");
  Check(cudaMalloc(&d_out, n * sizeof(ChainOut)), "cudaMalloc");
  Check(cudaMemcpy(d_x0, x0.data(), n * sizeof(double), cudaMemcpyHostToDevice), "copy in");
  switch (grad.kind) {
    case GradKind::kQuadratic:
      Launch(params, QuadraticGrad{grad.a, grad.b}, d_x0, d_out, n);
      break;
    case GradKind::kLinear:
      Launch(params, LinearGrad{grad.a, grad.b}, d_x0, d_out, n);
      break;
    case GradKind::kLinex:
      Launch(params, LinexGrad{grad.a, grad.b}, d_x0, d_out, n);
      break;
    case GradKind::kRpcl:
      Launch(params, RpclGrad{grad.a, grad.b, grad.c}, d_x0, d_out, n);
      break;
  }
  Check(cudaGetLastError(), "launch");
  out.resize(n);
  Check(cudaMemcpy(out.data(), d_out, n * sizeof(ChainOut), cudaMemcpyDeviceToHost), "copy out");
  cudaFree(d_x0);
  cudaFree(d_out);
}

}  // namespace valleys::sim::detail
