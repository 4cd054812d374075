#include "cpu_backend.hpp"

#include <algorithm>

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
            std::vector<ChainOut>& out, WorkPoll& poll) {
  const long long n = static_cast<long long>(x0.size());
  const long long blocks = (n + detail::kBlock - 1) / detail::kBlock;
  out.resize(x0.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (long long b = 0; b < blocks; ++b) {
    if (poll.Stopped()) continue;
    const long long c0 = b * detail::kBlock;
    const int m = static_cast<int>(std::min<long long>(detail::kBlock, n - c0));
    detail::RunBlock(p, grad, static_cast<std::uint32_t>(c0), m, x0.data() + c0, out.data() + c0,
                     poll);
  }
}

}  // namespace

void RunChainsCpu(const KernelParams& p, const theory::Profile& profile,
                  const std::vector<double>& x0, std::vector<ChainOut>& out, WorkPoll& poll) {
  if (const auto* q = dynamic_cast<const theory::QuadraticProfile*>(&profile))
    RunCpu(p, QuadraticGrad{q->hplus(), q->hminus()}, x0, out, poll);
  else if (const auto* l = dynamic_cast<const theory::LinearProfile*>(&profile))
    RunCpu(p, LinearGrad{l->p(), l->c()}, x0, out, poll);
  else if (const auto* x = dynamic_cast<const theory::LinexProfile*>(&profile))
    RunCpu(p, LinexGrad{x->b(), x->alpha()}, x0, out, poll);
  else if (const auto* r = dynamic_cast<const theory::RpclProfile*>(&profile))
    RunCpu(p, RpclGrad{r->options().p, r->options().c, r->options().l}, x0, out, poll);
  else
    RunCpu(p, ProfileGrad{&profile}, x0, out, poll);
}

}  // namespace valleys::sim::detail
