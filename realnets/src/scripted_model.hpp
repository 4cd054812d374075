// A network saved from Python as TorchScript (torch.jit.script(model).save(path), or a traced
// one), probed like valleys' own (internal): its learnable parameters by name, its BatchNorm
// modules found by type, the statistics of every BatchNorm recomputed by the rule of
// torch.optim.swa_utils.update_bn (reset, one train-mode pass, the cumulative average of the batch
// statistics), and its evaluation (logits; mean cross-entropy, accuracy).
#pragma once

#include <set>
#include <string>
#include <utility>
#include <vector>

#include <torch/script.h>
#include <torch/torch.h>

#include "runtime.hpp"

namespace valleys::realnets::detail {

class ScriptedModel {
 public:
  // Loads `path` onto `device` in eval mode. Throws std::invalid_argument naming `field` (the
  // option that carried the path) when the file is missing or not a TorchScript module, and when
  // a BatchNorm module keeps no running statistics.
  ScriptedModel(const std::string& path, const torch::Device& device, const std::string& field);

  // The learnable parameters, in the module's named_parameters order (BN buffers excluded), each
  // set to require grad (the loss is a function of all of them).
  const std::vector<std::pair<std::string, torch::Tensor>>& Parameters() const { return params_; }
  std::vector<torch::Tensor> ParameterTensors() const;
  // Names of the parameters (weight, bias) of BatchNorm modules.
  const std::set<std::string>& BatchNormParameterNames() const { return bn_names_; }
  void SetParameters(const std::vector<torch::Tensor>& values) const;

  // update_bn's rule over the first `bn_batches` batches of `images` (0: all), in order: every
  // BatchNorm's running mean and variance become the average over the batches of the batch mean
  // and unbiased variance, num_batches_tracked the batch count. Leaves the module in eval mode.
  void RecomputeBatchNorm(const torch::Tensor& images, int batch, int bn_batches) const;
  Eval Evaluate(const Data& data) const;                // eval mode, as detail::Evaluate
  torch::Tensor Forward(const torch::Tensor& x) const;  // the logits, in the current mode
  void SetEvalMode() const { module_.eval(); }

  std::string Describe() const;  // "TorchScript <type>: N parameters, K BatchNorm modules"
  long long ParameterCount() const;
  const std::string& Sha256() const { return sha256_; }

 private:
  mutable torch::jit::Module module_;
  std::vector<std::pair<std::string, torch::Tensor>> params_;
  std::set<std::string> bn_names_;
  std::vector<torch::jit::Module> bns_;
  std::string sha256_, type_;
};

// Images and labels from a file written by Python's torch.save({"images": float32 [N, C, H, W],
// "labels": int64 [N]}, path), the first `limit` (0: all), on `device`. Throws
// std::invalid_argument naming `field`, the key, its shape or dtype when the file is not such a
// dict.
// The object of a file that torch.save wrote (torch::pickle_load). Throws std::invalid_argument
// "<field> '<path>': cannot be read <expected>" or "... is not a file of torch.save <expected>".
c10::IValue LoadTorchSaveFile(const std::string& path, const std::string& field,
                              const std::string& expected);

Data LoadTensorData(const std::string& path, int limit, const torch::Device& device,
                    const std::string& field);

}  // namespace valleys::realnets::detail
