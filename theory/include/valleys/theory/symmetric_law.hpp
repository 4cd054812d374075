// Symmetric, zero-mean laws used for train/test shifts (delta) and for SGD gradient noise (omega).
#pragma once

#include <string>

namespace valleys::theory {

enum class LawKind { kUniform, kGaussian, kRademacher };

const char* LawKindName(LawKind kind);  // "uniform" | "gaussian" | "rademacher"

// Uniform U[-a, a], Gaussian N(0, sigma^2), Rademacher +-a with probability 1/2 each.
// `scale` is a (uniform, rademacher) or sigma (gaussian).
class SymmetricLaw {
 public:
  SymmetricLaw(LawKind kind, double scale);
  static SymmetricLaw WithStdDev(LawKind kind, double stddev);

  LawKind kind() const { return kind_; }
  double scale() const { return scale_; }
  double StdDev() const;
  bool IsDiscrete() const { return kind_ == LawKind::kRademacher; }
  // Half-width of the support, or of the interval holding all but ~1e-15 of the Gaussian mass.
  double EffectiveHalfWidth() const;

  double Pdf(double x) const;       // NaN for the discrete law
  double Cdf(double x) const;       // right-continuous
  double Quantile(double u) const;  // inverse cdf, u in (0, 1)

  // One draw by inversion from a uniform random bit generator (std::mt19937_64, ...).
  template <typename Urbg>
  double Sample(Urbg& rng) const {
    double u;
    do {
      u = (static_cast<double>(rng() - Urbg::min()) + 0.5) /
          (static_cast<double>(Urbg::max() - Urbg::min()) + 1.0);
    } while (!(u > 0 && u < 1));
    return Quantile(u);
  }

  std::string Spec() const;  // e.g. "uniform:a=1", "gaussian:sigma=0.5"

 private:
  LawKind kind_;
  double scale_;
};

}  // namespace valleys::theory
