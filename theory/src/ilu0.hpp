// Incomplete LU factorization without fill-in, ILU(0), of a square sparse matrix A stored by rows,
// and an Eigen preconditioner that applies it to A's system or to the transposed one. A ~ L U
// where L is unit lower triangular and U upper triangular, both with A's own sparsity pattern;
// applying the preconditioner solves L U z = r (or, transposed, U^T L^T z = r) exactly. One
// factorization serves every solve with A and with A^T. Internal to the theory library.
//
// Why our own: Eigen has no ILU(0), and its IncompleteLUT (fill-reducing ordering, then a
// threshold factorization) costs more to build on the momentum chain's 2-D grid than the whole
// Jacobi-preconditioned GMRES solve it would speed up (docs/design.md).
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>

namespace valleys::theory::detail {

class Ilu0Factors {
 public:
  using RowMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;
  // Factorizes `a` (compressed, every diagonal entry stored; sorted column indices as Eigen keeps
  // them). Throws std::runtime_error when a pivot is zero or not finite.
  explicit Ilu0Factors(const RowMatrix& a);

  int size() const { return static_cast<int>(lu_.rows()); }
  // z = (L U)^{-1} r, or with `transposed` z = (U^T L^T)^{-1} r.
  Eigen::VectorXd Solve(const Eigen::VectorXd& r, bool transposed) const;
  // L (below the diagonal, its unit diagonal not stored) and U (on and above) in A's pattern.
  const RowMatrix& Packed() const { return lu_; }

 private:
  RowMatrix lu_;                 // L below the diagonal (unit diagonal implied), U on and above
  Eigen::VectorXi diagonal_at_;  // index of each row's diagonal entry in lu_'s value array
};

// The preconditioner interface Eigen's iterative solvers expect. Bind the factors (and whether the
// solver's matrix is A^T) before the solver's compute(); compute() and its kin then do nothing,
// so that one factorization is shared by every solve.
class Ilu0Preconditioner {
 public:
  Ilu0Preconditioner() = default;
  void Bind(const Ilu0Factors* factors, bool transposed) {
    factors_ = factors;
    transposed_ = transposed;
  }
  template <typename MatrixType>
  Ilu0Preconditioner& analyzePattern(const MatrixType&) {
    return *this;
  }
  template <typename MatrixType>
  Ilu0Preconditioner& factorize(const MatrixType&) {
    return *this;
  }
  template <typename MatrixType>
  Ilu0Preconditioner& compute(const MatrixType&) {
    return *this;
  }
  template <typename Rhs>
  Eigen::VectorXd solve(const Rhs& r) const {
    return factors_->Solve(Eigen::VectorXd(r), transposed_);
  }
  Eigen::ComputationInfo info() const { return factors_ ? Eigen::Success : Eigen::InvalidInput; }

 private:
  const Ilu0Factors* factors_ = nullptr;
  bool transposed_ = false;
};

}  // namespace valleys::theory::detail
