// The spec syntax shared by every command: KIND:key=value,key=value (e.g.
// quadratic:hplus=1,hminus=9).
#pragma once

#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace valleys::io {

// Bad user input. The message names the option, the offending key and value, and what is allowed.
class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct Spec {
  std::string option;  // the option it came from, e.g. "--profile" (used in messages)
  std::string kind;
  std::vector<std::pair<std::string, std::string>> params;  // in the order given

  // Throws InputError when a key is missing, repeated, unknown, or its value is not a finite
  // number.
  double Number(const std::string& key) const;
  double NumberOr(const std::string& key, double fallback) const;
  const std::string& Text(const std::string& key) const;
  bool Has(const std::string& key) const;
  // Throws InputError naming the first key not in `allowed`.
  void RequireOnly(const std::set<std::string>& allowed) const;
};

// Throws InputError on malformed text (no kind, a parameter without '=', an empty key, a repeated
// key).
Spec ParseSpec(const std::string& text, const std::string& option);

// Strict number parsing: the whole string must be a finite number ("1e-3", "0.5"; not "1x", "nan").
// Throws InputError "<what> = '<text>' is not a number".
double ParseNumber(const std::string& text, const std::string& what);
// Whether ParseNumber accepts `text`.
bool IsNumber(const std::string& text);

}  // namespace valleys::io
