// Square band matrices and their LU factorization without pivoting, for the Markov systems of the
// SGD chain solver. The systems are I - P (and its transpose) with P a substochastic transition
// matrix of a grid chain, pinned at one cell: they are weakly diagonally dominant by rows, a
// property Gaussian elimination preserves, so no pivoting is needed and the factors stay inside
// the band. Cost: O(n * lower * upper) to factor, O(n * (lower + upper)) per solve.
// This header and its source use no Eigen types: the source is compiled for the build machine's
// vector units, which must not change Eigen's alignment rules between translation units.
#pragma once

#include <cstddef>
#include <vector>

namespace valleys::theory::detail {

class BandMatrix {
 public:
  BandMatrix() = default;
  // An n x n zero matrix with `lower` sub- and `upper` superdiagonals.
  BandMatrix(int n, int lower, int upper);

  int size() const { return n_; }
  int lower() const { return lower_; }
  int upper() const { return upper_; }
  bool InBand(int i, int j) const { return j - i <= upper_ && i - j <= lower_; }
  // Entry (i, j); only for InBand(i, j).
  double& At(int i, int j) { return data_[Offset(i, j)]; }
  double At(int i, int j) const { return data_[Offset(i, j)]; }

  // In-place LU without pivoting: afterwards the strict lower part holds L (unit diagonal) and the
  // rest U. Returns false when a pivot is zero or not finite (a singular system); the contents are
  // then unspecified.
  bool Factorize();
  // With the factors of A: x = A^{-1} b and x = A^{-T} b, in place (b has size() entries).
  void Solve(double* b) const;
  void SolveTransposed(double* b) const;

 private:
  std::size_t Offset(int i, int j) const {
    return static_cast<std::size_t>(i) * static_cast<std::size_t>(width_) +
           static_cast<std::size_t>(j - i + lower_);
  }
  int n_ = 0, lower_ = 0, upper_ = 0, width_ = 1;
  std::vector<double> data_;
  std::vector<int> row_end_;  // one past the last column of U's row i that can be nonzero
};

// out[j] = sum_k values[start[j] + k] * in[first[j] + k] for k < length[j], j < n: the product of a
// matrix stored by contiguous runs with a vector. Sequential: a propagation makes thousands of
// these, and a thread team's barrier per product costs more than it saves once the machine is
// shared.
void RunProduct(int n, const int* first, const int* start, const int* length, const double* values,
                const double* in, double* out);

}  // namespace valleys::theory::detail
