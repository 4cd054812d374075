// The Hessian's top eigenpairs, trace and density of a network (hessian_spectrum.hpp).
#include "valleys/realnets/hessian_spectrum.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <torch/torch.h>

#include "hessian_operator.hpp"
#include "probe_target.hpp"
#include "runtime.hpp"
#include "validation.hpp"
#include "valleys/io/atomic_file.hpp"

namespace valleys::realnets {

using detail::Fail;

bool HessianSpectrumOptions::IsValid(std::string* why) const {
  if (!hessian.IsValid(why)) return false;
  if (top_k < 0 || top_k > 1000)
    return Fail(why, fmt::format("HessianSpectrumOptions::top_k = {} (allowed: 0..1000)", top_k));
  if (bottom_k < 0 || bottom_k > 1000 || (bottom_k > 0 && top_k == 0))
    return Fail(why, fmt::format("HessianSpectrumOptions::bottom_k = {} with top_k = {} (allowed: "
                                 "0..1000, and top_k >= 1 when it is not 0)",
                                 bottom_k, top_k));
  if (lanczos_steps != 0 && (lanczos_steps < top_k + bottom_k || lanczos_steps > 10000))
    return Fail(why, fmt::format("HessianSpectrumOptions::lanczos_steps = {} (allowed: 0 for "
                                 "automatic, or top_k + bottom_k = {} .. 10000)",
                                 lanczos_steps, top_k + bottom_k));
  if (trace && (trace_probes < 2 || trace_probes > 100000))
    return Fail(why, fmt::format("HessianSpectrumOptions::trace_probes = {} (allowed: 2..100000)",
                                 trace_probes));
  if (density && !density_options.IsValid(why)) return false;
  if (top_k == 0 && !trace && !density)
    return Fail(why,
                "HessianSpectrumOptions: none of top_k, trace and density is asked for (allowed: "
                "at least one)");
  if (!save_eigenvectors.empty() && top_k == 0)
    return Fail(why, "HessianSpectrumOptions::save_eigenvectors is set but top_k = 0");
  return true;
}

HessianSpectrumResult HessianSpectrum(const HessianSpectrumOptions& o,
                                      const ProbeProgress& progress) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  const HessianOptions& h = o.hessian;
  const detail::HessianSample sample = detail::LoadHessianSample(h);
  const detail::Data& data = sample.data;
  const auto& net = sample.net;
  HessianSpectrumResult r;
  r.checkpoint_sha256 = net->Sha256();
  r.model_description = net->Description();
  r.parameter_count = net->ParameterCount();
  const int64_t batch = std::max<int64_t>(2, std::min<int64_t>(h.base.batch * 2, data.size()));
  const detail::FlatHessian hessian(*net, data, batch, &r.products);
  const int n = hessian.Dimension();
  const int steps = std::min(
      n, o.lanczos_steps > 0 ? o.lanczos_steps : std::max(2 * (o.top_k + o.bottom_k) + 20, 40));
  const long long total =
      (o.top_k > 0 ? steps + o.top_k + o.bottom_k : 0) + (o.trace ? o.trace_probes : 0) +
      (o.density
           ? static_cast<long long>(o.density_options.probes) * std::min(n, o.density_options.steps)
           : 0);
  // The operator as the algorithms see it: a non-finite product names the network.
  const SymmetricOperator op = [&](const Eigen::VectorXd& x, Eigen::VectorXd* y) {
    hessian(x, y);
    if (!y->allFinite())
      throw std::invalid_argument(fmt::format(
          "{} '{}': a Hessian-vector product is not finite: the network's outputs or their "
          "derivatives are nan or infinite on the training images (allowed: a network with "
          "finite outputs)",
          h.model.empty() ? "HessianOptions::checkpoint" : "HessianOptions::model",
          h.model.empty() ? h.checkpoint : h.model));
    if (progress) progress(std::min(r.products, total), total);
  };
  const std::uint64_t seed = static_cast<std::uint64_t>(h.base.seed) * 7919;
  if (o.top_k > 0) {
    TopEigenOptions t;
    t.k = std::min(o.top_k, n);
    t.steps = steps;
    t.tolerance = h.tolerance;
    t.seed = seed + 17;
    t.bottom = std::min(o.bottom_k, n);
    ExtremeEigenpairs ends = ExtremeEigenpairsOf(op, n, t);
    r.top = std::move(ends.top);
    r.bottom = std::move(ends.bottom);
    if (!o.save_eigenvectors.empty()) {
      c10::Dict<std::string, c10::Dict<std::string, at::Tensor>> file;
      const auto names = net->NamedParameters();
      const auto add = [&](const std::string& key, const Eigen::VectorXd& vector) {
        const std::vector<torch::Tensor> pieces = hessian.Unflatten(vector);
        c10::Dict<std::string, at::Tensor> v;
        for (std::size_t k = 0; k < names.size(); ++k)
          v.insert(names[k].first, pieces[k].to(torch::kCPU, torch::kFloat32).contiguous());
        file.insert(key, v);
      };
      for (std::size_t i = 0; i < r.top.size(); ++i)
        add(fmt::format("v{}", i + 1), r.top[i].vector);
      for (std::size_t i = 0; i < r.bottom.size(); ++i)
        add(fmt::format("bottom{}", i + 1), r.bottom[i].vector);
      const std::vector<char> bytes = torch::pickle_save(c10::IValue(file));
      io::WriteFileAtomically(o.save_eigenvectors, std::string(bytes.begin(), bytes.end()));
    }
    for (auto& p : r.top) p.vector.resize(0);
    for (auto& p : r.bottom) p.vector.resize(0);
  }
  if (o.trace) {
    r.trace = HutchinsonTrace(op, n, o.trace_probes, seed + 29);
    r.has_trace = true;
  }
  if (o.density) {
    DensityOptions d = o.density_options;
    d.seed = seed + 41;
    d.steps = std::min(d.steps, n);
    r.density = SlqDensity(op, n, d);
    r.has_density = true;
  }
  return r;
}

}  // namespace valleys::realnets
