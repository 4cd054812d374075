#include "ilu0.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace valleys::theory::detail {

Ilu0Factors::Ilu0Factors(const RowMatrix& a) : lu_(a) {
  lu_.makeCompressed();
  const int n = static_cast<int>(lu_.rows());
  const int* outer = lu_.outerIndexPtr();
  const int* inner = lu_.innerIndexPtr();
  double* value = lu_.valuePtr();
  diagonal_at_.setConstant(n, -1);
  for (int i = 0; i < n; ++i)
    for (int p = outer[i]; p < outer[i + 1]; ++p)
      if (inner[p] == i) diagonal_at_[i] = p;
  // Row by row (the IKJ order): row i's entries left of the diagonal are eliminated by the rows
  // above, in increasing column order, each update kept only where row i has an entry.
  std::vector<int> position(static_cast<std::size_t>(n), -1);
  for (int i = 0; i < n; ++i) {
    if (diagonal_at_[i] < 0)
      throw std::runtime_error(fmt::format("ILU(0): row {} has no diagonal entry", i));
    for (int p = outer[i]; p < outer[i + 1]; ++p) position[static_cast<std::size_t>(inner[p])] = p;
    for (int p = outer[i]; p < diagonal_at_[i]; ++p) {
      const int k = inner[p];
      value[p] /= value[diagonal_at_[k]];
      const double factor = value[p];
      for (int q = diagonal_at_[k] + 1; q < outer[k + 1]; ++q) {
        const int at = position[static_cast<std::size_t>(inner[q])];
        if (at >= 0) value[at] -= factor * value[q];
      }
    }
    const double pivot = value[diagonal_at_[i]];
    if (!(std::isfinite(pivot) && pivot != 0.0))
      throw std::runtime_error(fmt::format("ILU(0): pivot {} of row {}", pivot, i));
    for (int p = outer[i]; p < outer[i + 1]; ++p) position[static_cast<std::size_t>(inner[p])] = -1;
  }
}

Eigen::VectorXd Ilu0Factors::Solve(const Eigen::VectorXd& r, bool transposed) const {
  const int n = size();
  const int* outer = lu_.outerIndexPtr();
  const int* inner = lu_.innerIndexPtr();
  const double* value = lu_.valuePtr();
  Eigen::VectorXd z = r;
  if (!transposed) {
    for (int i = 0; i < n; ++i) {  // L y = r, L unit lower
      double s = z[i];
      for (int p = outer[i]; p < diagonal_at_[i]; ++p) s -= value[p] * z[inner[p]];
      z[i] = s;
    }
    for (int i = n - 1; i >= 0; --i) {  // U z = y
      double s = z[i];
      for (int p = diagonal_at_[i] + 1; p < outer[i + 1]; ++p) s -= value[p] * z[inner[p]];
      z[i] = s / value[diagonal_at_[i]];
    }
    return z;
  }
  // U^T w = r (lower triangular, by U's rows as columns), then L^T z = w (unit upper).
  for (int i = 0; i < n; ++i) {
    const double w = z[i] / value[diagonal_at_[i]];
    z[i] = w;
    for (int p = diagonal_at_[i] + 1; p < outer[i + 1]; ++p) z[inner[p]] -= value[p] * w;
  }
  for (int i = n - 1; i >= 0; --i) {
    const double x = z[i];
    for (int p = outer[i]; p < diagonal_at_[i]; ++p) z[inner[p]] -= value[p] * x;
  }
  return z;
}

}  // namespace valleys::theory::detail
