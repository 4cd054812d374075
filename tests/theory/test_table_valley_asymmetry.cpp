// Table profiles, d-dimensional valleys, and the asymmetry scores of sampled profiles.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "support/sample_table.hpp"
#include "support/seeded.hpp"
#include "valleys/io/table_csv.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/asymmetry.hpp"
#include "valleys/theory/bias.hpp"
#include "valleys/theory/table_profile.hpp"
#include "valleys/theory/valley.hpp"

using namespace valleys::theory;

namespace {
TableOptions Sample(const Profile& p, double lo, double hi, int n) {
  return valleys::testing::SampleTable(p, lo, hi, n);
}
}  // namespace

TEST_CASE("a finely sampled table reproduces its profile's risk and flat side", "[table]") {
  const QuadraticProfile q({1, 9});
  TableProfile table(Sample(q, -4, 4, 801));
  CHECK(table.FlatSide() == Side::kPositive);
  CHECK(table.Value(0.3) == Approx(q.Value(0.3)).epsilon(1e-4));
  const SymmetricLaw shift(LawKind::kUniform, 1);
  const BiasSummary a = AnalyzeBias(q, shift), b = AnalyzeBias(table, shift);
  CHECK(b.method == RiskMethod::kPiecewise);
  CHECK(b.zeta_star == Approx(a.zeta_star).margin(2e-3));
  CHECK(b.r0 == Approx(a.r0).epsilon(1e-3));
  TableProfile mirrored(Sample(QuadraticProfile({9, 1}), -4, 4, 801));
  CHECK(mirrored.FlatSide() == Side::kNegative);
}

TEST_CASE("table input errors name the problem", "[table][edge]") {
  TableOptions o = Sample(QuadraticProfile({1, 2}), -1, 1, 11);
  std::string why;
  o.loss[3] = std::numeric_limits<double>::quiet_NaN();
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("point 4") && Catch::Contains("not finite"));
  o = Sample(QuadraticProfile({1, 2}), -1, 1, 11);
  o.loss[5] = std::numeric_limits<double>::infinity();
  CHECK_THROWS_AS(TableProfile(o), std::invalid_argument);
  o = Sample(QuadraticProfile({1, 2}), -1, 1, 11);
  std::swap(o.x[2], o.x[3]);
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("strictly increasing"));
  o = Sample(QuadraticProfile({1, 2}), 0.1, 1, 11);
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("centre 0"));
}

TEST_CASE("table CSV parsing: header, comments, errors with line numbers", "[table][csv]") {
  const auto t =
      valleys::io::ParseTableCsv("# probe\nalpha,x,loss\n1,-1,2\n1,0,0\n1,1,1\n1,2,3\n", "mem");
  CHECK(t.x == std::vector<double>{-1, 0, 1, 2});
  CHECK(t.loss == std::vector<double>{2, 0, 1, 3});
  const auto plain = valleys::io::ParseTableCsv("-1,2\n0,0\n1,1\n2,3\n", "mem");
  CHECK(plain.x.size() == 4);
  CHECK_THROWS_WITH(valleys::io::ParseTableCsv("x,loss\n-1,2\n0,abc\n", "mem"),
                    Catch::Contains("line 3") && Catch::Contains("abc"));
  CHECK_THROWS_WITH(valleys::io::ParseTableCsv("x,loss\n-1,nan\n", "mem"),
                    Catch::Contains("not a finite decimal number"));
  CHECK_THROWS_WITH(valleys::io::ReadTableCsv("/nonexistent/prof.csv"),
                    Catch::Contains("cannot read"));
}

