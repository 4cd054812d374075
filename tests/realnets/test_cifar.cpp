// The CIFAR-10 data layer: layout, checksums, the subset, errors for missing and corrupt files,
// and the unpack-and-verify path of the official archive (on an archive this test builds).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "data_dir.hpp"
#include "support/run_command.hpp"
#include "valleys/realnets/cifar.hpp"

using namespace valleys::realnets;
namespace fs = std::filesystem;

namespace {
std::string SharedData() {
  return valleys::cli::FindDataDir("");
}
}  // namespace

TEST_CASE("CIFAR-10 layout and checksums (subset and test batch)", "[realnets][data]") {
  const std::string dir = SharedData();
  const CifarSplit train = LoadTrain(dir, Subset::kSmall);
  REQUIRE(train.size() == 10000);
  REQUIRE(train.pixels.size() == 10000u * kImageBytes);
  // The first labels of data_batch_1 (the subset keeps them: all of their classes are below 1000).
  const std::vector<int> first = {6, 9, 9, 4, 1, 1, 2, 7, 8, 3};
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(train.labels[i] == first[i]);
  // Red plane of train image 0 starts 59 43 50 68 98 119 139 145 149 149.
  const std::vector<int> red = {59, 43, 50, 68, 98, 119, 139, 145, 149, 149};
  for (std::size_t i = 0; i < red.size(); ++i) CHECK(train.pixels[i] == red[i]);
  std::vector<int> counts(10, 0);
  for (auto l : train.labels) ++counts[l];
  for (int c : counts) CHECK(c == 1000);  // balanced subset
  const CifarSplit test = LoadTest(dir, Subset::kFull);
  REQUIRE(test.size() == 10000);
  const std::vector<int> test_first = {3, 8, 8, 0, 6, 6, 1, 6, 3, 1};
  for (std::size_t i = 0; i < test_first.size(); ++i) CHECK(test.labels[i] == test_first[i]);
}

TEST_CASE("missing and corrupt files are clear errors naming the file", "[realnets][data]") {
  const fs::path dir = fs::temp_directory_path() / ("valleys_cifar_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  CHECK_THROWS_WITH(ReadBatchFile(dir.string(), KnownFile("subset_test")),
                    Catch::Contains("subset_test.bin (or .bin.xz) is missing"));
  // A corrupt xz stream: flip one byte in the middle.
  fs::copy_file(fs::path(SharedData()) / "subset_test.bin.xz", dir / "subset_test.bin.xz");
  {
    std::fstream f(dir / "subset_test.bin.xz", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000000);
    f.put('\x5a');
  }
  CHECK_THROWS_WITH(ReadBatchFile(dir.string(), KnownFile("subset_test")),
                    Catch::Contains("subset_test.bin.xz' is corrupt"));
  // A truncated .bin.
  {
    std::ofstream f(dir / "test_batch.bin", std::ios::binary);
    f << std::string(3073 * 5, '\1');
  }
  CHECK_THROWS_WITH(ReadBatchFile(dir.string(), KnownFile("test_batch")),
                    Catch::Contains("records of 3073 bytes"));
  CHECK_THROWS_WITH(valleys::cli::FindDataDir((dir / "nope").string()),
                    Catch::Contains("is not a folder"));
  fs::remove_all(dir);
}

TEST_CASE("the official archive path: MD5 check, unpack, SHA-256 check", "[realnets][data]") {
  const fs::path dir =
      fs::temp_directory_path() / ("valleys_archive_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "src" / "cifar-10-batches-bin");
  // Build an archive in the official layout holding the (real) test batch.
  const auto r = valleys::testing::RunCommand(
      "xz -dc '" + SharedData() + "/test_batch.bin.xz' > '" +
      (dir / "src" / "cifar-10-batches-bin" / "test_batch.bin").string() + "' && tar -czf '" +
      (dir / "a.tar.gz").string() + "' -C '" + (dir / "src").string() + "' cifar-10-batches-bin");
  REQUIRE(r.code == 0);
  const std::string md5 = Md5Hex((dir / "a.tar.gz").string());
  CHECK_THROWS_WITH(UnpackOfficialArchive((dir / "a.tar.gz").string(), (dir / "out").string()),
                    Catch::Contains("refusing to unpack"));
  UnpackOfficialArchive((dir / "a.tar.gz").string(), (dir / "out").string(), md5);
  CHECK(ReadBatchFile((dir / "out").string(), KnownFile("test_batch")).size() ==
        10000u * kRecordBytes);
  fs::remove_all(dir);
}
