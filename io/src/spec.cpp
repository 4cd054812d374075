#include "valleys/io/spec.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

namespace valleys::io {

namespace {
// The spec grammar has no blanks: "a=1, b=2" or " 1" is refused rather than read as something
// else.
const std::string& Unpadded(const std::string& part, const std::string& option,
                            const std::string& text, const char* what) {
  if (!part.empty() && (std::isspace(static_cast<unsigned char>(part.front())) ||
                        std::isspace(static_cast<unsigned char>(part.back()))))
    throw InputError(fmt::format("{} '{}': {} '{}' has surrounding blanks (allowed: none)", option,
                                 text, what, part));
  return part;
}
}  // namespace

double ParseNumber(const std::string& text, const std::string& what) {
  if (text.empty()) throw InputError(fmt::format("{} is empty (allowed: a finite number)", what));
  // Decimal only: strtod would also take surrounding spaces, hex floats ("0x1p3"), inf and nan.
  if (text.find_first_not_of("0123456789+-.eE") != std::string::npos)
    throw InputError(
        fmt::format("{} = '{}' is not a finite decimal number (e.g. 0.5, -2, 1e-3)", what, text));
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size())
    throw InputError(
        fmt::format("{} = '{}' is not a finite decimal number (e.g. 0.5, -2, 1e-3)", what, text));
  // ERANGE also flags subnormal results, which are exact enough to keep; overflow and underflow
  // to zero are refused.
  if (!std::isfinite(v) || (errno == ERANGE && std::fabs(v) > 1.0))
    throw InputError(fmt::format("{} = '{}' is out of range (allowed: |x| <= {:g})", what, text,
                                 std::numeric_limits<double>::max()));
  if (errno == ERANGE && v == 0.0)
    throw InputError(fmt::format("{} = '{}' underflows to 0 (allowed: 0, or |x| >= {:g})", what,
                                 text, std::numeric_limits<double>::denorm_min()));
  return v;
}

Spec ParseSpec(const std::string& text, const std::string& option) {
  Spec spec;
  spec.option = option;
  const auto colon = text.find(':');
  spec.kind = Unpadded(text.substr(0, colon), option, text, "kind");
  if (spec.kind.empty())
    throw InputError(
        fmt::format("{} '{}': missing kind (expected KIND:key=value,...)", option, text));
  if (colon == std::string::npos) return spec;
  const std::string rest = text.substr(colon + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    const auto comma = rest.find(',', start);
    const std::string item =
        rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? rest.size() + 1 : comma + 1;
    if (item.empty()) {
      if (comma == std::string::npos && spec.params.empty() && rest.empty()) break;
      throw InputError(fmt::format("{} '{}': empty parameter (expected key=value)", option, text));
    }
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw InputError(fmt::format("{} '{}': parameter '{}' has no '=' (expected key=value)",
                                   option, text, item));
    const std::string key = Unpadded(item.substr(0, eq), option, text, "key");
    const std::string value = Unpadded(item.substr(eq + 1), option, text, "value");
    if (key.empty())
      throw InputError(fmt::format("{} '{}': parameter '{}' has an empty key", option, text, item));
    if (spec.Has(key))
      throw InputError(fmt::format("{} '{}': key {} is given twice", option, text, key));
    spec.params.emplace_back(key, value);
  }
  return spec;
}

bool Spec::Has(const std::string& key) const {
  for (const auto& [k, v] : params)
    if (k == key) return true;
  return false;
}

const std::string& Spec::Text(const std::string& key) const {
  for (const auto& [k, v] : params)
    if (k == key) return v;
  throw InputError(fmt::format("{} {}: missing key {}", option, kind, key));
}

double Spec::Number(const std::string& key) const {
  return ParseNumber(Text(key), fmt::format("{} {}: {}", option, kind, key));
}

double Spec::NumberOr(const std::string& key, double fallback) const {
  return Has(key) ? Number(key) : fallback;
}

void Spec::RequireOnly(const std::set<std::string>& allowed) const {
  for (const auto& [k, v] : params) {
    if (allowed.count(k) == 0) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      throw InputError(fmt::format("{} {}: unknown key {} (allowed: {})", option, kind, k, list));
    }
  }
}

bool IsNumber(const std::string& text) {
  try {
    ParseNumber(text, "value");
    return true;
  } catch (const InputError&) {
    return false;
  }
}

}  // namespace valleys::io
