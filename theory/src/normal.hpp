// The standard normal density and distribution function (internal to theory/).
#pragma once

#include <cmath>

namespace valleys::theory::detail {

inline double NormalPdf(double t) {
  return std::exp(-0.5 * t * t) / std::sqrt(2 * M_PI);
}
inline double NormalCdf(double t) {
  return 0.5 * std::erfc(-t / M_SQRT2);
}

}  // namespace valleys::theory::detail
