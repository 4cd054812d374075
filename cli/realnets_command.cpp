// `valleys realnets data`: find, verify, unpack or download CIFAR-10. (The LibTorch commands of
// realnets come with their issue; this one needs no LibTorch and keeps start-up fast.)
#include <cstdlib>
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "output.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/realnets/cifar.hpp"

namespace valleys::cli {

namespace {
struct DataArgs {
  std::string data, archive, md5, format = "table";
  bool download = false;
};

void RunData(const DataArgs& a) {
  const Format format = ParseFormat(a.format);
  if (a.download && !a.archive.empty())
    throw io::InputError("--download and --from-archive exclude each other");
  std::string dir;
  if (a.download || !a.archive.empty()) {
    dir = a.data.empty() ? "data/cifar10" : a.data;
    std::string archive = a.archive;
    if (a.download) {
      archive = (std::filesystem::temp_directory_path() / "cifar-10-binary.tar.gz").string();
      const std::string cmd =
          fmt::format("curl -fL --retry 3 -o '{}' '{}'", archive, realnets::kOfficialUrl);
      if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error(
            fmt::format("download of {} failed (network access needed; or use --from-archive FILE)",
                        realnets::kOfficialUrl));
    }
    realnets::UnpackOfficialArchive(archive, dir, a.md5);
  } else {
    dir = realnets::FindDataDir(a.data);
  }
  Json result;
  result["folder"] = std::filesystem::absolute(dir).string();
  Json files = Json::array();
  bool full = true, subset = true;
  for (const auto& c : realnets::VerifyFolder(dir)) {
    files.push_back({{"file", c.name}, {"status", c.status}});
    const bool ok = c.status == "ok";
    if (c.name.rfind("subset", 0) == 0)
      subset = subset && ok;
    else
      full = full && ok;
  }
  result["files"] = files;
  result["full_set_ok"] = full;
  result["subset_ok"] = subset;
  Emit(Render(result, io::Metadata("realnets data", {{"data", a.data}}), format), "");
  for (const auto& c : files)
    if (c["status"].get<std::string>().rfind("corrupt", 0) == 0)
      throw std::runtime_error(
          fmt::format("{} in '{}' is corrupt (see above)", c["file"].get<std::string>(), dir));
  if (!full && !subset)
    throw std::runtime_error(fmt::format("'{}' holds neither the full set nor the subset", dir));
}
}  // namespace

void RegisterRealnetsCommand(CLI::App& app) {
  CLI::App* r =
      app.add_subcommand("realnets", "Real CIFAR-10 networks (this build: the data layer)");
  r->require_subcommand(1);
  auto a = std::make_shared<DataArgs>();
  CLI::App* d = r->add_subcommand(
      "data", "Find and verify CIFAR-10 (SHA-256), or unpack/download the official archive");
  d->add_option("--data", a->data,
                "Data folder (default: $VALLEYS_DATA, data/cifar10, ../shared/data/cifar10)");
  d->add_option("--from-archive", a->archive,
                "Unpack this cifar-10-binary.tar.gz (MD5-checked) into --data");
  d->add_flag("--download", a->download,
              "Download the official archive (needs network), then unpack it");
  d->add_option("--md5", a->md5, "Expected MD5 of the archive (default: the official one)");
  d->add_option("--format", a->format, "table | csv | json")->capture_default_str();
  d->callback([a] { RunData(*a); });
  // train and profile run in valleys-realnets (main.cpp hands over before parsing); listed here so
  // that --help shows them.
  for (const char* name : {"train", "profile"}) {
    CLI::App* sub = r->add_subcommand(
        name, std::string(name) == "train" ? "Train a CIFAR-10 PreResNet with the SWA recipe "
                                             "(LibTorch; see valleys-realnets train --help)"
                                           : "Loss profile along a random direction (LibTorch; see "
                                             "valleys-realnets profile --help)");
    sub->allow_extras();
    sub->callback([] {
      throw std::runtime_error(
          "valleys-realnets was not found beside valleys (built without LibTorch?)");
    });
  }
}

}  // namespace valleys::cli
