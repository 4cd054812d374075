#include "valleys/realnets/cifar.hpp"

#ifdef VALLEYS_HAVE_LIBARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif
#include <lzma.h>
#include <openssl/evp.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/io/atomic_file.hpp"

namespace valleys::realnets {

namespace fs = std::filesystem;

const std::vector<CifarFile>& KnownFiles() {
  static const std::vector<CifarFile> files = {
      {"data_batch_1", 10000, "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5"},
      {"data_batch_2", 10000, "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed"},
      {"data_batch_3", 10000, "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67"},
      {"data_batch_4", 10000, "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48"},
      {"data_batch_5", 10000, "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add"},
      {"test_batch", 10000, "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b"},
      {"subset_train", 10000, "f66cbe5c51b5151ff1a1eddefa9c29ac36c8d7b8f37097013ac89599a2fdc8be"},
      {"subset_test", 2000, "d712dafdc2fe14d03bbb9975b357332d94966d33e98c761f84336233c80189c8"},
  };
  return files;
}

const CifarFile& KnownFile(const std::string& name) {
  for (const auto& f : KnownFiles())
    if (name == f.name) return f;
  throw std::invalid_argument(fmt::format("'{}' is not a CIFAR-10 file of this data set", name));
}

namespace {

// Files read whole: CIFAR-10 batches (31 MB) and the official archive (163 MB). A device or a
// file beyond 512 MiB is refused rather than read until memory runs out.
std::vector<std::uint8_t> ReadAll(const fs::path& path) {
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec))
    throw std::runtime_error(fmt::format("'{}' is not a regular file", path.string()));
  if (fs::exists(path, ec) && fs::file_size(path, ec) > (std::uintmax_t{512} << 20))
    throw std::runtime_error(
        fmt::format("'{}' holds more than 512 MiB: not a CIFAR-10 file", path.string()));
  std::ifstream f(path, std::ios::binary);
  if (!f)
    throw std::runtime_error(
        fmt::format("cannot read '{}': {}", path.string(), std::strerror(errno)));
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(f), {});
}

std::vector<std::uint8_t> Unxz(const std::vector<std::uint8_t>& in, const fs::path& path,
                               std::size_t expected) {
  lzma_stream strm = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&strm, UINT64_MAX, 0) != LZMA_OK)
    throw std::runtime_error("liblzma: cannot start the decoder");
  std::vector<std::uint8_t> out(expected + 1);  // +1 detects an over-long file
  strm.next_in = in.data();
  strm.avail_in = in.size();
  strm.next_out = out.data();
  strm.avail_out = out.size();
  const lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
  const std::size_t produced = out.size() - strm.avail_out;
  lzma_end(&strm);
  if (ret != LZMA_STREAM_END)
    throw std::runtime_error(
        fmt::format("'{}' is corrupt: xz decoding failed (liblzma code {}, {} bytes decoded)",
                    path.string(), static_cast<int>(ret), produced));
  out.resize(produced);
  return out;
}

}  // namespace

