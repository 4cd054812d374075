// A 1-D loss profile phi(x) = L(w* + x u) along a unit direction u, with phi(0) the centre.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace valleys::theory {

// Which side of the centre is flat (rises slowly). kNone: symmetric or undecidable.
enum class Side { kNegative = -1, kNone = 0, kPositive = 1 };

const char* SideName(Side side);  // "negative" | "none" | "positive"

// Contract: Value, Slope and Curvature are defined for every finite x. At a kink Slope returns the
// right derivative; Curvature returns NaN where phi'' is undefined. Kinks() lists every point where
// phi' or phi'' jumps (quadrature and the SGD solver split their grids there).
class Profile {
 public:
  virtual ~Profile() = default;

  virtual double Value(double x) const = 0;
  virtual double Slope(double x) const = 0;
  virtual double Curvature(double x) const = 0;
  virtual Side FlatSide() const = 0;
  virtual std::vector<double> Kinks() const { return {}; }

  // sup over x of phi''(x); +inf when unbounded, 0 for piecewise-linear profiles. Plain SGD with a
  // constant rate eta is locally stable only when eta * MaxCurvature() < 2.
  virtual double MaxCurvature() const = 0;

  // The canonical spec, e.g. "quadratic:hplus=1,hminus=9" (round-trips through the spec parser).
  virtual std::string Spec() const = 0;
  virtual std::string Kind() const = 0;
};

using ProfilePtr = std::shared_ptr<const Profile>;

}  // namespace valleys::theory
