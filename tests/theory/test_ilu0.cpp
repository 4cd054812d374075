// ILU(0) (theory/src/ilu0.hpp): exact where no fill-in occurs, L U = A on A's pattern where it
// does, both solve directions, and a zero pivot refused.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include <Eigen/Dense>

#include "ilu0.hpp"

namespace {

using valleys::theory::detail::Ilu0Factors;
using RowMatrix = Ilu0Factors::RowMatrix;

RowMatrix FromTriplets(int n, const std::vector<Eigen::Triplet<double>>& t) {
  RowMatrix a(n, n);
  a.setFromTriplets(t.begin(), t.end());
  a.makeCompressed();
  return a;
}

// Nonsymmetric, diagonally dominant, with the pattern of a 2-D grid's 5-point stencil (numbered
// row by row), whose exact LU fills the band between the outer diagonals.
RowMatrix GridMatrix(int side, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.1, 1.0);
  std::vector<Eigen::Triplet<double>> t;
  const int n = side * side;
  for (int i = 0; i < side; ++i)
    for (int j = 0; j < side; ++j) {
      const int s = i * side + j;
      double off = 0;
      for (const auto& [di, dj] : {std::pair{-1, 0}, {1, 0}, {0, -1}, {0, 1}}) {
        const int a = i + di, b = j + dj;
        if (a < 0 || a >= side || b < 0 || b >= side) continue;
        const double v = -u(rng);
        t.emplace_back(s, a * side + b, v);
        off += -v;
      }
      t.emplace_back(s, s, off + u(rng));
    }
  return FromTriplets(n, t);
}

Eigen::MatrixXd Product(const Ilu0Factors& f) {
  const Eigen::MatrixXd packed = Eigen::MatrixXd(f.Packed());
  const Eigen::MatrixXd lower = Eigen::MatrixXd(packed.triangularView<Eigen::StrictlyLower>()) +
                                Eigen::MatrixXd::Identity(packed.rows(), packed.cols());
  const Eigen::MatrixXd upper = packed.triangularView<Eigen::Upper>();
  return lower * upper;
}

}  // namespace

TEST_CASE("ILU(0) of a tridiagonal matrix is its exact LU: both directions solve exactly",
          "[theory][ilu0]") {
  const int n = 50;
  std::vector<Eigen::Triplet<double>> t;
  for (int i = 0; i < n; ++i) {
    t.emplace_back(i, i, 3.0 + 0.01 * i);
    if (i > 0) t.emplace_back(i, i - 1, -1.0 - 0.02 * i);
    if (i + 1 < n) t.emplace_back(i, i + 1, -0.5);
  }
  const RowMatrix a = FromTriplets(n, t);
  const Ilu0Factors f(a);
  const Eigen::VectorXd r = Eigen::VectorXd::LinSpaced(n, -1.0, 2.0);
  const Eigen::MatrixXd dense(a);
  CHECK((dense * f.Solve(r, false) - r).lpNorm<Eigen::Infinity>() < 1e-12);
  CHECK((dense.transpose() * f.Solve(r, true) - r).lpNorm<Eigen::Infinity>() < 1e-12);
  CHECK((Product(f) - dense).lpNorm<Eigen::Infinity>() < 1e-12);
}

TEST_CASE("ILU(0) of a 2-D stencil: L U equals A on A's pattern, its solves invert L U",
          "[theory][ilu0]") {
  const std::uint64_t seed = 20261208;
  INFO("seed " << seed);
  const RowMatrix a = GridMatrix(7, seed);
  const Ilu0Factors f(a);
  const Eigen::MatrixXd dense(a), lu = Product(f);
  double on_pattern = 0, off_pattern = 0;
  for (int i = 0; i < dense.rows(); ++i)
    for (int j = 0; j < dense.cols(); ++j) {
      const bool stored = a.coeff(i, j) != 0.0;
      (stored ? on_pattern : off_pattern) =
          std::max(stored ? on_pattern : off_pattern, std::abs(lu(i, j) - dense(i, j)));
    }
  CHECK(on_pattern < 1e-12);
  CHECK(off_pattern > 1e-3);  // incomplete: the dropped fill-in is visible off the pattern
  const Eigen::VectorXd r = Eigen::VectorXd::LinSpaced(dense.rows(), 1.0, -1.0);
  CHECK((lu * f.Solve(r, false) - r).lpNorm<Eigen::Infinity>() < 1e-12);
  CHECK((lu.transpose() * f.Solve(r, true) - r).lpNorm<Eigen::Infinity>() < 1e-12);
}

TEST_CASE("ILU(0) refuses a zero pivot and a missing diagonal", "[theory][ilu0]") {
  const RowMatrix singular = FromTriplets(2, {{0, 0, 1.0}, {0, 1, 1.0}, {1, 0, 1.0}, {1, 1, 1.0}});
  CHECK_THROWS_WITH(Ilu0Factors(singular), Catch::Contains("pivot 0 of row 1"));
  const RowMatrix no_diagonal = FromTriplets(2, {{0, 0, 1.0}, {0, 1, 1.0}, {1, 0, 1.0}});
  CHECK_THROWS_WITH(Ilu0Factors(no_diagonal), Catch::Contains("row 1 has no diagonal entry"));
}
