// `valleys plot FIGURE [--data CSV] --out DIR`: (re)generates one figure: A-I (data computed or
// reused), or a real-network figure (profiles, asymmetry, line, logistic2d) from the CSV of a
// `valleys realnets experiment` folder.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "commands.hpp"
#include "strict_option.hpp"
#include "valleys/figure_data/figure_files.hpp"
#include "valleys/io/atomic_file.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/plots/realnets_figures.hpp"

namespace valleys::cli {

void RegisterPlotCommand(CLI::App& app) {
  struct Args {
    std::string figure, data, out, scale = "quick";
    unsigned long long seed = 1;
  };
  auto a = std::make_shared<Args>();
  CLI::App* p =
      app.add_subcommand("plot", "Regenerate a figure (A-I) from saved data, or compute its data");
  AddOption(*p, "figure", a->figure,
            "A | B | C | D | E | F | G | H | profiles | asymmetry | line | logistic2d | swa_bias")
      ->required();
  AddOption(*p, "--data", a->data,
            "Reuse this data CSV (from a report folder) instead of computing it");
  AddOption(*p, "--out", a->out, "Output folder (ID.csv, ID.gp, ID.png, ID.pdf)")->required();
  AddOption(
      *p, "--scale", a->scale,
      "quick | full | smoke (when computing; smoke: the smallest sizes, numbers meaningless)");
  AddOption(*p, "--seed", a->seed, "Seed (when computing)");
  p->callback([a] {
    for (const auto& f : plots::RealnetsFigures()) {
      if (f.id != a->figure) continue;
      if (a->data.empty())
        throw io::InputError(fmt::format(
            "figure '{}' needs --data (its CSV in a realnets experiment's figures/ folder)", f.id));
      const std::filesystem::path dir = std::filesystem::absolute(a->out);  // gnuplot runs there
      io::EnsureDirectory(dir);
      const std::filesystem::path csv = dir / (f.id + ".csv");
      if (!std::filesystem::exists(csv) ||
          !std::filesystem::equivalent(csv, std::filesystem::path(a->data)))
        io::WriteFileAtomically(csv, io::ReadFile(a->data));
      plots::RenderRealnetsFigure(dir, f.id);
      fmt::print("wrote {}/{}.png and .pdf\n", a->out, f.id);
      return;
    }
    if (a->figure.size() != 1 || a->figure[0] < 'A' || a->figure[0] > 'I')
      throw io::InputError(fmt::format(
          "figure '{}' does not exist (allowed: A-I, profiles, asymmetry, line, logistic2d, "
          "swa_bias)",
          a->figure));
    claims::ClaimScale scale;
    if (!claims::StringToClaimScale(a->scale, &scale))
      throw io::InputError(fmt::format("--scale = '{}' is not a scale (allowed: {})", a->scale,
                                       claims::ClaimScaleNamesText()));
    figure_data::MakeFigure({a->figure, a->out, a->data, scale, a->seed});
    fmt::print("wrote {}/{}.png and .pdf\n", a->out, a->figure);
  });
}

}  // namespace valleys::cli
