// `valleys plot A-H` and `reproduce`: a figure's data (computed by figure_data:: or reused) and
// its drawing, in one folder.
#pragma once

#include <cstdint>
#include <string>

#include "output.hpp"
#include "valleys/claims/claims.hpp"

namespace valleys::cli {

// Writes DIR/ID.csv, DIR/ID.gp, DIR/ID.png, DIR/ID.pdf (data computed unless `data_csv` names an
// existing file to reuse).
void MakeFigure(const std::string& id, const std::string& dir, const std::string& data_csv,
                const claims::ClaimScale& scale, std::uint64_t seed);

}  // namespace valleys::cli
