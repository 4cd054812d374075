#include "saved_direction.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "scripted_model.hpp"
#include "valleys/realnets/cifar.hpp"

namespace valleys::realnets::detail {

namespace {

const char* const kExpected =
    "(allowed: a dict {\"v1\": {name: tensor}, ...} as `hessian --save-eigenvectors` writes)";

std::invalid_argument Bad(const std::string& path, const std::string& what) {
  return std::invalid_argument(
      fmt::format("ProfileOptions::eigenvector_file '{}': {} {}", path, what, kExpected));
}

}  // namespace

std::string SavedDirectionKey(const ProfileOptions& o) {
  return fmt::format("{}{}", o.law == DirectionLaw::kHessianBottom ? "bottom" : "v",
                     o.direction + 1);
}

SavedDirection LoadSavedDirection(const ProfileOptions& o) {
  const std::string& path = o.eigenvector_file;
  const c10::IValue value = LoadTorchSaveFile(path, "ProfileOptions::eigenvector_file", kExpected);
  if (!value.isGenericDict()) throw Bad(path, "is not a dict");
  SavedDirection out;
  out.key = SavedDirectionKey(o);
  std::string keys;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString()) throw Bad(path, "has a key that is not a string");
    const std::string key = entry.key().toStringRef();
    keys += (keys.empty() ? "" : ", ") + key;
    if (key != out.key) continue;
    if (!entry.value().isGenericDict()) throw Bad(path, fmt::format("'{}' is not a dict", key));
    for (const auto& t : entry.value().toGenericDict()) {
      if (!t.key().isString() || !t.value().isTensor())
        throw Bad(path, fmt::format("'{}' holds an entry that is not name: tensor", key));
      out.tensors[t.key().toStringRef()] = t.value().toTensor();
    }
  }
  if (out.tensors.empty())
    throw Bad(path,
              fmt::format("has no vector '{}' for law {} and direction {} (keys: {})", out.key,
                          DirectionLawToString(o.law), o.direction, keys.empty() ? "none" : keys));
  out.sha256 = Sha256File(path);
  return out;
}

}  // namespace valleys::realnets::detail
