// Lanczos, Hutchinson and SLQ on matrices whose spectra are known by construction.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "valleys/realnets/lanczos.hpp"

using namespace valleys::realnets;

namespace {

// Q diag(lambda) Q^T with Q orthogonal (QR of a seeded Gaussian matrix).
Eigen::MatrixXd WithSpectrum(const Eigen::VectorXd& lambda, std::uint64_t seed,
                             Eigen::MatrixXd* q_out = nullptr) {
  const int n = static_cast<int>(lambda.size());
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd g(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) g(i, j) = normal(rng);
  const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(g).householderQ();
  if (q_out) *q_out = q;
  return q * lambda.asDiagonal() * q.transpose();
}

SymmetricOperator Of(const Eigen::MatrixXd& a) {
  return [a](const Eigen::VectorXd& x, Eigen::VectorXd* y) { *y = a * x; };
}

// 50, 20, 10 above 97 eigenvalues spread over [-1, 5].
Eigen::VectorXd Spread() {
  Eigen::VectorXd l(100);
  l[0] = 50, l[1] = 20, l[2] = 10;
  for (int i = 3; i < 100; ++i) l[i] = -1 + 6.0 * (i - 3) / 96;
  return l;
}

}  // namespace

TEST_CASE("Lanczos: the top eigenpairs of a known spectrum, with residuals",
          "[realnets][lanczos]") {
  Eigen::MatrixXd q;
  const Eigen::MatrixXd a = WithSpectrum(Spread(), 3, &q);
  TopEigenOptions o;
  o.k = 3;
  const std::vector<Eigenpair> top = TopEigenpairs(Of(a), 100, o);
  REQUIRE(top.size() == 3);
  const double exact[] = {50, 20, 10};
  for (int i = 0; i < 3; ++i) {
    INFO("eigenpair " << i);
    CHECK(top[i].value == Approx(exact[i]).epsilon(1e-10));
    CHECK(top[i].residual < 1e-8);
    CHECK(top[i].converged);
    CHECK(std::abs(top[i].vector.dot(q.col(i))) == Approx(1).epsilon(1e-10));
  }
  // Few steps: the third pair is not converged, and says so.
  o.steps = 4;
  const std::vector<Eigenpair> rough = TopEigenpairs(Of(a), 100, o);
  REQUIRE(rough.size() == 3);
  CHECK_FALSE(rough[2].converged);
  CHECK(rough[2].residual > o.tolerance * std::abs(rough[2].value));
  o.k = 0;
  CHECK_THROWS_WITH(TopEigenpairs(Of(a), 100, o), Catch::Contains("TopEigenOptions::k = 0"));
}

TEST_CASE("Lanczos: both ends of the spectrum from one run", "[realnets][lanczos]") {
  // 50 and 20 above, -8 and -4 below 96 eigenvalues spread over [-1, 5].
  Eigen::VectorXd l = Spread();
  l[2] = -8, l[3] = -4;
  Eigen::MatrixXd q;
  const Eigen::MatrixXd a = WithSpectrum(l, 7, &q);
  TopEigenOptions o;
  o.k = 2;
  o.bottom = 2;
  int products = 0;
  const SymmetricOperator counted = [&](const Eigen::VectorXd& x, Eigen::VectorXd* y) {
    ++products;
    *y = a * x;
  };
  const ExtremeEigenpairs e = ExtremeEigenpairsOf(counted, 100, o);
  REQUIRE(e.top.size() == 2);
  REQUIRE(e.bottom.size() == 2);
  CHECK(e.top[0].value == Approx(50).epsilon(1e-10));
  CHECK(e.top[1].value == Approx(20).epsilon(1e-10));
  // Ascending: the most negative first, each with its own eigenvector.
  const double bottom[] = {-8, -4};
  const int column[] = {2, 3};
  for (int i = 0; i < 2; ++i) {
    INFO("bottom pair " << i);
    CHECK(e.bottom[i].value == Approx(bottom[i]).epsilon(1e-8));
    CHECK(e.bottom[i].converged);
    CHECK(e.bottom[i].residual < 1e-6);
    CHECK(std::abs(e.bottom[i].vector.dot(q.col(column[i]))) == Approx(1).epsilon(1e-8));
  }
  // One Lanczos run of the default max(2 (2 + 2) + 20, 40) steps and one product per pair.
  CHECK(products == 40 + 4);
  // TopEigenpairs is its top half.
  o.bottom = 0;
  CHECK(TopEigenpairs(Of(a), 100, o)[1].value == Approx(e.top[1].value).epsilon(1e-12));
  o.bottom = -1;
  CHECK_THROWS_WITH(ExtremeEigenpairsOf(Of(a), 100, o),
                    Catch::Contains("TopEigenOptions::bottom = -1"));
  o.bottom = 3;
  o.steps = 4;
  CHECK_THROWS_WITH(ExtremeEigenpairsOf(Of(a), 100, o),
                    Catch::Contains("TopEigenOptions::steps = 4"));
}

