#pragma once

#include <vector>

namespace valleys::realnets::detail {

// True when every element exceeds the one before it (NaN anywhere: false).
inline bool StrictlyIncreasing(const std::vector<double>& v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!(v[i] > v[i - 1])) return false;
  return true;
}

}  // namespace valleys::realnets::detail
