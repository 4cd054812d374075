#include "make_figure.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "valleys/figure_data/figure_data.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"

namespace valleys::cli {

void MakeFigure(const std::string& id, const std::string& dir, const std::string& data_csv,
                const claims::ClaimScale& scale, std::uint64_t seed) {
  io::EnsureDirectory(dir);
  const std::filesystem::path folder(dir);
  const std::string data_name = id + ".csv";
  const auto& figure = plots::Figure(id);
  // The data's sidecar (<id>.csv.json): what made it. Data given with --data, read in place,
  // keeps its own.
  nlohmann::json meta =
      io::Metadata("plot", {{"figure", id}, {"title", figure.title}, {"columns", figure.columns}});
  bool new_data = true;
  if (data_csv.empty()) {
    io::WriteFileAtomically(folder / data_name, figure_data::FigureData(id, scale, seed));
    meta["seed"] = seed;
    meta["scale"] = {{"name", scale.name},     {"draws", scale.draws},
                     {"chains", scale.chains}, {"steps", scale.steps},
                     {"burnin", scale.burnin}, {"mc_samples", scale.mc_samples}};
  } else {
    const std::string text = io::ReadFile(data_csv);
    const std::string expected = figure.columns;
    if (text.rfind(expected, 0) != 0)
      throw io::InputError(
          fmt::format("--data '{}' is not figure {}'s data (expected the header '{}')", data_csv,
                      id, expected));
    new_data = std::filesystem::absolute(data_csv) != std::filesystem::absolute(folder / data_name);
    if (new_data) {
      io::WriteFileAtomically(folder / data_name, text);
      meta["data_from"] = std::filesystem::absolute(data_csv).string();
      const std::string sidecar = data_csv + ".json";
      if (std::filesystem::exists(sidecar)) {
        const auto given = nlohmann::json::parse(io::ReadFile(sidecar), nullptr, false);
        if (!given.is_discarded()) meta["data_meta"] = given;
      }
    }
  }
  if (new_data) io::WriteFileAtomically(folder / (data_name + ".json"), meta.dump(2) + "\n");
  plots::RenderFigure(folder, id, [&](const std::string& stem) {
    return plots::GnuplotScript(id, data_name, stem);
  });
}

}  // namespace valleys::cli
