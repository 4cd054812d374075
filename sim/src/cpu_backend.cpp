#include "cpu_backend.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>

#include "cpu_kernel.hpp"
#include "valleys/theory/analytic_profiles.hpp"

namespace valleys::sim::detail {

namespace {

// Generic gradient: any profile through its virtual Slope (not vectorized).
struct ProfileGrad {
  const theory::Profile* profile;
  double operator()(double x) const { return profile->Slope(x); }
};

template <typename Grad>
void RunCpu(const KernelParams& p, const Grad& grad, const std::vector<double>& x0,
            std::vector<ChainOut>& out, const std::function<void(double)>& progress) {
  const long long n = static_cast<long long>(x0.size());
  const long long blocks = (n + detail::kBlock - 1) / detail::kBlock;
  out.resize(x0.size());
  std::atomic<long long> done{0};
#pragma omp parallel for schedule(dynamic, 1)
  for (long long b = 0; b < blocks; ++b) {
    const long long c0 = b * detail::kBlock;
    const int m = static_cast<int>(std::min<long long>(detail::kBlock, n - c0));
    detail::RunBlock(p, grad, static_cast<std::uint32_t>(c0), m, x0.data() + c0, out.data() + c0);
    const long long finished = ++done;
    if (progress && omp_get_thread_num() == 0) progress(static_cast<double>(finished) / blocks);
  }
}

}  // namespace

void RunChainsCpu(const KernelParams& p, const theory::Profile& profile,
                  const std::vector<double>& x0, std::vector<ChainOut>& out,
                  const std::function<void(double)>& progress) {
  if (const auto* q = dynamic_cast<const theory::QuadraticProfile*>(&profile))
    RunCpu(p, QuadraticGrad{q->hplus(), q->hminus()}, x0, out, progress);
  else if (const auto* l = dynamic_cast<const theory::LinearProfile*>(&profile))
    RunCpu(p, LinearGrad{l->p(), l->c()}, x0, out, progress);
  else if (const auto* x = dynamic_cast<const theory::LinexProfile*>(&profile))
    RunCpu(p, LinexGrad{x->b(), x->alpha()}, x0, out, progress);
  else if (const auto* r = dynamic_cast<const theory::RpclProfile*>(&profile))
    RunCpu(p, RpclGrad{r->options().p, r->options().c, r->options().l}, x0, out, progress);
  else
    RunCpu(p, ProfileGrad{&profile}, x0, out, progress);
}

}  // namespace valleys::sim::detail
