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

namespace valleys::theory::detail {

// The standard normal cdf and density at once, from a table on [-kReach, kReach] with quintic
// Hermite interpolation (the derivatives are known: Phi' = phi, phi' = -z phi,
// phi'' = (z^2 - 1) phi), exact formulas beyond it. Measured error against erfc / exp: 3e-16
// absolute for the cdf, 4e-14 relative for the density on |z| <= 9.
class NormalTable {
 public:
  static constexpr double kReach = 13.0;
  static constexpr int kPerUnit = 256;
  static const NormalTable& Get();
  void Eval(double z, double* cdf, double* pdf) const {
    const double s = (z + kReach) * kPerUnit;
    if (!(s >= 0 && s < kNodes - 1)) {
      *cdf = NormalCdf(z);
      *pdf = NormalPdf(z);
      return;
    }
    const int i = static_cast<int>(s);
    const double t = s - i, t2 = t * t, t3 = t2 * t, t4 = t3 * t, t5 = t4 * t;
    constexpr double d = 1.0 / kPerUnit, d2 = d * d;
    const double h0 = 1 - 10 * t3 + 15 * t4 - 6 * t5, h1 = d * (t - 6 * t3 + 8 * t4 - 3 * t5),
                 h2 = d2 * (0.5 * t2 - 1.5 * t3 + 1.5 * t4 - 0.5 * t5),
                 h3 = 10 * t3 - 15 * t4 + 6 * t5, h4 = d * (-4 * t3 + 7 * t4 - 3 * t5),
                 h5 = d2 * (0.5 * t3 - t4 + 0.5 * t5);
    const double z0 = static_cast<double>(i) / kPerUnit - kReach, z1 = z0 + d;
    const double c0 = cdf_[i], c1 = cdf_[i + 1], p0 = pdf_[i], p1 = pdf_[i + 1];
    const double q0 = -z0 * p0, q1 = -z1 * p1;  // phi'
    *cdf = h0 * c0 + h1 * p0 + h2 * q0 + h3 * c1 + h4 * p1 + h5 * q1;
    *pdf =
        h0 * p0 + h1 * q0 + h2 * (z0 * z0 - 1) * p0 + h3 * p1 + h4 * q1 + h5 * (z1 * z1 - 1) * p1;
  }

 private:
  static constexpr int kNodes = static_cast<int>(2 * kReach * kPerUnit) + 1;
  NormalTable();
  double cdf_[kNodes], pdf_[kNodes];
};

inline NormalTable::NormalTable() {
  for (int i = 0; i < kNodes; ++i) {
    const double z = static_cast<double>(i) / kPerUnit - kReach;
    cdf_[i] = NormalCdf(z);
    pdf_[i] = NormalPdf(z);
  }
}

inline const NormalTable& NormalTable::Get() {
  static const NormalTable table;
  return table;
}

}  // namespace valleys::theory::detail
