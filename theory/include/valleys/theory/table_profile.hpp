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

// One piece of the interpolant: phi(x) = c0 + c1 u + c2 u^2 + c3 u^3 with u = x - x0, x in
// [x0, x1]. The exact risk of a table is summed over these (theory/risk.hpp).
struct CubicPiece {
  double x0, x1, c0, c1, c2, c3;
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

  // The interpolant's pieces (one per interval of x), in order.
  const std::vector<CubicPiece>& Pieces() const { return pieces_; }
  // The linear extensions: phi(x) = value + slope (x - end) beyond each end.
  double LowSlope() const { return slope_lo_; }
  double HighSlope() const { return slope_hi_; }
  // A(x) = integral of phi from x.front() to x (negative below it), exact for the cubic pieces and
  // the linear extensions; O(log n).
  double Antiderivative(double x) const;

 private:
  struct Interpolant;
  TableOptions options_;
  Interpolant* interpolant_;  // owned; pimpl keeps Boost out of this header
  Side flat_side_ = Side::kNone;
  double max_curvature_ = 0.0;
  std::vector<CubicPiece> pieces_;
  std::vector<double> integral_;  // integral_[i] = A(x[i]), summed with compensation
  double slope_lo_ = 0.0, slope_hi_ = 0.0;
};

}  // namespace valleys::theory
