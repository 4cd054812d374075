// A measured profile: points (x_i, loss_i) joined by monotone (PCHIP, Fritsch-Carlson) cubic
// interpolation, extended linearly beyond the sampled range with the end slopes. This is how
// real-network profiles enter the theory.
#pragma once

#include <string>
#include <vector>

#include "valleys/theory/profile.hpp"

namespace valleys::theory {

struct TableOptions {
  std::vector<double> x;     // strictly increasing, at least 4 points, min x < 0 < max x
  std::vector<double> loss;  // finite, same length as x
  std::string source;        // where the points came from (file name), kept in Spec()
  // Flat-side detection: heights above loss(0) at which the widths are compared, as a fraction
  // of the smaller of the two end rises. The side reaching the height later is flat.
  double detect_height_fraction = 0.5;
  bool IsValid(std::string* why) const;
};

class TableProfile final : public Profile {
 public:
  explicit TableProfile(TableOptions options);
  ~TableProfile() override;
  TableProfile(const TableProfile&) = delete;
  TableProfile& operator=(const TableProfile&) = delete;

  double Value(double x) const override;
  double Slope(double x) const override;
  double Curvature(double x) const override;  // finite difference of Slope, NaN at the knots
  Side FlatSide() const override { return flat_side_; }
  std::vector<double> Kinks() const override;
  double MaxCurvature() const override { return max_curvature_; }
  std::string Spec() const override;
  std::string Kind() const override { return "table"; }
  const TableOptions& options() const { return options_; }

 private:
  struct Interpolant;
  TableOptions options_;
  Interpolant* interpolant_;  // owned; pimpl keeps Boost out of this header
  Side flat_side_ = Side::kNone;
  double max_curvature_ = 0.0;
};

}  // namespace valleys::theory
