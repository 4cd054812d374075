// A figure A-I in one folder: its data (computed by FigureData, or a given CSV whose header is the
// figure's), the data's sidecar and the drawing. The one place `valleys plot A-I` and `valleys
// reproduce` make a figure.
#pragma once

#include <cstdint>
#include <string>

#include "valleys/claims/claims.hpp"

namespace valleys::figure_data {

struct FigureFileOptions {
  std::string id;            // A-I
  std::string out_dir;       // created when missing
  std::string data_csv;      // reuse this data instead of computing it (empty: compute)
  claims::ClaimScale scale;  // when computing
  std::uint64_t seed = 1;    // when computing
};

// Writes OUT_DIR/ID.csv with its sidecar ID.csv.json (what made the data: the scale and seed, or
// the file it came from and that file's own sidecar; data read in place keeps its sidecar) and
// OUT_DIR/ID.gp, ID.png, ID.pdf. Throws std::invalid_argument for an id that is not A-I or a
// data_csv whose header is not the figure's, std::runtime_error when gnuplot or a file fails.
void MakeFigure(const FigureFileOptions& options);

}  // namespace valleys::figure_data
