#include "valleys/io/spec.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace valleys::io {

namespace {
std::string Trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}
}  // namespace

double ParseNumber(const std::string& text, const std::string& what) {
  const std::string t = Trim(text);
  if (t.empty()) throw InputError(fmt::format("{} is empty (allowed: a finite number)", what));
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || errno == ERANGE || !std::isfinite(v))
    throw InputError(fmt::format("{} = '{}' is not a finite number", what, text));
  return v;
}

Spec ParseSpec(const std::string& text, const std::string& option) {
  Spec spec;
  spec.option = option;
  const auto colon = text.find(':');
  spec.kind = Trim(text.substr(0, colon));
  if (spec.kind.empty())
    throw InputError(
        fmt::format("{} '{}': missing kind (expected KIND:key=value,...)", option, text));
  if (colon == std::string::npos) return spec;
  const std::string rest = text.substr(colon + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    const auto comma = rest.find(',', start);
    const std::string item =
        Trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? rest.size() + 1 : comma + 1;
    if (item.empty()) {
      if (comma == std::string::npos && spec.params.empty() && Trim(rest).empty()) break;
      throw InputError(fmt::format("{} '{}': empty parameter (expected key=value)", option, text));
    }
    const auto eq = item.find('=');
    if (eq == std::string::npos)
      throw InputError(fmt::format("{} '{}': parameter '{}' has no '=' (expected key=value)",
                                   option, text, item));
    const std::string key = Trim(item.substr(0, eq)), value = Trim(item.substr(eq + 1));
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

}  // namespace valleys::io
