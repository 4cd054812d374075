// The data of figures A-H: CSV text whose header is the figure's column schema
// (plots::Figure(id).columns, which its gnuplot script reads), computed from the theory engine
// and the simulator at a claim scale and seed. No files, no printing.
#pragma once

#include <cstdint>
#include <string>

#include "valleys/claims/claims.hpp"

namespace valleys::figure_data {

// Throws std::invalid_argument for an id that is not A-H.
std::string FigureData(const std::string& id, const claims::ClaimScale& scale, std::uint64_t seed);

}  // namespace valleys::figure_data
