// realnets::SearchHeights on profiles whose crossings are known in closed form: a quadratic with
// different curvatures on each side (crossing at sqrt(h / a)), a flat bottom with a wall on one
// side (the shape of the paper's deep-network profiles), a tilted parabola that first dips below
// its centre, and a side that never reaches the largest height (censored). The tolerance of the
// search is 5% on the height; a rise within 5% of h puts a quadratic's offset within 2.5% of the
// crossing, so the offsets are asserted within 5%. Deterministic: no random numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <vector>

#include "valleys/realnets/height_search.hpp"

using namespace valleys::realnets;

namespace {

// The exact crossing of a monotone side: bisection on the closed form to 1e-12.
double Crossing(const std::function<double(double)>& rise, double h, double hi) {
  double lo = 0;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (rise(mid) >= h ? hi : lo) = mid;
  }
  return hi;
}

}  // namespace

TEST_CASE("height search: a quadratic's offsets at each height, both sides", "[height_search]") {
  const double a_plus = 0.02, a_minus = 0.18;  // the positive side 3x wider at every height
  const auto loss = [&](double t) { return 0.3 + (t > 0 ? a_plus : a_minus) * t * t; };
  HeightSearchOptions o;  // heights 0.05 .. 2, max_offset 10
  const HeightSearchResult r = SearchHeights(o, loss);
  REQUIRE(r.positive.size() == o.heights.size());
  REQUIRE(r.negative.size() == o.heights.size());
  CHECK(r.centre_loss == Approx(0.3));
  for (std::size_t i = 0; i < o.heights.size(); ++i) {
    const double h = o.heights[i];
    const double want_plus = std::sqrt(h / a_plus), want_minus = std::sqrt(h / a_minus);
    INFO("height " << h);
    CHECK_FALSE(r.negative[i].censored);
    CHECK(r.negative[i].offset == Approx(want_minus).epsilon(0.05));
    CHECK(std::abs(r.negative[i].rise - h) <= 0.05 * h + 1e-12);
    if (want_plus <= o.max_offset) {
      CHECK_FALSE(r.positive[i].censored);
      CHECK(r.positive[i].offset == Approx(want_plus).epsilon(0.05));
      CHECK(r.positive[i].offset / r.negative[i].offset == Approx(3.0).epsilon(0.1));
    } else {  // sqrt(2 / 0.02) = 10: at the edge; 1 and 2 nats need t >= 7.07, 10
      CHECK((r.positive[i].censored || r.positive[i].offset == Approx(want_plus).epsilon(0.05)));
    }
  }
  // Every evaluated point is reported, sorted, and counted.
  CHECK(r.t.size() == static_cast<std::size_t>(r.evaluations));
  for (std::size_t k = 1; k < r.t.size(); ++k) CHECK(r.t[k] > r.t[k - 1]);
  for (std::size_t k = 0; k < r.t.size(); ++k) CHECK(r.loss[k] == Approx(loss(r.t[k])));
  // Fewer evaluations than the authors' 41-point grid.
  CHECK(r.evaluations <= 36);
}

TEST_CASE("height search: a flat bottom with a wall on one side", "[height_search]") {
  // Flat within |t| < 4 (rise 0.001 t^2), then a wall of 2 nats per unit^2 on the negative side
  // and 0.05 on the positive side.
  const auto rise = [](double t, double wall) {
    const double over = std::max(0.0, std::abs(t) - 4);
    return 0.001 * t * t + wall * over * over;
  };
  const auto loss = [&](double t) { return 0.09 + rise(t, t > 0 ? 0.05 : 2.0); };
  HeightSearchOptions o;
  const HeightSearchResult r = SearchHeights(o, loss);
  for (std::size_t i = 0; i < o.heights.size(); ++i) {
    const double h = o.heights[i];
    INFO("height " << h);
    const double want_minus = Crossing([&](double t) { return rise(t, 2.0); }, h, 10);
    const double want_plus = Crossing([&](double t) { return rise(t, 0.05); }, h, 10);
    CHECK(r.negative[i].offset == Approx(want_minus).epsilon(0.05));
    CHECK(r.positive[i].offset == Approx(want_plus).epsilon(0.05));
  }
}

TEST_CASE("height search: a tilted parabola that dips below its centre first", "[height_search]") {
  // L = t^2 - 0.5 t: below L(0) for 0 < t < 0.5, crossing h at (0.5 + sqrt(0.25 + 4h)) / 2.
  const auto loss = [](double t) { return t * t - 0.5 * t; };
  HeightSearchOptions o;
  o.heights = {0.05, 0.5, 2};
  o.first_step = 0.25;
  const HeightSearchResult r = SearchHeights(o, loss);
  for (std::size_t i = 0; i < o.heights.size(); ++i) {
    const double h = o.heights[i];
    INFO("height " << h);
    CHECK(r.positive[i].offset == Approx((0.5 + std::sqrt(0.25 + 4 * h)) / 2).epsilon(0.05));
    CHECK(r.negative[i].offset == Approx((-0.5 + std::sqrt(0.25 + 4 * h)) / 2).epsilon(0.05));
  }
}

TEST_CASE("height search: a side that never reaches a height is censored at max_offset",
          "[height_search]") {
  const auto loss = [](double t) { return t > 0 ? 0.001 * t : t * t; };  // + side: 0.01 at t = 10
  HeightSearchOptions o;
  o.heights = {0.005, 0.05};
  const HeightSearchResult r = SearchHeights(o, loss);
  CHECK_FALSE(r.positive[0].censored);
  CHECK(r.positive[0].offset == Approx(5.0).epsilon(0.05));
  CHECK(r.positive[1].censored);
  CHECK(r.positive[1].offset == 10);
  CHECK(r.positive[1].accepted_by == "censored");
  CHECK_FALSE(r.negative[1].censored);
}

TEST_CASE("height search: each accepted point is the one evaluated last", "[height_search]") {
  double last = NAN;
  const auto loss = [&](double t) {
    last = t;
    return 0.5 * t * t + 0.1 * t * t * t * (t > 0);
  };
  int accepted = 0;
  HeightSearchOptions o;
  const HeightSearchResult r = SearchHeights(o, loss, [&](double t, const HeightCrossing& c) {
    CHECK(t == last);
    CHECK_FALSE(c.censored);
    ++accepted;
  });
  int uncensored = 0;
  for (const auto* side : {&r.positive, &r.negative})
    for (const auto& c : *side) uncensored += !c.censored;
  CHECK(accepted == uncensored);
  CHECK(accepted == 12);
}

TEST_CASE("height search: invalid options and non-finite losses are refused", "[height_search]") {
  const auto loss = [](double t) { return t * t; };
  HeightSearchOptions o;
  o.heights = {0.5, 0.1};
  CHECK_THROWS_WITH(SearchHeights(o, loss), Catch::Contains("HeightSearchOptions::heights"));
  o = HeightSearchOptions();
  o.max_offset = -1;
  CHECK_THROWS_WITH(SearchHeights(o, loss), Catch::Contains("HeightSearchOptions::max_offset"));
  o = HeightSearchOptions();
  o.first_step = 20;  // above max_offset
  CHECK_THROWS_WITH(SearchHeights(o, loss), Catch::Contains("HeightSearchOptions::first_step"));
  o = HeightSearchOptions();
  CHECK_THROWS_WITH(SearchHeights(o, [](double t) { return t > 1 ? NAN : t * t; }),
                    Catch::Contains("not finite"));
}
