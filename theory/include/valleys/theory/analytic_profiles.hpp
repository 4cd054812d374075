// The analytic 1-D valley families. Each has an Options struct with documented defaults and
// IsValid(std::string* why), which fills `why` with the offending key, value and allowed range.
#pragma once

#include <string>
#include <vector>

#include "valleys/theory/profile.hpp"

namespace valleys::theory {

// phi(x) = p x (x >= 0), -c p x (x < 0). Flat side + when c > 1, - when c < 1.
struct LinearOptions {
  double p = 1.0;  // flat-side slope, > 0
  double c = 5.0;  // sharp/flat slope ratio, > 0
  bool IsValid(std::string* why) const;
};

class LinearProfile final : public Profile {
 public:
  explicit LinearProfile(const LinearOptions& options);
  double Value(double x) const override { return x >= 0 ? p_ * x : -c_ * p_ * x; }
  double Slope(double x) const override { return x >= 0 ? p_ : -c_ * p_; }
  double Curvature(double x) const override;
  Side FlatSide() const override;
  std::vector<double> Kinks() const override { return {0.0}; }
  double MaxCurvature() const override { return 0.0; }
  std::string Spec() const override;
  std::string Kind() const override { return "linear"; }
  double p() const { return p_; }
  double c() const { return c_; }

 private:
  double p_, c_;
};

// phi(x) = hplus x^2 / 2 (x >= 0), hminus x^2 / 2 (x < 0).
struct QuadraticOptions {
  double hplus = 1.0;   // curvature on x >= 0, > 0
  double hminus = 9.0;  // curvature on x < 0, > 0
  bool IsValid(std::string* why) const;
};

class QuadraticProfile final : public Profile {
 public:
  explicit QuadraticProfile(const QuadraticOptions& options);
  double Value(double x) const override { return 0.5 * (x >= 0 ? hplus_ : hminus_) * x * x; }
  double Slope(double x) const override { return (x >= 0 ? hplus_ : hminus_) * x; }
  double Curvature(double x) const override { return x >= 0 ? hplus_ : hminus_; }
  Side FlatSide() const override;
  std::vector<double> Kinks() const override { return {0.0}; }
  double MaxCurvature() const override { return hplus_ > hminus_ ? hplus_ : hminus_; }
  std::string Spec() const override;
  std::string Kind() const override { return "quadratic"; }
  double hplus() const { return hplus_; }
  double hminus() const { return hminus_; }

 private:
  double hplus_, hminus_;
};

// LINEX: phi(x) = b (exp(alpha x) - alpha x - 1). Smooth; exponential on the side sign(alpha),
// asymptotically linear (slope b|alpha|) on the other, which is the flat side.
struct LinexOptions {
  double b = 1.0;      // scale, > 0
  double alpha = 2.0;  // asymmetry, != 0 (|alpha| <= 50 to keep exp finite on useful ranges)
  bool IsValid(std::string* why) const;
};

class LinexProfile final : public Profile {
 public:
  explicit LinexProfile(const LinexOptions& options);
  double Value(double x) const override;
  double Slope(double x) const override;
  double Curvature(double x) const override;
  Side FlatSide() const override { return alpha_ > 0 ? Side::kNegative : Side::kPositive; }
  double MaxCurvature() const override;  // +inf: curvature grows without bound
  std::string Spec() const override;
  std::string Kind() const override { return "linex"; }
  double b() const { return b_; }
  double alpha() const { return alpha_; }

 private:
  double b_, alpha_;
};

// A concrete (r, p, c, l)-asymmetric valley (reconstructed definition, docs/theory.md):
//   flat side   phi(x) = p x              for x >= 0      (0 <= phi' <= p on (0, r))
//   dead zone   phi(x) = 0                for -l <= x < 0 (non-increasing on (-l, 0))
//   sharp side  phi(x) = c p (-x - l)     for x < -l      (phi' = -c p on (l, r) mirrored)
// It meets both the slope form and the value form with equality where the definition is tight.
struct RpclOptions {
  double r = 2.0;  // radius of the valley, > l
  double p = 1.0;  // flat-side slope, > 0
  double c = 5.0;  // sharp/flat slope ratio, > 1
  double l = 0.1;  // dead-zone width on the sharp side, 0 < l < r
  bool IsValid(std::string* why) const;
};

class RpclProfile final : public Profile {
 public:
  explicit RpclProfile(const RpclOptions& options);
  double Value(double x) const override;
  double Slope(double x) const override;
  double Curvature(double x) const override;
  Side FlatSide() const override { return Side::kPositive; }
  std::vector<double> Kinks() const override { return {-l_, 0.0}; }
  double MaxCurvature() const override { return 0.0; }
  std::string Spec() const override;
  std::string Kind() const override { return "rpcl"; }
  const RpclOptions& options() const { return options_; }

 private:
  RpclOptions options_;
  double r_, p_, c_, l_;
};

}  // namespace valleys::theory
