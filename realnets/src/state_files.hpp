// Tensor files of the training state (internal header: includes LibTorch): written whole or not
// at all, with a SHA-256 sum beside them, and read back only when the sum matches.
#pragma once

#include <filesystem>
#include <sstream>

#include <torch/torch.h>

#include "valleys/io/atomic_file.hpp"
#include "valleys/realnets/cifar.hpp"

namespace valleys::realnets::detail {

// Serialized in memory, then written by WriteFileAtomically (see SaveNet: LibTorch's file writer
// terminates the process on a full disk), then PATH.sha256.
template <typename T>
void SaveAtomically(const T& value, const std::filesystem::path& path) {
  std::ostringstream bytes;
  torch::save(value, bytes);
  io::WriteFileAtomically(path, bytes.str());
  WriteChecksumFile(path.string());
}

// torch::load after the file's SHA-256 sum is checked (a missing or altered state file is named in
// one line, without LibTorch's backtrace).
template <typename T>
void LoadChecked(T& value, const std::filesystem::path& path) {
  VerifyChecksumFile(path.string());
  torch::load(value, path.string());
}

}  // namespace valleys::realnets::detail
