// Figures of the real-network experiment (`valleys realnets experiment`), as standalone gnuplot
// scripts over the experiment's CSV files (same conventions as figures.hpp).
#pragma once

#include <string>
#include <vector>

#include "valleys/plots/figures.hpp"

namespace valleys::plots {

// ids: profiles, asymmetry, line, logistic2d.
const std::vector<FigureInfo>& RealnetsFigures();

// Throws std::invalid_argument for an unknown id.
std::string RealnetsGnuplotScript(const std::string& id, const std::string& data_csv,
                                  const std::string& out_stem);

}  // namespace valleys::plots
