// d-dimensional valleys: L(w) = sum_i phi_i(<w, q_i>) + coupling, with q_i the columns of an
// orthonormal basis Q (identity, given, or a seeded random rotation). The minimum is at w = 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/symmetric_law.hpp"

namespace valleys::theory {

enum class BasisKind { kIdentity, kGiven, kRandomRotation };

struct ValleyOptions {
  std::vector<ProfilePtr> profiles;  // one per direction; d = profiles.size() >= 1
  BasisKind basis = BasisKind::kIdentity;
  Eigen::MatrixXd given_basis;      // d x d, orthonormal to 1e-10 (kGiven only)
  std::uint64_t rotation_seed = 0;  // kRandomRotation: Haar-distributed Q from this seed
  // Coupling (gamma / 2) sum_{i < d-1} y_i^2 y_{i+1}^2 in the rotated coordinates y = Q^T w:
  // non-negative, zero at the minimum, and non-separable for gamma > 0.
  double coupling = 0.0;
  bool IsValid(std::string* why) const;
};

class Valley {
 public:
  explicit Valley(ValleyOptions options);
  int dim() const { return static_cast<int>(options_.profiles.size()); }
  const Eigen::MatrixXd& basis() const { return basis_; }
  const Profile& profile(int i) const { return *options_.profiles[static_cast<std::size_t>(i)]; }
  double coupling() const { return options_.coupling; }
  bool separable() const { return options_.coupling == 0.0; }

  double Value(const Eigen::VectorXd& w) const;
  Eigen::VectorXd Gradient(const Eigen::VectorXd& w) const;

 private:
  ValleyOptions options_;
  Eigen::MatrixXd basis_;
};

// Haar-random orthogonal matrix (QR of a Gaussian matrix, signs fixed) from a seed.
Eigen::MatrixXd RandomRotation(int d, std::uint64_t seed);

// D9: with independent shift components along the basis, risk and optimal bias decouple.
// Returns the optimal bias in rotated coordinates (one zeta* per direction) and the total risk.
struct SeparableBias {
  Eigen::VectorXd zeta_star;  // in the rotated basis
  Eigen::VectorXd w_star;     // Q zeta_star, in the original coordinates
  double r0 = 0.0, r_star = 0.0;
};
SeparableBias AnalyzeSeparableBias(const Valley& valley, const SymmetricLaw& shift);

}  // namespace valleys::theory
