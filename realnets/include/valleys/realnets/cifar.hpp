// CIFAR-10 in the binary format (records of 1 label byte + 3072 pixel bytes, CHW), stored as .bin
// or .bin.xz, verified against the SHA-256 sums of the shared data set's README. No LibTorch here:
// the training code turns these bytes into tensors.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "valleys/realnets/types.hpp"

namespace valleys::realnets {

constexpr int kImageBytes = 3072;
constexpr int kRecordBytes = 3073;

struct CifarFile {
  const char* name;  // e.g. "data_batch_1" (".bin" or ".bin.xz" on disk)
  int records;
  const char* sha256;  // of the decompressed .bin
};

// The eight files: data_batch_1..5, test_batch (the full set), subset_train, subset_test.
const std::vector<CifarFile>& KnownFiles();
const CifarFile& KnownFile(const std::string& name);  // throws std::invalid_argument

struct CifarSplit {
  std::vector<std::uint8_t> labels;  // 0..9
  std::vector<std::uint8_t>
      pixels;  // size() * 3072 bytes, each image CHW (R, G, B planes, row-major)
  int size() const { return static_cast<int>(labels.size()); }
};

// Reads NAME.bin (or NAME.bin.xz through liblzma), checks the size and SHA-256. Throws
// std::runtime_error naming the file on a missing, truncated, corrupt or mismatching file.
std::vector<std::uint8_t> ReadBatchFile(const std::string& dir, const CifarFile& file);

CifarSplit LoadTrain(const std::string& dir, Subset subset);
CifarSplit LoadTest(const std::string& dir, Subset subset);

std::string Sha256Hex(const std::uint8_t* data, std::size_t size);
std::string Md5Hex(const std::string& path);  // of a file
// SHA-256 of a file, read in chunks (any size). Throws std::runtime_error naming the file.
std::string Sha256File(const std::string& path);

// Checkpoint sums: PATH.sha256 in sha256sum's format ("<hex>  <file name>\n", so `sha256sum -c`
// checks it too), written after PATH itself. VerifyChecksumFile throws std::runtime_error naming
// the file when PATH or its sum file is missing or the sums differ, and returns the sum.
void WriteChecksumFile(const std::string& path);
std::string VerifyChecksumFile(const std::string& path);

struct FileCheck {
  std::string name;
  std::string status;  // "ok", "missing", or "corrupt: ..." / "mismatch: ..."
};
std::vector<FileCheck> VerifyFolder(const std::string& dir);

// The official archive (cifar-10-binary.tar.gz, MD5 c32a1d4ab5d03f1284b67883e8d87530): checks its
// MD5, unpacks cifar-10-batches-bin/*.bin into `dir` (libarchive; atomically per file) and checks
// each file's SHA-256. `expected_md5` empty means the official sum. Throws std::runtime_error.
void UnpackOfficialArchive(const std::string& archive, const std::string& dir,
                           const std::string& expected_md5 = "");

constexpr const char* kOfficialUrl = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
constexpr const char* kOfficialMd5 = "c32a1d4ab5d03f1284b67883e8d87530";

}  // namespace valleys::realnets
