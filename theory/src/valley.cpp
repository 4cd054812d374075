#include "valleys/theory/valley.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>

#include "validation.hpp"
#include "valleys/theory/bias.hpp"

namespace valleys::theory {

bool ValleyOptions::IsValid(std::string* why) const {
  using detail::Fail;
  const auto d = static_cast<Eigen::Index>(profiles.size());
  if (d < 1 || d > 4096)
    return Fail(why, fmt::format("valley: dim = {} is out of range (allowed: 1..4096)", d));
  for (const auto& p : profiles)
    if (!p) return Fail(why, "valley: a direction has no profile");
  if (!std::isfinite(coupling) || coupling < 0)
    return detail::OutOfRange(why, "valley", "coupling", coupling, "coupling >= 0");
  if (basis == BasisKind::kGiven) {
    if (given_basis.rows() != d || given_basis.cols() != d)
      return Fail(why, fmt::format("valley: the given basis is {}x{} but dim is {}",
                                   given_basis.rows(), given_basis.cols(), d));
    const double err = (given_basis.transpose() * given_basis - Eigen::MatrixXd::Identity(d, d))
                           .cwiseAbs()
                           .maxCoeff();
    if (!(err <= 1e-10))
      return Fail(why, fmt::format("valley: the given basis is not orthonormal (max |Q^T Q - I| = "
                                   "{:.3g}, allowed: <= 1e-10)",
                                   err));
  }
  return true;
}

Eigen::MatrixXd RandomRotation(int d, std::uint64_t seed) {
  boost::random::mt19937_64 engine(seed);
  boost::random::normal_distribution<double> normal;
  Eigen::MatrixXd g(d, d);
  for (int j = 0; j < d; ++j)
    for (int i = 0; i < d; ++i) g(i, j) = normal(engine);
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
  Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(d, d);
  const Eigen::MatrixXd r = qr.matrixQR().triangularView<Eigen::Upper>();
  for (int j = 0; j < d; ++j)  // sign fix: makes Q Haar-distributed (Mezzadri 2007)
    if (r(j, j) < 0) q.col(j) *= -1;
  return q;
}

Valley::Valley(ValleyOptions options) : options_(std::move(options)) {
  std::string why;
  if (!options_.IsValid(&why)) throw std::invalid_argument(why);
  const int d = dim();
  switch (options_.basis) {
    case BasisKind::kIdentity:
      basis_ = Eigen::MatrixXd::Identity(d, d);
      break;
    case BasisKind::kGiven:
      basis_ = options_.given_basis;
      break;
    case BasisKind::kRandomRotation:
      basis_ = RandomRotation(d, options_.rotation_seed);
      break;
  }
}

double Valley::Value(const Eigen::VectorXd& w) const {
  const Eigen::VectorXd y = basis_.transpose() * w;
  double v = 0.0;
  for (int i = 0; i < dim(); ++i) v += profile(i).Value(y[i]);
  for (int i = 0; i + 1 < dim(); ++i)
    v += 0.5 * options_.coupling * y[i] * y[i] * y[i + 1] * y[i + 1];
  return v;
}

Eigen::VectorXd Valley::Gradient(const Eigen::VectorXd& w) const {
  const Eigen::VectorXd y = basis_.transpose() * w;
  Eigen::VectorXd g(dim());
  for (int i = 0; i < dim(); ++i) g[i] = profile(i).Slope(y[i]);
  for (int i = 0; i + 1 < dim(); ++i) {
    g[i] += options_.coupling * y[i] * y[i + 1] * y[i + 1];
    g[i + 1] += options_.coupling * y[i] * y[i] * y[i + 1];
  }
  return basis_ * g;  // chain rule: dL/dw = Q dL/dy
}

SeparableBias AnalyzeSeparableBias(const Valley& valley, const SymmetricLaw& shift) {
  if (!valley.separable())
    throw std::invalid_argument(
        "valley: the optimal bias decouples only for separable valleys (coupling = 0)");
  SeparableBias out;
  out.zeta_star.resize(valley.dim());
  for (int i = 0; i < valley.dim(); ++i) {
    const BiasSummary b = AnalyzeBias(valley.profile(i), shift);
    out.zeta_star[i] = b.zeta_star;
    out.r0 += b.r0;
    out.r_star += b.r_star;
  }
  out.w_star = valley.basis() * out.zeta_star;
  return out;
}

}  // namespace valleys::theory
