#include "valleys/figure_data/figure_files.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "valleys/figure_data/figure_data.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/metadata.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/figures.hpp"

namespace valleys::figure_data {

void MakeFigure(const FigureFileOptions& o) {
  const std::string& id = o.id;
  const auto& figure = plots::Figure(id);
  const std::filesystem::path folder(o.out_dir);
  const std::string data_name = id + ".csv";
  nlohmann::json meta =
      io::Metadata("plot", {{"figure", id}, {"title", figure.title}, {"columns", figure.columns}});
  // Given data is read and checked before anything is written.
  const std::string given_text = o.data_csv.empty() ? "" : io::ReadFile(o.data_csv);
  if (!o.data_csv.empty() && given_text.rfind(figure.columns, 0) != 0)
    throw io::InputError(fmt::format(
        "FigureFileOptions::data_csv '{}' is not figure {}'s data (expected the header '{}')",
        o.data_csv, id, figure.columns));
  io::EnsureDirectory(o.out_dir);
  bool new_data = true;
  if (o.data_csv.empty()) {
    io::WriteFileAtomically(folder / data_name, FigureData(id, o.scale, o.seed));
    meta["seed"] = o.seed;
    meta["scale"] = {{"name", o.scale.name},     {"draws", o.scale.draws},
                     {"chains", o.scale.chains}, {"steps", o.scale.steps},
                     {"burnin", o.scale.burnin}, {"mc_samples", o.scale.mc_samples}};
  } else {
    const auto given = std::filesystem::absolute(o.data_csv);
    new_data = given != std::filesystem::absolute(folder / data_name);
    if (new_data) {
      io::WriteFileAtomically(folder / data_name, given_text);
      meta["data_from"] = given.string();
      const std::string sidecar = o.data_csv + ".json";
      if (std::filesystem::exists(sidecar)) {
        const auto given_meta = nlohmann::json::parse(io::ReadFile(sidecar), nullptr, false);
        if (!given_meta.is_discarded()) meta["data_meta"] = given_meta;
      }
    }
  }
  if (new_data) io::WriteFileAtomically(folder / (data_name + ".json"), meta.dump(2) + "\n");
  plots::RenderFigure(folder, id, [&](const std::string& stem) {
    return plots::GnuplotScript(id, data_name, stem);
  });
}

}  // namespace valleys::figure_data
