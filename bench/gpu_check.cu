// GPU check: runs the same chains on the CUDA backend and on the CPU block kernel, compares every
// per-chain result, and times both. Standalone (needs only Random123 and the sim headers) so it
// builds on a GPU machine without the project's Debian packages. Prints one JSON object.
// Usage: gpu_check [CHAINS] [STEPS]
#include <cuda_runtime.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "chain_step.hpp"
#include "cpu_kernel.hpp"

using namespace valleys::sim::detail;

template <typename Grad>
__global__ void Chains(KernelParams p, Grad grad, ChainOut* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = RunChain(p, grad, static_cast<std::uint32_t>(i), 0.0);
}

template <typename Grad>
void Compare(const char* name, const KernelParams& p, const Grad& grad, int n, bool last) {
  std::vector<ChainOut> gpu(n), cpu(n);
  ChainOut* d = nullptr;
  cudaMalloc(&d, n * sizeof(ChainOut));
  Chains<<<(n + 127) / 128, 128>>>(p, grad, d, n);  // warm-up
  cudaDeviceSynchronize();
  auto t0 = std::chrono::steady_clock::now();
  Chains<<<(n + 127) / 128, 128>>>(p, grad, d, n);
  cudaDeviceSynchronize();
  const double gpu_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  cudaMemcpy(gpu.data(), d, n * sizeof(ChainOut), cudaMemcpyDeviceToHost);
  cudaFree(d);
  std::vector<double> x0(n, 0.0);
  t0 = std::chrono::steady_clock::now();
#pragma omp parallel for schedule(dynamic, 1)
  for (int b = 0; b < (n + kBlock - 1) / kBlock; ++b) {
    const int m = std::min(kBlock, n - b * kBlock);
    RunBlock(p, grad, static_cast<std::uint32_t>(b * kBlock), m, x0.data() + b * kBlock,
             cpu.data() + b * kBlock);
  }
  const double cpu_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int identical = 0;
  double max_diff = 0, mean_gpu = 0, mean_cpu = 0;
  for (int i = 0; i < n; ++i) {
    identical +=
        gpu[i].avg == cpu[i].avg && gpu[i].last == cpu[i].last && gpu[i].flat == cpu[i].flat;
    max_diff = std::max(max_diff, std::fabs(gpu[i].avg - cpu[i].avg));
    mean_gpu += gpu[i].avg / n;
    mean_cpu += cpu[i].avg / n;
  }
  const double work = static_cast<double>(n) * static_cast<double>(p.burnin + p.steps);
  std::printf(
      "  \"%s\": {\"chains\": %d, \"bit_identical_chains\": %d, \"max_abs_diff_avg\": %.3g, "
      "\"mean_avg_gpu\": %.10g, \"mean_avg_cpu\": %.10g, \"gpu_chain_steps_per_s\": %.4g, "
      "\"cpu_chain_steps_per_s\": %.4g, \"cpu_threads\": %d, \"speedup\": %.2f}%s\n",
      name, n, identical, max_diff, mean_gpu, mean_cpu, work / gpu_s, work / cpu_s,
      omp_get_max_threads(), cpu_s / gpu_s, last ? "" : ",");
}

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1 << 20;
  const long long steps = argc > 2 ? std::atoll(argv[2]) : 4000;
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("{\"error\": \"no CUDA device\"}\n");
    return 1;
  }
  cudaDeviceProp prop;
  cudaGetDeviceProperties(&prop, 0);
  KernelParams p{};
  p.seed = 1;
  p.burnin = 1000;
  p.steps = steps;
  p.lr_kind = 0;
  p.eta = 0.05;
  p.period = 1;
  p.noise_kind = 0;
  p.noise_scale = 1.0;
  p.avg_start = 1;
  p.avg_every = 1;
  p.flat_sign = 1;
  p.bound = 1e8;
  std::printf("{\n  \"device\": \"%s\",\n", prop.name);
  Compare("quadratic_gaussian", p, QuadraticGrad{1, 9}, n, false);
  p.noise_kind = 1;
  Compare("linear_uniform", p, LinearGrad{1, 5}, n, false);
  p.noise_kind = 0;
  p.lr_kind = 1;
  p.eta_end = 0.005;
  p.period = 100;
  p.momentum = 0.5;
  Compare("linex_cyclic_momentum", p, LinexGrad{1, 2}, n, true);
  std::printf("}\n");
  return 0;
}
