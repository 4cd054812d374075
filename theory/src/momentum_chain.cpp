#include "momentum_chain.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <Eigen/IterativeLinearSolvers>
#include <unsupported/Eigen/IterativeSolvers>

namespace valleys::theory::detail {

namespace {

// The standard normal cdf on [-9, 9] from values and densities at kIntervals + 1 nodes, cubic
// Hermite between them: error <= (18 / kIntervals)^4 / 384 * max|Phi''''| < 1e-15 for 16384
// intervals, far below the 1e-12 to which the solver's statistics are asked.
class UnitNormalCdf {
 public:
  static constexpr int kIntervals = 16384;
  static constexpr double kReach = 9.0;
  UnitNormalCdf() : value_(kIntervals + 1), slope_(kIntervals + 1) {
    const double dz = 2 * kReach / kIntervals;
    for (int i = 0; i <= kIntervals; ++i) {
      const double z = -kReach + i * dz;
      value_[static_cast<std::size_t>(i)] = 0.5 * std::erfc(-z / std::sqrt(2.0));
      slope_[static_cast<std::size_t>(i)] = dz * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
    }
  }
  double operator()(double z) const {
    if (z <= -kReach) return 0.0;
    if (z >= kReach) return 1.0;
    const double s = (z + kReach) * (kIntervals / (2 * kReach));
    const int i = std::min(kIntervals - 1, static_cast<int>(s));
    const double t = s - i, t2 = t * t, t3 = t2 * t;
    const std::size_t a = static_cast<std::size_t>(i);
    return (2 * t3 - 3 * t2 + 1) * value_[a] + (t3 - 2 * t2 + t) * slope_[a] +
           (-2 * t3 + 3 * t2) * value_[a + 1] + (t3 - t2) * slope_[a + 1];
  }

