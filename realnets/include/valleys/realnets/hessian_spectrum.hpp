// The Hessian of the mean training loss at a checkpoint (or a TorchScript model), as PyHessian
// gives it: the top k eigenvalues and eigenvectors by Lanczos with their residuals, the trace by
// Hutchinson's estimator with its interval, and the eigenvalue density by stochastic Lanczos
// quadrature (lanczos.hpp), on Hessian-vector products over the first sample_size training
// images (eval mode: BN statistics frozen). No LibTorch types here.
#pragma once

#include <string>
#include <vector>

#include "valleys/realnets/lanczos.hpp"
#include "valleys/realnets/probes.hpp"

namespace valleys::realnets {

struct HessianSpectrumOptions {
  // The network and sample: base, checkpoint or model, sample_size; `tolerance` is the relative
  // residual ||H v - lambda v|| / |lambda| below which an eigenpair is converged.
  HessianOptions hessian;
  int top_k = 0;  // eigenpairs (0: none)
  // Also the bottom_k smallest Ritz pairs of the same Lanczos run, ascending (the most negative
  // curvature first; needs top_k >= 1).
  int bottom_k = 0;
  int lanczos_steps = 0;  // for top_k and bottom_k (0: max(2 (top_k + bottom_k) + 20, 40))
  bool trace = false;
  int trace_probes = 100;  // Rademacher probes (>= 2; PyHessian: 100)
  bool density = false;
  DensityOptions density_options;  // seed taken from the run's seed
  // A file for the eigenvectors: a dict {"v1": {name: tensor}, ..., "bottom1": {...}, ...} that
  // torch.load reads, v1..v{top_k} descending, bottom1..bottom{bottom_k} ascending (empty: none).
  std::string save_eigenvectors;
  bool IsValid(std::string* why) const;  // also: at least one of top_k, trace, density
};

struct HessianSpectrumResult {
  std::vector<Eigenpair> top;     // descending; vectors cleared after saving
  std::vector<Eigenpair> bottom;  // ascending; vectors cleared after saving
  bool has_trace = false;
  TraceEstimate trace;
  bool has_density = false;
  SpectralDensity density;
  long long products = 0;  // Hessian-vector products computed
  std::string checkpoint_sha256, model_description;
  long long parameter_count = 0;
};

// Throws std::invalid_argument for invalid options or a network with non-finite products.
HessianSpectrumResult HessianSpectrum(const HessianSpectrumOptions& options,
                                      const ProbeProgress& progress = {});

}  // namespace valleys::realnets
