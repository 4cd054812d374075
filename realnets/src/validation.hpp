// The IsValid() helper of realnets' options (internal): fills `why` with the message naming the
// field, its value and the allowed range, and returns false.
#pragma once

#include <string>
#include <utility>

namespace valleys::realnets::detail {

inline bool Fail(std::string* why, std::string message) {
  if (why != nullptr) *why = std::move(message);
  return false;
}

}  // namespace valleys::realnets::detail
