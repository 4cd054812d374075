#include "valleys/theory/symmetric_law.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/math/distributions/normal.hpp>

namespace valleys::theory {

const char* LawKindName(LawKind kind) {
  switch (kind) {
    case LawKind::kUniform:
      return "uniform";
    case LawKind::kGaussian:
      return "gaussian";
    case LawKind::kRademacher:
      return "rademacher";
  }
  return "?";
}

SymmetricLaw::SymmetricLaw(LawKind kind, double scale) : kind_(kind), scale_(scale) {
  if (!(std::isfinite(scale) && scale > 0))
    throw std::invalid_argument(
        fmt::format("{}: scale = {} is out of range (allowed: > 0)", LawKindName(kind), scale));
}

SymmetricLaw SymmetricLaw::WithStdDev(LawKind kind, double stddev) {
  return SymmetricLaw(kind, kind == LawKind::kUniform ? std::sqrt(3.0) * stddev : stddev);
}

double SymmetricLaw::StdDev() const {
  return kind_ == LawKind::kUniform ? scale_ / std::sqrt(3.0) : scale_;
}

double SymmetricLaw::EffectiveHalfWidth() const {
  return kind_ == LawKind::kGaussian ? 8.5 * scale_ : scale_;  // P(|Z| > 8.5) ~ 1.9e-17
}

double SymmetricLaw::Pdf(double x) const {
  switch (kind_) {
    case LawKind::kUniform:
      return std::abs(x) <= scale_ ? 0.5 / scale_ : 0.0;
    case LawKind::kGaussian: {
      const double z = x / scale_;
      return std::exp(-0.5 * z * z) / (scale_ * std::sqrt(2.0 * M_PI));
    }
    case LawKind::kRademacher:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double SymmetricLaw::Cdf(double x) const {
  switch (kind_) {
    case LawKind::kUniform:
      return x <= -scale_ ? 0.0 : (x >= scale_ ? 1.0 : 0.5 * (x + scale_) / scale_);
    case LawKind::kGaussian:
      return 0.5 * std::erfc(-x / (scale_ * M_SQRT2));
    case LawKind::kRademacher:
      return x < -scale_ ? 0.0 : (x < scale_ ? 0.5 : 1.0);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double SymmetricLaw::Quantile(double u) const {
  if (!(u > 0 && u < 1))
    throw std::invalid_argument(
        fmt::format("quantile: u = {} is out of range (allowed: 0 < u < 1)", u));
  switch (kind_) {
    case LawKind::kUniform:
      return scale_ * (2 * u - 1);
    case LawKind::kGaussian:
      return boost::math::quantile(boost::math::normal_distribution<>(0, scale_), u);
    case LawKind::kRademacher:
      return u <= 0.5 ? -scale_ : scale_;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string SymmetricLaw::Spec() const {
  return fmt::format("{}:{}={}", LawKindName(kind_), kind_ == LawKind::kGaussian ? "sigma" : "a",
                     scale_);
}

}  // namespace valleys::theory
