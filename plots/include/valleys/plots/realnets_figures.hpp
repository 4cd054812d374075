// Figures of the real-network experiment (`valleys realnets experiment`), as standalone gnuplot
// scripts over the experiment's CSV files (same conventions as figures.hpp).
#pragma once

#include <string>
#include <vector>

#include "valleys/plots/figures.hpp"

namespace valleys::plots {

// ids: profiles, asymmetry, line, logistic2d, swa_bias.
const std::vector<FigureInfo>& RealnetsFigures();

// Throws std::invalid_argument for an unknown id.
std::string RealnetsGnuplotScript(const std::string& id, const std::string& data_csv,
                                  const std::string& out_stem);

// Renders figure `id` from folder/ID.csv into folder (ID.gp, ID.png, ID.pdf; as RenderFigure).
// Throws std::invalid_argument for an unknown id, std::runtime_error as RenderFigure.
void RenderRealnetsFigure(const std::filesystem::path& folder, const std::string& id);

}  // namespace valleys::plots
