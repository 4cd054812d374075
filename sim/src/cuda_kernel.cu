// CUDA backend: one thread per chain running detail::RunChain, the same code as the CPU's scalar
// path, on the same Philox streams.
#include <cuda_runtime.h>

#include <cstddef>
#include <stdexcept>
#include <string>

#include "cuda_backend.hpp"

namespace valleys::sim::detail {

namespace {

// Every CUDA call is checked: a failure throws std::runtime_error naming the call, its file and
// line, and CUDA's message.
#define VALLEYS_CUDA_CHECK(call) \
  ::valleys::sim::detail::CheckCuda((call), #call, __FILE__, __LINE__)

void CheckCuda(cudaError_t err, const char* call, const char* file, int line) {
  if (err != cudaSuccess)
    throw std::runtime_error(std::string("sim cuda: ") + call + " failed at " + file + ":" +
                             std::to_string(line) + ": " + cudaGetErrorString(err));
}

// Device memory for `count` values of T, owned: freed when the buffer goes out of scope, also
// when a later check throws.
template <typename T>
class GpuBuffer {
 public:
  explicit GpuBuffer(std::size_t count) : count_(count) {
    VALLEYS_CUDA_CHECK(cudaMalloc(&data_, count * sizeof(T)));
  }
  ~GpuBuffer() { cudaFree(data_); }  // no check: a destructor must not throw
  GpuBuffer(const GpuBuffer&) = delete;
  GpuBuffer& operator=(const GpuBuffer&) = delete;

  T* data() { return data_; }
  void CopyFrom(const T* host) {
    VALLEYS_CUDA_CHECK(cudaMemcpy(data_, host, count_ * sizeof(T), cudaMemcpyHostToDevice));
  }
  void CopyTo(T* host) const {
    VALLEYS_CUDA_CHECK(cudaMemcpy(host, data_, count_ * sizeof(T), cudaMemcpyDeviceToHost));
  }

 private:
  T* data_ = nullptr;
  std::size_t count_;
};

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
  GpuBuffer<double> d_x0(x0.size());
  GpuBuffer<ChainOut> d_out(x0.size());
  d_x0.CopyFrom(x0.data());
  switch (grad.kind) {
    case GradKind::kQuadratic:
      Launch(params, QuadraticGrad{grad.a, grad.b}, d_x0.data(), d_out.data(), n);
      break;
    case GradKind::kLinear:
      Launch(params, LinearGrad{grad.a, grad.b}, d_x0.data(), d_out.data(), n);
      break;
    case GradKind::kLinex:
      Launch(params, LinexGrad{grad.a, grad.b}, d_x0.data(), d_out.data(), n);
      break;
    case GradKind::kRpcl:
      Launch(params, RpclGrad{grad.a, grad.b, grad.c}, d_x0.data(), d_out.data(), n);
      break;
  }
  VALLEYS_CUDA_CHECK(cudaGetLastError());
  VALLEYS_CUDA_CHECK(cudaDeviceSynchronize());
  out.resize(x0.size());
  d_out.CopyTo(out.data());
}

}  // namespace valleys::sim::detail
