// A direction read from a file of named vectors, as `valleys realnets hessian --save-eigenvectors`
// writes it: a dict {key: {parameter name: tensor}} that torch.save / torch.load read and write.
#pragma once

#include <map>
#include <string>

#include <torch/torch.h>

#include "valleys/realnets/probes.hpp"

namespace valleys::realnets::detail {

struct SavedDirection {
  std::string key;                               // the dict's key read
  std::map<std::string, torch::Tensor> tensors;  // by parameter name
  std::string sha256;                            // of the whole file
};

// The key of o's law and index: hessian-top's direction k is "v{k + 1}" (the (k + 1)-th largest
// eigenvalue's vector), hessian-bottom's "bottom{k + 1}".
std::string SavedDirectionKey(const ProfileOptions& o);

// Reads o.eigenvector_file's vector of SavedDirectionKey(o). Throws std::invalid_argument naming
// ProfileOptions::eigenvector_file for a missing or unreadable file, a file that is not such a
// dict, or a missing key (the message lists the keys present).
SavedDirection LoadSavedDirection(const ProfileOptions& o);

}  // namespace valleys::realnets::detail
