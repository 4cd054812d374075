// The SGD chain with momentum (heavy ball or Nesterov, ChainOptions) discretized on a 2-D grid of
// cells in (x, y), y = eta v the step's displacement (Ulam's method, as the plain chain's). One
// step from (x, y), with u = eta omega:
//   heavy ball: y' = beta y + eta g(x) + u,  x' = x - y'
//   Nesterov:   y' = beta y + eta g(x) + u,  x' = x - eta g(x) - beta y' - u
// so for a fixed start the next state moves along a line in u; the mass of each cell the line
// crosses is a difference of the noise cdf. Stationary law and Poisson equation by restarted
// GMRES on I - P pinned at the state of the cell [0, h)^2, preconditioned by one ILU(0)
// factorization of it (ilu0.hpp) shared by every solve; laws propagate by the transposed sparse
// matrix. Internal to the theory library.
#pragma once

#include <array>
#include <memory>
#include <vector>

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include "grid_chain.hpp"
#include "ilu0.hpp"

namespace valleys::theory::detail {

class MomentumChain final : public ChainModel {
 public:
  // States: cells of gx (x) times cells of gy (y), index i * gy.n + j. Mass that a step carries
  // outside the grid is lost (LostMass reports what a propagated law has lost).
  MomentumChain(const Grid& gx, const Grid& gy, const Discretizer& disc);

  const Grid& x_grid() const { return gx_; }
  const Grid& y_grid() const { return gy_; }
  long long NonZeros() const { return static_cast<long long>(pt_.nonZeros()); }

  Eigen::VectorXd FirstStep(double x0) const override;
  void Step(const Eigen::VectorXd& mass, Eigen::VectorXd& out) const override;
  const Eigen::VectorXd& Stationary() override;
  bool FromZero() override { return false; }
  Eigen::VectorXd Poisson(const Eigen::VectorXd& f) override;

  // The stationary mass in the outer `fraction` of the cells of each side of the x and y axes:
  // {x low, x high, y low, y high}.
  std::array<double, 4> EdgeMass(double fraction);
  // The mass one step from the stationary law carries off the grid.
  double LostMass();

 private:
  using RowMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor>;
  // Adds the law of the next state from the point (x, y) with weight w into `row` (dense, one
  // entry per state); returns the states it touched through `touched`.
  void Scatter(double x, double y, double w, double* row, std::vector<int>* touched) const;
  const Ilu0Factors& Factors();  // of m_, computed at the first solve

  Grid gx_, gy_;
  const Discretizer* disc_;
  int pin_ = 0;
  RowMatrix pt_;  // P transposed: propagation
  RowMatrix m_;   // I - P with the pinned state's row and column those of the identity
  std::vector<double> pin_row_;  // row `pin_` of P (dense)
  bool solved_ = false;
  Eigen::VectorXd pi_;
  std::unique_ptr<Ilu0Factors> ilu_;
};

// Bytes the matrices of a momentum chain on `states` states with `per_row` entries per row take
// (P^T, I - P and its transpose while the stationary law is solved).
double MomentumChainBytes(double states, double per_row);

}  // namespace valleys::theory::detail