TEST_CASE("Lanczos: n steps give the whole spectrum; an invariant subspace stops it",
          "[realnets][lanczos]") {
  const Eigen::VectorXd l = Spread();
  const Eigen::MatrixXd a = WithSpectrum(l, 5);
  Eigen::VectorXd start = Eigen::VectorXd::Ones(100);
  const LanczosDecomposition d = Lanczos(Of(a), start, 100);
  REQUIRE(d.alpha.size() == 100);
  // Orthonormal basis (full reorthogonalization), and T's eigenvalues are A's.
  CHECK((d.basis.transpose() * d.basis - Eigen::MatrixXd::Identity(100, 100)).norm() < 1e-10);
  Eigen::VectorXd sorted = l;
  std::sort(sorted.data(), sorted.data() + 100);
  const RitzSpectrum s = TridiagonalSpectrum(d);
  CHECK((s.values - sorted).cwiseAbs().maxCoeff() < 1e-9);
  CHECK(s.first_weights.sum() == Approx(1).epsilon(1e-12));
  // Three distinct eigenvalues: the Krylov space has dimension 3.
  Eigen::VectorXd three(60);
  for (int i = 0; i < 60; ++i) three[i] = i < 20 ? 1.0 : i < 40 ? 2.0 : 7.0;
  const LanczosDecomposition small = Lanczos(Of(WithSpectrum(three, 9)), start.head(60), 20);
  CHECK(small.invariant);
  CHECK(small.alpha.size() == 3);
  CHECK_THROWS_WITH(Lanczos(Of(a), Eigen::VectorXd::Zero(100), 5), Catch::Contains("zero"));
  CHECK_THROWS_WITH(Lanczos(Of(a), start, 0), Catch::Contains("steps = 0"));
}

TEST_CASE("Hutchinson: unbiased, and its 95% interval covers the trace 95% of the time",
          "[realnets][lanczos]") {
  // 400 estimates of 30 probes each (seeds 1..400) of tr A = 50 + 20 + 10 + 97 x 2 = 274.
  // Coverage: 95% within 4 binomial standard errors (0.011 each; the t interval is approximate
  // for these non-normal samples, so the band is wide); false failure below 1e-4. The mean of the
  // 400 estimates within 4 of its standard errors of the trace.
  const Eigen::MatrixXd a = WithSpectrum(Spread(), 11);
  const double trace = a.trace();
  REQUIRE(trace == Approx(274).epsilon(1e-12));
  int covered = 0;
  double sum = 0, sum2 = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    const TraceEstimate t = HutchinsonTrace(Of(a), 100, 30, seed);
    covered += t.ci_lo <= trace && trace <= t.ci_hi;
    sum += t.estimate;
    sum2 += t.estimate * t.estimate;
    CHECK(t.samples.size() == 30);
  }
  const double mean = sum / 400, sd = std::sqrt((sum2 - 400 * mean * mean) / 399);
  CHECK(covered / 400.0 == Approx(0.95).margin(4 * std::sqrt(0.95 * 0.05 / 400)));
  CHECK(mean == Approx(trace).margin(4 * sd / 20));
  // Rademacher probes are exact on a diagonal matrix: z^T D z = tr D.
  const Eigen::MatrixXd diag = Spread().asDiagonal();
  const TraceEstimate exact = HutchinsonTrace(Of(diag), 100, 5, 1);
  CHECK(exact.estimate == Approx(274).epsilon(1e-12));
  CHECK(exact.se < 1e-10);
  CHECK_THROWS_WITH(HutchinsonTrace(Of(a), 100, 1, 1), Catch::Contains("probes = 1"));
}

TEST_CASE("SLQ: the density integrates to 1 and puts each cluster's mass where it is",
          "[realnets][lanczos]") {
  // 30 eigenvalues at 1 and 70 at 10: the density's mass below 5 is 0.3. Each probe's weight of
  // the cluster is |P z|^2 / 100 (Rademacher z), whose sd is below 0.05 for one probe; with 20
  // probes the mass lies within 0.05 of 0.3 (4 standard errors).
  Eigen::VectorXd l(100);
  for (int i = 0; i < 100; ++i) l[i] = i < 30 ? 1.0 : 10.0;
  const Eigen::MatrixXd a = WithSpectrum(l, 13);
  DensityOptions o;
  o.probes = 20;
  o.steps = 20;
  o.bins = 2000;
  const SpectralDensity d = SlqDensity(Of(a), 100, o);
  REQUIRE(d.lambda.size() == 2000);
  double mass = 0, below = 0;
  for (std::size_t i = 1; i < d.lambda.size(); ++i) {
    const double piece = 0.5 * (d.density[i] + d.density[i - 1]) * (d.lambda[i] - d.lambda[i - 1]);
    mass += piece;
    if (d.lambda[i] < 5) below += piece;
  }
  CHECK(mass == Approx(1).margin(1e-3));
  CHECK(below == Approx(0.3).margin(0.05));
  for (const auto& w : d.weights) {
    double s = 0;
    for (double x : w) s += x;
    CHECK(s == Approx(1).epsilon(1e-10));
  }
  CHECK(d.variance == Approx(1e-5 * 9).epsilon(1e-6));
  o.steps = 1;
  CHECK_THROWS_WITH(SlqDensity(Of(a), 100, o), Catch::Contains("DensityOptions::steps = 1"));
}
