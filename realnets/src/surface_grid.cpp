#include "valleys/realnets/surface_grid.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace valleys::realnets {

const std::vector<SurfaceField>& SurfacePointFields() {
  static const std::vector<SurfaceField> fields = {
      {"a", "direction units", "offset along the first direction d1", &SurfacePoint::a},
      {"b", "direction units", "offset along the second direction d2", &SurfacePoint::b},
      {"train_loss", "nats", "mean cross-entropy on the probe's training images",
       &SurfacePoint::train_loss},
      {"train_acc", "fraction", "accuracy on the probe's training images",
       &SurfacePoint::train_acc},
      {"test_loss", "nats", "mean cross-entropy on the test images", &SurfacePoint::test_loss},
      {"test_acc", "fraction", "accuracy on the test images", &SurfacePoint::test_acc},
  };
  return fields;
}

std::vector<double> SurfaceAxis(double range, int points) {
  if (points < 3 || points % 2 == 0 || !(range > 0))
    throw std::invalid_argument(
        fmt::format("SurfaceAxis: range = {}, points = {} (allowed: range > 0, points odd >= 3)",
                    range, points));
  std::vector<double> axis;
  const int half = points / 2;
  for (int k = -half; k <= half; ++k) axis.push_back(k == 0 ? 0.0 : range * k / half);
  return axis;
}

std::vector<std::pair<double, double>> SurfaceGrid(double range_a, int points_a, double range_b,
                                                   int points_b) {
  std::vector<std::pair<double, double>> grid;
  const std::vector<double> as = SurfaceAxis(range_a, points_a),
                            bs = SurfaceAxis(range_b, points_b);
  for (double a : as)
    for (double b : bs) grid.emplace_back(a, b);
  return grid;
}

std::string SurfaceCsvHeader() {
  std::string header;
  for (const SurfaceField& f : SurfacePointFields())
    header += (header.empty() ? "" : ",") + std::string(f.name);
  return header + "\n";
}

std::string SurfaceCsvRow(const SurfacePoint& p) {
  std::string row;
  for (const SurfaceField& f : SurfacePointFields())
    row += (row.empty() ? "" : ",") + fmt::format("{:.17g}", p.*(f.member));
  return row + "\n";
}

std::vector<SurfacePoint> ParseSurfaceCsv(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  std::string line;
  const std::string header = SurfaceCsvHeader();
  if (!std::getline(in, line) || line + "\n" != header)
    throw std::invalid_argument(fmt::format("{}: line 1 is '{}' (expected the header '{}')", source,
                                            line, header.substr(0, header.size() - 1)));
  const std::vector<SurfaceField>& fields = SurfacePointFields();
  std::vector<SurfacePoint> points;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    SurfacePoint p;
    std::size_t start = 0;
    for (std::size_t k = 0; k < fields.size(); ++k) {
      const std::size_t comma = line.find(',', start);
      const bool last = k + 1 == fields.size();
      if ((comma == std::string::npos) != last)
        throw std::invalid_argument(
            fmt::format("{}: line {} has {} columns (expected {})", source, number,
                        std::count(line.begin(), line.end(), ',') + 1, fields.size()));
      const std::string cell = line.substr(start, last ? std::string::npos : comma - start);
      char* end = nullptr;
      errno = 0;
      const double value = std::strtod(cell.c_str(), &end);
      if (cell.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value))
        throw std::invalid_argument(
            fmt::format("{}: line {}, column {} is '{}' (expected a finite "
                        "number)",
                        source, number, fields[k].name, cell));
      p.*(fields[k].member) = value;
      start = comma + 1;
    }
    points.push_back(p);
  }
  return points;
}

}  // namespace valleys::realnets