 private:
  std::vector<double> value_, slope_;
};

const UnitNormalCdf& NormalCdf() {
  static const UnitNormalCdf table;
  return table;
}

constexpr double kGauss2[2] = {-0.5773502691896258, 0.5773502691896258};

}  // namespace

double MomentumChainBytes(double states, double per_row) {
  return states * (3 * 12.0 * per_row + 8 * 12.0 + 60 * 8.0);
}

MomentumChain::MomentumChain(const Grid& gx, const Grid& gy, const Discretizer& disc)
    : gx_(gx), gy_(gy), disc_(&disc) {
  const int nx = gx.n, ny = gy.n, n = nx * ny;
  centres_.resize(n);
  forces_.resize(n);
  const Eigen::VectorXd xf = disc.CellAverages(gx, [&](double x) { return disc.Force(x); });
  for (int i = 0; i < nx; ++i)
    for (int j = 0; j < ny; ++j) centres_[i * ny + j] = gx.Centre(i), forces_[i * ny + j] = xf[i];
  pin_ = std::clamp(gx.ZeroCell(), 0, nx - 1) * ny + std::clamp(gy.ZeroCell(), 0, ny - 1);

  // Rows of P: cell (i, j) uniform, 2-point Gauss in y and in x on each piece between the
  // profile's kinks.
  std::vector<std::vector<std::pair<int, double>>> rows(static_cast<std::size_t>(n));
  const std::vector<double>& kinks = disc.kinks();
#pragma omp parallel
  {
    std::vector<double> dense(static_cast<std::size_t>(n), 0.0);
    std::vector<int> touched;
#pragma omp for schedule(dynamic, 64)
    for (int s = 0; s < n; ++s) {
      const int i = s / ny, j = s % ny;
      touched.clear();
      const double a = gx.Edge(i), b = gx.Edge(i + 1);
      double left = a;
      for (auto it = std::upper_bound(kinks.begin(), kinks.end(), a);; ++it) {
        const double right = (it != kinks.end() && *it < b) ? *it : b;
        const double half = 0.5 * (right - left), mid = 0.5 * (right + left);
        for (double qx : kGauss2)
          for (double qy : kGauss2)
            Scatter(mid + half * qx, gy.Centre(j) + 0.5 * gy.h * qy, 0.25 * (right - left) / gx.h,
                    dense.data(), &touched);
        if (right >= b) break;
        left = right;
      }
      std::sort(touched.begin(), touched.end());
      auto& row = rows[static_cast<std::size_t>(s)];
      row.reserve(touched.size());
      for (int d : touched) {
        row.emplace_back(d, dense[static_cast<std::size_t>(d)]);
        dense[static_cast<std::size_t>(d)] = 0.0;
      }
    }
  }
  std::size_t nnz = 0;
  for (const auto& r : rows) nnz += r.size();
  {
    RowMatrix p(n, n);
    p.reserve(static_cast<Eigen::Index>(nnz));
    m_.resize(n, n);
    m_.reserve(static_cast<Eigen::Index>(nnz + static_cast<std::size_t>(n)));
    for (int s = 0; s < n; ++s) {
      p.startVec(s);
      m_.startVec(s);
      bool diagonal = false;
      for (const auto& [d, v] : rows[static_cast<std::size_t>(s)]) {
        p.insertBack(s, d) = v;
        if (s == pin_ || d == pin_) continue;
        if (!diagonal && d > s) m_.insertBack(s, s) = 1.0, diagonal = true;
        m_.insertBack(s, d) = (d == s ? 1.0 : 0.0) - v;
        diagonal = diagonal || d == s;
      }
      if (!diagonal) m_.insertBack(s, s) = 1.0;
      std::vector<std::pair<int, double>>().swap(rows[static_cast<std::size_t>(s)]);
    }
    p.finalize();
    m_.finalize();
    pin_row_.assign(static_cast<std::size_t>(n), 0.0);
    for (RowMatrix::InnerIterator it(p, pin_); it; ++it)
      pin_row_[static_cast<std::size_t>(it.col())] = it.value();
    pt_ = p.transpose();
  }
}

void MomentumChain::Scatter(double x, double y, double w, double* row,
                            std::vector<int>* touched) const {
  const ChainOptions& c = disc_->chain();
  const double beta = c.momentum, eta = c.eta, h = gx_.h;
  const double g = disc_->Force(x);
  const double ydet = beta * y + eta * g;
  // x' = xdet + cx u, y' = ydet + u, cx < 0.
  const double cx = c.nesterov ? -(1 + beta) : -1.0;
  const double xdet = c.nesterov ? x - eta * g - beta * ydet : x - ydet;
  const SymmetricLaw law = disc_->StepLaw(x);
  const double reach = law.EffectiveHalfWidth();
  const bool gaussian = law.kind() == LawKind::kGaussian;
  const double sd = law.StdDev();
  auto cdf = [&](double u) { return gaussian ? NormalCdf()(u / sd) : law.Cdf(u); };
  // Breakpoints in u: x' crosses the x edges (k decreasing as u grows), y' the y edges.
  const double span = -cx * reach;
  int kx = static_cast<int>(std::floor((xdet + span - gx_.lo) / h));
  const int kx_end = static_cast<int>(std::floor((xdet - span - gx_.lo) / h));
  int ky = static_cast<int>(std::floor((ydet - reach - gy_.lo) / gy_.h)) + 1;
  const int ky_end = static_cast<int>(std::floor((ydet + reach - gy_.lo) / gy_.h));
  double u = -reach, fu = cdf(u);
  for (;;) {
    const double ux = kx > kx_end ? (gx_.Edge(kx) - xdet) / cx : reach;
    const double uy = ky <= ky_end ? gy_.Edge(ky) - ydet : reach;
    const double next = std::min({ux, uy, reach});
    if (next > u) {
      const double fn = cdf(next), mid = 0.5 * (u + next);
      const int ci = static_cast<int>(std::floor((xdet + cx * mid - gx_.lo) / h));
      const int cj = static_cast<int>(std::floor((ydet + mid - gy_.lo) / gy_.h));
      if (ci >= 0 && ci < gx_.n && cj >= 0 && cj < gy_.n && fn > fu) {
        const int d = ci * gy_.n + cj;
        if (row[d] == 0.0) touched->push_back(d);
        row[d] += w * (fn - fu);
      }
      u = next, fu = fn;
    }
    if (next >= reach) break;
    if (ux <= next && kx > kx_end) --kx;
    if (uy <= next && ky <= ky_end) ++ky;
  }
}

Eigen::VectorXd MomentumChain::FirstStep(double x0) const {
  Eigen::VectorXd mass = Eigen::VectorXd::Zero(size());
  std::vector<int> touched;
  Scatter(x0, 0.0, 1.0, mass.data(), &touched);
  return mass;
}

void MomentumChain::Step(const Eigen::VectorXd& mass, Eigen::VectorXd& out) const {
  out.noalias() = pt_ * mass;
}

namespace {

// x with A x = b by restarted GMRES (restart 60, ILU(0) of I - P as the preconditioner, applied
// transposed when A is (I - P)^T; relative residual 1e-13); throws std::runtime_error naming
// `what` when the solve fails or stalls above 1e-9.
Eigen::VectorXd SolveGmres(const Eigen::SparseMatrix<double, Eigen::RowMajor>& a,
                           const Eigen::VectorXd& b, const Ilu0Factors& factors, bool transposed,
                           const char* what) {
  Eigen::GMRES<Eigen::SparseMatrix<double, Eigen::RowMajor>, Ilu0Preconditioner> gmres;
  gmres.preconditioner().Bind(&factors, transposed);
  gmres.set_restart(60);
  gmres.setTolerance(1e-13);
  gmres.setMaxIterations(100000);
  gmres.compute(a);
  Eigen::VectorXd x = gmres.solve(b);
  if (!x.allFinite() || !(gmres.error() <= 1e-9))
    throw std::runtime_error(fmt::format(
        "sgd: the {} solve of the momentum chain failed ({} states, GMRES relative residual "
        "{:.3g} after {} iterations)",
        what, a.rows(), gmres.error(), gmres.iterations()));
  return x;
}

}  // namespace

const Eigen::VectorXd& MomentumChain::Stationary() {
  if (solved_) return pi_;
  const int n = size();
  // pi (I - P) = 0 in every column but the pinned one, pi_pin = 1: M^T y = (row pin of P, 1).
  Eigen::VectorXd b = Eigen::Map<const Eigen::VectorXd>(pin_row_.data(), n);
  b[pin_] = 1.0;
  const Eigen::VectorXd y = SolveGmres(m_.transpose(), b, Factors(), true, "stationary");
  if (!(y.sum() > 0))
    throw std::runtime_error("sgd: the stationary solve of the momentum chain has no mass");
  pi_ = y.cwiseMax(0.0);
  pi_ /= pi_.sum();
  // The residual of the law renormalized after one step: the mass a step carries off the grid is
  // bounded by the range search (EdgeMass), not here.
  Eigen::VectorXd next;
  Step(pi_, next);
  const double lost = std::max(0.0, 1.0 - next.sum());
  const double residual = (next / next.sum() - pi_).lpNorm<1>();
  if (!(residual <= 1e-8 + 4 * lost))
    throw std::runtime_error(fmt::format(
        "sgd: the stationary law of the momentum chain has residual |pi P - pi|_1 = {:.3g} "
        "(allowed: <= 1e-8 + 4 x the mass a step loses, {:.3g}; {} states)",
        residual, lost, n));
  solved_ = true;
  return pi_;
}

const Ilu0Factors& MomentumChain::Factors() {
  if (!ilu_) ilu_ = std::make_unique<Ilu0Factors>(m_);
  return *ilu_;
}

Eigen::VectorXd MomentumChain::Poisson(const Eigen::VectorXd& f) {
  const Eigen::VectorXd& pi = Stationary();
  Eigen::VectorXd rhs = f.array() - pi.dot(f);
  rhs[pin_] = 0.0;
  Eigen::VectorXd g = SolveGmres(m_, rhs, Factors(), false, "Poisson");
  g.array() -= pi.dot(g);
  return g;
}

double MomentumChain::LostMass() {
  Eigen::VectorXd next;
  Step(Stationary(), next);
  return std::max(0.0, 1.0 - next.sum());
}

std::array<double, 4> MomentumChain::EdgeMass(double fraction) {
  const Eigen::VectorXd& pi = Stationary();
  const int ex = std::max(1, static_cast<int>(fraction * gx_.n)),
            ey = std::max(1, static_cast<int>(fraction * gy_.n));
  std::array<double, 4> out{0, 0, 0, 0};
  for (int i = 0; i < gx_.n; ++i)
    for (int j = 0; j < gy_.n; ++j) {
      const double w = pi[i * gy_.n + j];
      if (i < ex) out[0] += w;
      if (i >= gx_.n - ex) out[1] += w;
      if (j < ey) out[2] += w;
      if (j >= gy_.n - ey) out[3] += w;
    }
  return out;
}

}  // namespace valleys::theory::detail
