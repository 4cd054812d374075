// The figures of a 2-D loss surface (`valleys realnets surface`), as loss-landscape draws them:
// a contour map of the training and test loss (filled by value, with contour lines) and a 3-D
// surface of the training loss, the centre and an optional mark shown as points.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace valleys::plots {

struct SurfaceMarkPoint {
  double a = 0, b = 0;
  std::string label;  // e.g. "SGD (out of plane 3.1)"
};

// The script for the surface in `csv_text` (a CSV with columns a, b, train_loss and test_loss,
// found by name, rows in a outer / b inner order), embedded as a gnuplot datablock so that the
// grid's rows are separated as splot needs; `kind` is "contour" or "3d". Losses are drawn up to
// `max_loss` nats (higher values clipped; loss-landscape's default 10). Throws
// std::invalid_argument for a CSV without those columns or with a ragged grid.
std::string SurfaceGnuplotScript(const std::string& csv_text, const std::string& out_stem,
                                 const std::string& kind, const std::string& title,
                                 const std::optional<SurfaceMarkPoint>& mark, double max_loss = 10);

// Renders folder/STEM.csv into STEM_contour.{gp,png,pdf} and STEM_3d.{gp,png,pdf} (RenderFigure).
void RenderSurfaceFigures(const std::filesystem::path& folder, const std::string& stem,
                          const std::string& title, const std::optional<SurfaceMarkPoint>& mark);

}  // namespace valleys::plots