std::string Sha256Hex(const std::uint8_t* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data, size, digest, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string Sha256File(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error(fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 failed to start");
  std::vector<char> chunk(1 << 20);
  while (f) {
    f.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (f.gcount() > 0 &&
        EVP_DigestUpdate(ctx.get(), chunk.data(), static_cast<std::size_t>(f.gcount())) != 1)
      throw std::runtime_error("OpenSSL: SHA-256 failed");
  }
  if (f.bad()) throw std::runtime_error(fmt::format("cannot read '{}': I/O error", path));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1)
    throw std::runtime_error("OpenSSL: SHA-256 failed");
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

void WriteChecksumFile(const std::string& path) {
  io::WriteFileAtomically(path + ".sha256",
                          Sha256File(path) + "  " + fs::path(path).filename().string() + "\n");
}

std::string VerifyChecksumFile(const std::string& path) {
  if (!fs::exists(path))
    throw std::runtime_error(fmt::format("checkpoint '{}' does not exist", path));
  std::ifstream f(path + ".sha256");
  std::string want;
  if (!(f >> want) || want.size() != 64 ||
      want.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw std::runtime_error(fmt::format(
        "checkpoint '{}' has no SHA-256 sum ('{}.sha256' is missing or not a sum; for a file of "
        "your own, `sha256sum FILE > FILE.sha256` writes one)",
        path, path));
  const std::string got = Sha256File(path);
  if (got != want)
    throw std::runtime_error(
        fmt::format("checkpoint '{}' is corrupt: its SHA-256 is {} but '{}.sha256' says {}", path,
                    got, path, want));
  return got;
}

std::string Md5Hex(const std::string& path) {
  const std::vector<std::uint8_t> bytes = ReadAll(path);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_md5(), nullptr) != 1)
    throw std::runtime_error("OpenSSL: MD5 failed");
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::vector<std::uint8_t> ReadBatchFile(const std::string& dir, const CifarFile& file) {
  const fs::path bin = fs::path(dir) / (std::string(file.name) + ".bin"),
                 xz = fs::path(dir) / (std::string(file.name) + ".bin.xz");
  const std::size_t expected = static_cast<std::size_t>(file.records) * kRecordBytes;
  std::vector<std::uint8_t> bytes;
  fs::path used;
  if (fs::exists(bin)) {
    bytes = ReadAll(bin);
    used = bin;
  } else if (fs::exists(xz)) {
    bytes = Unxz(ReadAll(xz), xz, expected);
    used = xz;
  } else {
    throw std::runtime_error(
        fmt::format("CIFAR-10 file {}.bin (or .bin.xz) is missing in '{}'", file.name, dir));
  }
  if (bytes.size() != expected)
    throw std::runtime_error(
        fmt::format("'{}' is corrupt: {} bytes where {} records of {} bytes ({}) were expected",
                    used.string(), bytes.size(), file.records, kRecordBytes, expected));
  const std::string sum = Sha256Hex(bytes.data(), bytes.size());
  if (sum != file.sha256)
    throw std::runtime_error(fmt::format("'{}' is corrupt: SHA-256 {} differs from the expected {}",
                                         used.string(), sum, file.sha256));
  for (std::size_t r = 0; r < static_cast<std::size_t>(file.records); ++r)
    if (bytes[r * kRecordBytes] > 9)
      throw std::runtime_error(fmt::format("'{}': record {} has label {} (allowed 0..9)",
                                           used.string(), r, bytes[r * kRecordBytes]));
  return bytes;
}

namespace {
void Append(CifarSplit& split, const std::vector<std::uint8_t>& bytes) {
  const std::size_t n = bytes.size() / kRecordBytes;
  split.labels.reserve(split.labels.size() + n);
  split.pixels.reserve(split.pixels.size() + n * kImageBytes);
  for (std::size_t r = 0; r < n; ++r) {
    const std::uint8_t* rec = bytes.data() + r * kRecordBytes;
    split.labels.push_back(rec[0]);
    split.pixels.insert(split.pixels.end(), rec + 1, rec + kRecordBytes);
  }
}
}  // namespace

CifarSplit LoadTrain(const std::string& dir, Subset subset) {
  CifarSplit split;
  if (subset == Subset::kSmall) {
    Append(split, ReadBatchFile(dir, KnownFile("subset_train")));
  } else {
    for (int b = 1; b <= 5; ++b)
      Append(split, ReadBatchFile(dir, KnownFile(fmt::format("data_batch_{}", b))));
  }
  return split;
}

CifarSplit LoadTest(const std::string& dir, Subset subset) {
  CifarSplit split;
  Append(split,
         ReadBatchFile(dir, KnownFile(subset == Subset::kSmall ? "subset_test" : "test_batch")));
  return split;
}

std::vector<FileCheck> VerifyFolder(const std::string& dir) {
  std::vector<FileCheck> out;
  for (const auto& f : KnownFiles()) {
    FileCheck c{f.name, "ok"};
    const fs::path base = fs::path(dir) / f.name;
    if (!fs::exists(base.string() + ".bin") && !fs::exists(base.string() + ".bin.xz")) {
      c.status = "missing";
    } else {
      try {
        ReadBatchFile(dir, f);
      } catch (const std::runtime_error& e) {
        c.status = std::string("corrupt: ") + e.what();
      }
    }
    out.push_back(c);
  }
  return out;
}

void UnpackOfficialArchive(const std::string& archive_path, const std::string& dir,
                           const std::string& expected_md5) {
  const std::string want = expected_md5.empty() ? kOfficialMd5 : expected_md5;
  const std::string md5 = Md5Hex(archive_path);
  if (md5 != want)
    throw std::runtime_error(
        fmt::format("'{}' has MD5 {} but the official archive's is {}: refusing to unpack",
                    archive_path, md5, want));
  io::EnsureDirectory(dir);
#ifndef VALLEYS_HAVE_LIBARCHIVE
  throw std::runtime_error(fmt::format(
      "cannot unpack '{}': this build has no libarchive (install libarchive-dev and rebuild)",
      archive_path));
#else
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(a.get());
  archive_read_support_format_all(a.get());
  if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK)
    throw std::runtime_error(
        fmt::format("cannot open archive '{}': {}", archive_path, archive_error_string(a.get())));
  archive_entry* entry = nullptr;
  int unpacked = 0;
  while (archive_read_next_header(a.get(), &entry) == ARCHIVE_OK) {
    const fs::path name(archive_entry_pathname(entry));
    const std::string stem = name.stem().string();
    if (name.extension() != ".bin" || name.parent_path().filename() != "cifar-10-batches-bin")
      continue;
    const CifarFile& known = KnownFile(stem);
    std::string bytes(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
    if (archive_read_data(a.get(), bytes.data(), bytes.size()) !=
        static_cast<la_ssize_t>(bytes.size()))
      throw std::runtime_error(
          fmt::format("archive '{}': cannot read {}", archive_path, name.string()));
    const std::string sum =
        Sha256Hex(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (sum != known.sha256)
      throw std::runtime_error(fmt::format("archive '{}': {} has SHA-256 {} (expected {})",
                                           archive_path, name.string(), sum, known.sha256));
    io::WriteFileAtomically(fs::path(dir) / (stem + ".bin"), bytes);
    ++unpacked;
  }
  if (unpacked == 0)
    throw std::runtime_error(
        fmt::format("archive '{}' holds no cifar-10-batches-bin/*.bin file", archive_path));
#endif
}

}  // namespace valleys::realnets
