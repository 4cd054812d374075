// The points of a 2-D loss surface (`valleys realnets surface`) and their one field list: the CSV
// header, its rows and reading them back (to resume a grid) all come from SurfacePointFields(),
// so that the three cannot disagree. No LibTorch here; the evaluation is surface.hpp.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace valleys::realnets {

// The network at w = centre + a d1 + b d2, BN as the probe says.
struct SurfacePoint {
  double a = 0, b = 0;
  double train_loss = 0, train_acc = 0, test_loss = 0, test_acc = 0;
};

// One column of the surface's CSV: its name, unit and meaning, and the member it holds.
struct SurfaceField {
  const char* name;
  const char* unit;
  const char* meaning;
  double SurfacePoint::*member;
};
// In column order: a, b, train_loss, train_acc, test_loss, test_acc.
const std::vector<SurfaceField>& SurfacePointFields();

// The grid's offsets on one axis: `points` (odd, >= 3) values from -range to range, 0 exact.
std::vector<double> SurfaceAxis(double range, int points);
// The grid's points in the order they are evaluated and written: a outer, b inner, both ascending.
std::vector<std::pair<double, double>> SurfaceGrid(double range_a, int points_a, double range_b,
                                                   int points_b);

std::string SurfaceCsvHeader();  // "a,b,train_loss,...\n"
// A row; every value with 17 significant digits, so that it reads back to the same double.
std::string SurfaceCsvRow(const SurfacePoint& p);
// The rows of a CSV with SurfaceCsvHeader()'s header. Throws std::invalid_argument naming the line
// (1-based) and the column for another header, a missing or extra column or a value that is not a
// finite number (`source` names the file in the message).
std::vector<SurfacePoint> ParseSurfaceCsv(const std::string& text, const std::string& source);

}  // namespace valleys::realnets
