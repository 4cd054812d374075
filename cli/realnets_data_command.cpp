// `valleys realnets data`: find and verify the CIFAR-10 files (SHA-256), or unpack the official
// archive (MD5-checked), downloading it first with --download.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "data_dir.hpp"
#include "output.hpp"
#include "strict_option.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/run_program.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/analysis_commands.hpp"
#include "valleys/realnets/cifar.hpp"

namespace valleys::cli {

namespace {

struct DataArgs {
  std::string data, archive, md5;
  Format format = Format::kTable;
  bool download = false;
};

void RunData(const DataArgs& a) {
  if (a.download && !a.archive.empty())
    throw io::InputError("--download and --from-archive exclude each other");
  std::string dir;
  if (a.download || !a.archive.empty()) {
    dir = a.data.empty() ? "data/cifar10" : a.data;
    std::string archive = a.archive;
    if (a.download) {
      archive = (std::filesystem::temp_directory_path() / "cifar-10-binary.tar.gz").string();
      const io::ProgramResult got =
          io::RunProgram({"curl", "-fL", "--retry", "3", "-o", archive, realnets::kOfficialUrl}, "",
                         io::ProgramOutput::kStdout);
      if (got.exit_code != 0)
        throw std::runtime_error(
            fmt::format("download of {} failed (network access needed; or use --from-archive FILE)",
                        realnets::kOfficialUrl));
    }
    realnets::UnpackOfficialArchive(archive, dir, a.md5);
  } else {
    dir = FindDataDir(a.data);
  }
  const realnets::DataFolderCheck check = realnets::CheckDataFolder(dir);
  Emit(Render(check.output.result, io::Metadata("realnets data", {{"data", a.data}}), a.format),
       "");
  if (!check.complete) throw std::runtime_error(check.problem);
}

}  // namespace

void AddRealnetsDataCommand(CLI::App& r) {
  auto a = std::make_shared<DataArgs>();
  CLI::App* d = r.add_subcommand(
      "data", "Find and verify CIFAR-10 (SHA-256), or unpack/download the official archive");
  AddOption(*d, "--data", a->data,
            "Data folder (default: $VALLEYS_DATA, data/cifar10, ../shared/data/cifar10)");
  AddOption(*d, "--from-archive", a->archive,
            "Unpack this cifar-10-binary.tar.gz (MD5-checked) into --data");
  d->add_flag("--download", a->download,
              "Download the official archive (needs network), then unpack it");
  AddOption(*d, "--md5", a->md5, "Expected MD5 of the archive (default: the official one)");
  AddFormatOption(*d, a->format);
  d->callback([a] { RunData(*a); });
}

}  // namespace valleys::cli
