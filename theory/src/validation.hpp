// Helpers for IsValid(): fill `why` with "<kind>: <key> = <value> is out of range (allowed: ...)".
#pragma once

#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

namespace valleys::theory::detail {

inline bool Fail(std::string* why, const std::string& message) {
  if (why != nullptr) *why = message;
  return false;
}

inline bool OutOfRange(std::string* why, const char* kind, const char* key, double value,
                       const char* allowed) {
  return Fail(why,
              fmt::format("{}: {} = {} is out of range (allowed: {})", kind, key, value, allowed));
}

// True when value is finite, not subnormal, and satisfies `ok`; otherwise fills why. A subnormal
// parameter (0 < |v| < 2.2e-308) has lost its precision and overflows every quantity divided by
// it (a curvature of 4.9e-324 gives R = nan), so it is refused as the input error it is.
template <typename Pred>
bool Check(std::string* why, const char* kind, const char* key, double value, Pred ok,
           const char* allowed) {
  if (!std::isfinite(value) || !ok(value)) return OutOfRange(why, kind, key, value, allowed);
  if (value != 0 && !std::isnormal(value))
    return Fail(why, fmt::format("{}: {} = {} is subnormal (allowed: {}, with |{}| >= {})", kind,
                                 key, value, allowed, key, std::numeric_limits<double>::min()));
  return true;
}

}  // namespace valleys::theory::detail
