#include "band_matrix.hpp"

#include <algorithm>
#include <cmath>

namespace valleys::theory::detail {

BandMatrix::BandMatrix(int n, int lower, int upper)
    : n_(n),
      lower_(lower),
      upper_(upper),
      width_(lower + upper + 1),
      data_(static_cast<std::size_t>(n) * static_cast<std::size_t>(lower + upper + 1), 0.0) {}

bool BandMatrix::Factorize() {
  // Skyline bookkeeping: the last nonzero column of each row (fill spreads it to the right) and
  // the last nonzero row of each column below the diagonal, so that zero parts of the band are
  // skipped. Both only shrink the loops; the arithmetic is that of plain banded elimination.
  row_end_.assign(static_cast<std::size_t>(n_), 0);
  std::vector<int> col_end(static_cast<std::size_t>(n_), 0);
  for (int i = 0; i < n_; ++i) {
    const int lo = std::max(0, i - lower_), hi = std::min(n_ - 1, i + upper_);
    int last = i;
    for (int j = lo; j <= hi; ++j) {
      if (At(i, j) == 0.0) continue;
      if (j > last) last = j;
      if (j < i)
        col_end[static_cast<std::size_t>(j)] =
            std::max(col_end[static_cast<std::size_t>(j)], i + 1);
    }
    row_end_[static_cast<std::size_t>(i)] = last + 1;
  }
  // Fill at (i, j), j > k, comes from an entry (i, k) with k < j, so a prefix maximum of the
  // columns' reach bounds the reach after fill.
  for (int j = 1; j < n_; ++j)
    col_end[static_cast<std::size_t>(j)] =
        std::max(col_end[static_cast<std::size_t>(j)], col_end[static_cast<std::size_t>(j - 1)]);
  // Columns are eliminated two at a time (each remaining row is read and written once for both),
  // which halves the memory traffic of this bandwidth-bound loop; a last single column is
  // eliminated alone.
  for (int k = 0; k < n_; k += 2) {
    const double pivot0 = At(k, k);
    if (!(std::isfinite(pivot0) && pivot0 != 0.0)) return false;
    const int end0 = row_end_[static_cast<std::size_t>(k)];
    const double* __restrict row0 = &data_[Offset(k, k)] - k;  // row0[j] = U(k, j)
    if (k + 1 == n_) break;
    // Row k + 1 by row k, then its pivot.
    if (lower_ >= 1) {
      double& a = At(k + 1, k);
      if (a != 0.0) {
        const double l = a / pivot0;
        a = l;
        double* __restrict row = &data_[Offset(k + 1, k + 1)] - (k + 1);
#pragma omp simd
        for (int j = k + 1; j < end0; ++j) row[j] -= l * row0[j];
        int& e = row_end_[static_cast<std::size_t>(k + 1)];
        e = std::max(e, end0);
      }
    }
    const double pivot1 = At(k + 1, k + 1);
    if (!(std::isfinite(pivot1) && pivot1 != 0.0)) return false;
    const int end1 = row_end_[static_cast<std::size_t>(k + 1)];  // >= end0
    const double* __restrict row1 = &data_[Offset(k + 1, k + 1)] - (k + 1);
    const double u01 = k + 1 < end0 ? row0[k + 1] : 0.0;
    const int i_end = std::min({col_end[static_cast<std::size_t>(k + 1)], n_, k + lower_ + 2});
    for (int i = k + 2; i < i_end; ++i) {
      double l0 = 0.0;
      if (i - k <= lower_) {
        double& a0 = At(i, k);
        if (a0 != 0.0) l0 = a0 / pivot0;
        a0 = l0;
      }
      double& a1 = At(i, k + 1);
      const double l1 = (a1 - l0 * u01) / pivot1;
      a1 = l1;
      if (l0 == 0.0 && l1 == 0.0) continue;
      double* __restrict row_i = &data_[Offset(i, i)] - i;  // row_i[j] = A(i, j)
#pragma omp simd
      for (int j = k + 2; j < end0; ++j) row_i[j] -= l0 * row0[j] + l1 * row1[j];
#pragma omp simd
      for (int j = std::max(k + 2, end0); j < end1; ++j) row_i[j] -= l1 * row1[j];
      int& e = row_end_[static_cast<std::size_t>(i)];
      e = std::max(e, end1);
    }
  }
  return true;
}

void BandMatrix::Solve(double* b) const {
  for (int i = 0; i < n_; ++i) {  // L y = b
    const double* row = &data_[Offset(i, i)] - i;
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int j = std::max(0, i - lower_); j < i; ++j) acc += row[j] * b[j];
    b[i] -= acc;
  }
  for (int i = n_ - 1; i >= 0; --i) {  // U x = y
    const double* row = &data_[Offset(i, i)] - i;
    const int end = row_end_[static_cast<std::size_t>(i)];
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int j = i + 1; j < end; ++j) acc += row[j] * b[j];
    b[i] = (b[i] - acc) / row[i];
  }
}

void BandMatrix::SolveTransposed(double* b) const {
  for (int i = 0; i < n_; ++i) {  // U^T y = b: column i of U, row-wise updates
    b[i] /= At(i, i);
    const double v = b[i];
    const int end = row_end_[static_cast<std::size_t>(i)];
    const double* row = &data_[Offset(i, i)] - i;
#pragma omp simd
    for (int j = i + 1; j < end; ++j) b[j] -= row[j] * v;
  }
  for (int i = n_ - 1; i >= 0; --i) {  // L^T x = y
    const double v = b[i];
    const double* row = &data_[Offset(i, i)] - i;
#pragma omp simd
    for (int j = std::max(0, i - lower_); j < i; ++j) b[j] -= row[j] * v;
  }
}

void RunProduct(int n, const int* first, const int* start, const int* length, const double* values,
                const double* in, double* out) {
  for (int j = 0; j < n; ++j) {
    const double* v = values + start[j];
    const double* src = in + first[j];
    const int len = length[j];
    double acc = 0.0;
#pragma omp simd reduction(+ : acc)
    for (int k = 0; k < len; ++k) acc += v[k] * src[k];
    out[j] = acc;
  }
}

}  // namespace valleys::theory::detail
