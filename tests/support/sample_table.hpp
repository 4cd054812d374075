// Tables sampled from analytic profiles, for the table-profile tests.
#pragma once

#include <cmath>

#include "valleys/theory/profile.hpp"
#include "valleys/theory/table_profile.hpp"

namespace valleys::testing {

// n equally spaced points of p on [lo, hi], plus ripple * sin(5 x) (a ripple makes the table no
// polynomial, so that its PCHIP interpolant matters).
inline theory::TableOptions SampleTable(const theory::Profile& p, double lo, double hi, int n,
                                        double ripple = 0.0) {
  theory::TableOptions o;
  for (int i = 0; i < n; ++i) {
    const double x = lo + (hi - lo) * i / (n - 1);
    o.x.push_back(x);
    o.loss.push_back(p.Value(x) + ripple * std::sin(5 * x));
  }
  return o;
}

}  // namespace valleys::testing
