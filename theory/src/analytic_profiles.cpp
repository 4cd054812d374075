#include "valleys/theory/analytic_profiles.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "validation.hpp"

namespace valleys::theory {

using detail::Check;

const char* SideName(Side side) {
  switch (side) {
    case Side::kNegative:
      return "negative";
    case Side::kPositive:
      return "positive";
    case Side::kNone:
      break;
  }
  return "none";
}

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

template <typename Options>
Options Validated(const Options& options) {
  std::string why;
  if (!options.IsValid(&why)) throw std::invalid_argument(why);
  return options;
}
}  // namespace

// ---- linear ----
bool LinearOptions::IsValid(std::string* why) const {
  return Check(
             why, "linear", "p", p, [](double v) { return v > 0; }, "p > 0") &&
         Check(
             why, "linear", "c", c, [](double v) { return v > 0; },
             "c > 0; c > 1 puts the flat side on +");
}
LinearProfile::LinearProfile(const LinearOptions& options)
    : p_(Validated(options).p), c_(options.c) {}
double LinearProfile::Curvature(double x) const {
  return x == 0.0 ? kNaN : 0.0;
}
Side LinearProfile::FlatSide() const {
  return c_ > 1 ? Side::kPositive : (c_ < 1 ? Side::kNegative : Side::kNone);
}
std::string LinearProfile::Spec() const {
  return fmt::format("linear:p={},c={}", p_, c_);
}

// ---- quadratic ----
bool QuadraticOptions::IsValid(std::string* why) const {
  return Check(
             why, "quadratic", "hplus", hplus, [](double v) { return v > 0; }, "hplus > 0") &&
         Check(
             why, "quadratic", "hminus", hminus, [](double v) { return v > 0; }, "hminus > 0");
}
QuadraticProfile::QuadraticProfile(const QuadraticOptions& options)
    : hplus_(Validated(options).hplus), hminus_(options.hminus) {}
Side QuadraticProfile::FlatSide() const {
  return hplus_ < hminus_ ? Side::kPositive : (hplus_ > hminus_ ? Side::kNegative : Side::kNone);
}
std::string QuadraticProfile::Spec() const {
  return fmt::format("quadratic:hplus={},hminus={}", hplus_, hminus_);
}

// ---- LINEX ----
bool LinexOptions::IsValid(std::string* why) const {
  return Check(
             why, "linex", "b", b, [](double v) { return v > 0; }, "b > 0") &&
         Check(
             why, "linex", "alpha", alpha, [](double v) { return v != 0 && std::abs(v) <= 50; },
             "0 < |alpha| <= 50");
}
LinexProfile::LinexProfile(const LinexOptions& options)
    : b_(Validated(options).b), alpha_(options.alpha) {}
double LinexProfile::Value(double x) const {
  const double ax = alpha_ * x;
  return b_ * (std::expm1(ax) - ax);  // expm1 keeps accuracy near 0
}
double LinexProfile::Slope(double x) const {
  return b_ * alpha_ * std::expm1(alpha_ * x);
}
double LinexProfile::Curvature(double x) const {
  return b_ * alpha_ * alpha_ * std::exp(alpha_ * x);
}
double LinexProfile::MaxCurvature() const {
  return std::numeric_limits<double>::infinity();
}
std::string LinexProfile::Spec() const {
  return fmt::format("linex:b={},alpha={}", b_, alpha_);
}

// ---- rpcl ----
bool RpclOptions::IsValid(std::string* why) const {
  return Check(
             why, "rpcl", "p", p, [](double v) { return v > 0; }, "p > 0") &&
         Check(
             why, "rpcl", "c", c, [](double v) { return v > 1; }, "c > 1") &&
         Check(
             why, "rpcl", "l", l, [](double v) { return v > 0; }, "0 < l < r") &&
         Check(
             why, "rpcl", "r", r, [this](double v) { return v > l; }, "r > l > 0");
}
RpclProfile::RpclProfile(const RpclOptions& options)
    : options_(Validated(options)), r_(options.r), p_(options.p), c_(options.c), l_(options.l) {}
double RpclProfile::Value(double x) const {
  if (x >= 0) return p_ * x;
  if (x >= -l_) return 0.0;
  return c_ * p_ * (-x - l_);
}
double RpclProfile::Slope(double x) const {
  if (x >= 0) return p_;
  if (x >= -l_) return 0.0;
  return -c_ * p_;
}
double RpclProfile::Curvature(double x) const {
  return (x == 0.0 || x == -l_) ? kNaN : 0.0;
}
std::string RpclProfile::Spec() const {
  return fmt::format("rpcl:r={},p={},c={},l={}", r_, p_, c_, l_);
}

}  // namespace valleys::theory
