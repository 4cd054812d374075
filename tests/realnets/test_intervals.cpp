// The intervals of the verdicts: Clopper-Pearson against closed forms and published table values,
// the effective number of directions against its closed form for equicorrelated directions, and
// the bootstrap interval of a median (fixed seed 17: the same interval on every run).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "valleys/realnets/intervals.hpp"

using namespace valleys::realnets;

TEST_CASE("Clopper-Pearson intervals", "[realnets][intervals]") {
  // k = 0 and k = n in closed form: 1 - (a/2)^(1/n) and (a/2)^(1/n).
  for (int n : {1, 3, 10, 50}) {
    const double edge = std::pow(0.025, 1.0 / n);
    CHECK(ClopperPearson(0, n).lo == 0.0);
    CHECK(ClopperPearson(0, n).hi == Approx(1 - edge).epsilon(1e-10));
    CHECK(ClopperPearson(n, n).lo == Approx(edge).epsilon(1e-10));
    CHECK(ClopperPearson(n, n).hi == 1.0);
  }
  // Published values (Clopper & Pearson 1934 tables; any statistics package): 5 of 10 gives
  // [0.1871, 0.8129], 1 of 10 [0.0025, 0.4450], 3 of 4 [0.1941, 0.9937].
  CHECK(ClopperPearson(5, 10).lo == Approx(0.1871).margin(1e-4));
  CHECK(ClopperPearson(5, 10).hi == Approx(0.8129).margin(1e-4));
  CHECK(ClopperPearson(1, 10).lo == Approx(0.0025).margin(1e-4));
  CHECK(ClopperPearson(1, 10).hi == Approx(0.4450).margin(1e-4));
  CHECK(ClopperPearson(3, 4).lo == Approx(0.1941).margin(1e-4));
  CHECK(ClopperPearson(3, 4).hi == Approx(0.9937).margin(1e-4));
  // An effective count: 2.5 of 5 is the interval of half of 5.
  CHECK(ClopperPearson(2.5, 5).lo < 0.5);
  CHECK(ClopperPearson(2.5, 5).hi > 0.5);
  CHECK_THROWS_WITH(ClopperPearson(4, 3), Catch::Contains("0 <= k <= n"));
  CHECK_THROWS_AS(ClopperPearson(0, 0), std::invalid_argument);
}

TEST_CASE("effective number of independent directions", "[realnets][intervals]") {
  for (int m : {1, 2, 4, 8}) {
    for (double c : {0.0, 0.3, 0.75, 1.0}) {
      std::vector<double> g(static_cast<std::size_t>(m * m), c);
      for (int i = 0; i < m; ++i) g[static_cast<std::size_t>(i * m + i)] = 1.0;
      INFO("m = " << m << ", cosine " << c);
      CHECK(EffectiveCount(g, m) == Approx(m / (1 + (m - 1) * c * c)));
    }
  }
  CHECK_THROWS_WITH(EffectiveCount({1, 0.5, 0.5}, 2), Catch::Contains("m x m"));
  CHECK_THROWS_WITH(EffectiveCount({2, 0, 0, 1}, 2), Catch::Contains("diagonal"));
}

TEST_CASE("bootstrap interval of a median", "[realnets][intervals]") {
  std::vector<double> v;
  for (int i = 1; i <= 101; ++i) v.push_back(i);
  const Interval a = BootstrapMedian(v, 17), b = BootstrapMedian(v, 17);
  CHECK(a.lo == b.lo);
  CHECK(a.hi == b.hi);
  // The median's standard error for a uniform sample of 101 is about 5; the 95% interval spans
  // roughly +-10 around 51, and always contains it.
  CHECK(a.lo < 51);
  CHECK(a.hi > 51);
  CHECK(a.hi - a.lo > 8);
  CHECK(a.hi - a.lo < 40);
  const Interval same = BootstrapMedian({2.5, 2.5, 2.5}, 3);
  CHECK(same.lo == 2.5);
  CHECK(same.hi == 2.5);
  CHECK_THROWS_AS(BootstrapMedian({}, 1), std::invalid_argument);
}
