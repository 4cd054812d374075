// Computes the data of figures A-H (CSV text with the columns of plots::Figures()).
#pragma once

#include <cstdint>
#include <string>

#include "output.hpp"
#include "valleys/claims/claims.hpp"

namespace valleys::cli {

std::string FigureData(const std::string& id, const claims::ClaimScale& scale, std::uint64_t seed);

// Writes DIR/ID.csv, DIR/ID.gp, DIR/ID.png, DIR/ID.pdf (data computed unless `data_csv` names an
// existing file to reuse).
void MakeFigure(const std::string& id, const std::string& dir, const std::string& data_csv,
                const claims::ClaimScale& scale, std::uint64_t seed);

}  // namespace valleys::cli