TEST_CASE("random rotations are orthonormal and seeded", "[valley]") {
  const Eigen::MatrixXd q = RandomRotation(6, 42);
  CHECK((q.transpose() * q - Eigen::MatrixXd::Identity(6, 6)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((RandomRotation(6, 42) - q).cwiseAbs().maxCoeff() == 0.0);
  CHECK((RandomRotation(6, 43) - q).cwiseAbs().maxCoeff() > 0.1);
}

TEST_CASE("valley gradient matches finite differences, with coupling", "[valley]") {
  ValleyOptions o;
  o.profiles = {std::make_shared<QuadraticProfile>(QuadraticOptions{1, 9}),
                std::make_shared<LinexProfile>(LinexOptions{1, 1.5}),
                std::make_shared<QuadraticProfile>(QuadraticOptions{2, 2})};
  o.basis = BasisKind::kRandomRotation;
  o.rotation_seed = 7;
  o.coupling = 0.8;
  const Valley v(o);
  valleys::testing::Draws d(31);
  for (int k = 0; k < 10; ++k) {
    Eigen::VectorXd w(3);
    for (int i = 0; i < 3; ++i) w[i] = d.Uniform(-1, 1);
    const Eigen::VectorXd g = v.Gradient(w);
    for (int i = 0; i < 3; ++i) {
      Eigen::VectorXd e = Eigen::VectorXd::Zero(3);
      e[i] = 1e-6;
      const double fd = (v.Value(w + e) - v.Value(w - e)) / 2e-6;
      CHECK(g[i] == Approx(fd).epsilon(1e-6).margin(1e-8));
    }
  }
  CHECK(v.Value(Eigen::VectorXd::Zero(3)) == 0.0);
}

TEST_CASE("D9: separable valleys decouple; symmetric directions get zero bias", "[valley]") {
  ValleyOptions o;
  o.profiles = {std::make_shared<QuadraticProfile>(QuadraticOptions{1, 9}),
                std::make_shared<QuadraticProfile>(QuadraticOptions{4, 4})};
  o.basis = BasisKind::kRandomRotation;
  o.rotation_seed = 3;
  const Valley v(o);
  const SeparableBias b = AnalyzeSeparableBias(v, SymmetricLaw(LawKind::kUniform, 1));
  CHECK(b.zeta_star[0] == Approx(0.5));
  CHECK(b.zeta_star[1] == 0.0);
  CHECK(b.w_star.norm() == Approx(0.5));
  CHECK(b.r0 == Approx(0.8333333333 + 4.0 / 6).epsilon(1e-9));
  o.coupling = 1;
  CHECK_THROWS_AS(AnalyzeSeparableBias(Valley(o), SymmetricLaw(LawKind::kUniform, 1)),
                  std::invalid_argument);
}

TEST_CASE("asymmetry scores of sampled analytic profiles", "[asymmetry]") {
  const TableOptions q = Sample(QuadraticProfile({1, 9}), -3, 3, 61);
  AsymmetryOptions o;
  o.delta = 0.5;
  const AsymmetryScore s = ScoreAsymmetry(q.x, q.loss, o);
  CHECK(s.flat_side == Side::kPositive);
  CHECK(s.width_pos == Approx(1.0).epsilon(0.01));    // x^2/2 = 0.5
  CHECK(s.width_ratio == Approx(3.0).epsilon(0.02));  // sqrt(9 / 1)
  CHECK(s.asymmetric);
  const TableOptions lin = Sample(LinearProfile({0.5, 4}), -2, 2, 41);
  const AsymmetryScore l = ScoreAsymmetry(lin.x, lin.loss, o);
  CHECK(l.fitted_p == Approx(0.5).epsilon(1e-9));
  CHECK(l.fitted_c == Approx(4.0).epsilon(1e-9));
  const TableOptions sym = Sample(QuadraticProfile({2, 2}), -2, 2, 41);
  const AsymmetryScore y = ScoreAsymmetry(sym.x, sym.loss, o);
  CHECK_FALSE(y.asymmetric);
  CHECK(y.width_ratio == Approx(1.0).epsilon(1e-9));
  CHECK_THROWS_AS(ScoreAsymmetry({-1, 0.5, 1}, {1, 0, 1}, o), std::invalid_argument);  // no x = 0
}

TEST_CASE("rpcl check accepts rpcl samples and rejects a symmetric profile", "[asymmetry]") {
  const RpclOptions v{2, 1, 5, 0.1};
  const TableOptions t = Sample(RpclProfile(v), -2, 2, 81);
  CHECK(CheckRpcl(t.x, t.loss, v).holds);
  const TableOptions sym = Sample(LinearProfile({1, 1}), -2, 2, 81);
  const RpclCheck bad = CheckRpcl(sym.x, sym.loss, v);
  CHECK_FALSE(bad.holds);
  CHECK(bad.worst_violation > 1);
}
