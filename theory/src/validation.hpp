// Helpers for IsValid(): fill `why` with "<kind>: <key> = <value> is out of range (allowed: ...)".
#pragma once

#include <cmath>
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

// True when value is finite and satisfies `ok`; otherwise fills why.
template <typename Pred>
bool Check(std::string* why, const char* kind, const char* key, double value, Pred ok,
           const char* allowed) {
  if (!std::isfinite(value) || !ok(value)) return OutOfRange(why, kind, key, value, allowed);
  return true;
}

}  // namespace valleys::theory::detail
