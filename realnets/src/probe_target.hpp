// What the probes measure (internal): valleys' own network from a checkpoint, or a TorchScript
// module from Python, behind one interface: named parameters, BN parameter names, setting the
// parameters, the BN recompute, evaluation and the forward pass.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "runtime.hpp"
#include "valleys/realnets/probes.hpp"

namespace valleys::realnets::detail {

struct ProbeData;

class ProbeTarget {
 public:
  virtual ~ProbeTarget() = default;
  // The learnable parameters by name, in order (BN buffers excluded).
  virtual std::vector<std::pair<std::string, torch::Tensor>> NamedParameters() const = 0;
  virtual std::set<std::string> BatchNormParameterNames() const = 0;
  virtual void SetParameters(const std::vector<torch::Tensor>& values) const = 0;
  // The BN recompute of ProbeOptions (its batch, bn_batches and augmentation) over `images`.
  virtual void RecomputeBatchNorm(const ProbeOptions& p, const torch::Tensor& images) const = 0;
  virtual Eval Evaluate(const Data& data, bool augment) const = 0;      // eval mode
  virtual torch::Tensor ForwardEval(const torch::Tensor& x) const = 0;  // eval mode, with autograd
  virtual std::string Description() const = 0;  // the network measured, in words
  virtual long long ParameterCount() const = 0;
  const std::string& Sha256() const { return sha256_; }

  std::vector<torch::Tensor> ParameterTensors() const;

  // Throws std::invalid_argument naming `source` (the data's field and file, in words) when the
  // network's output on the first image is not [1, classes] logits, or a label lies outside
  // 0..classes-1: cross-entropy would otherwise fail deep inside LibTorch.
  void CheckLabels(const Data& data, const std::string& source) const;

 protected:
  std::string sha256_;  // of the file loaded
};

// CheckLabels on both sets of `data`, each named by its TrainOptions field and file.
void CheckProbeLabels(const ProbeTarget& net, const ProbeData& data, const TrainOptions& options);

// `model` (a TorchScript file; errors name `field`) when given, else the checkpoint of valleys'
// network of options.model.
std::unique_ptr<ProbeTarget> LoadTarget(const TrainOptions& options, const std::string& model,
                                        const std::string& checkpoint, const std::string& field);

}  // namespace valleys::realnets::detail
