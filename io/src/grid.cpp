#include "valleys/io/grid.hpp"

#include <cmath>

#include <fmt/format.h>

#include "valleys/io/spec.hpp"

namespace valleys::io {

namespace {
std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return out;
}

bool IsRange(const std::vector<std::string>& parts) {
  return (parts.size() == 3 || parts.size() == 4) && IsNumber(parts[0]) && IsNumber(parts[1]) &&
         IsNumber(parts[2]);
}
}  // namespace

GridAxis MakeGridAxis(const std::string& name, const std::string& spec, const std::string& what) {
  GridAxis axis;
  axis.name = name;
  if (name.empty()) throw InputError(fmt::format("{} '{}={}': empty axis name", what, name, spec));
  if (spec.empty())
    throw InputError(
        fmt::format("{} {}: no values (expected lo:hi:count[:lin|log] or v1,v2,...)", what, name));
  if (spec.find(',') != std::string::npos && spec.find('=') == std::string::npos) {
    for (const auto& v : Split(spec, ',')) {
      if (v.empty())
        throw InputError(fmt::format("{} {}: empty value in list '{}'", what, name, spec));
      axis.values.push_back(v);
    }
    return axis;
  }
  const auto parts = Split(spec, ':');
  // Two numbers joined by ':' that do not make lo:hi:count[:lin|log] (a count left out, say) are a
  // range written wrong, not a value.
  if (!IsRange(parts) && parts.size() >= 2 && IsNumber(parts[0]) && IsNumber(parts[1]))
    throw InputError(fmt::format(
        "{} {}: '{}' is not a range (expected lo:hi:count[:lin|log], e.g. 0.01:0.1:10:log)", what,
        name, spec));
  if (!IsRange(parts)) {
    axis.values.push_back(spec);  // a single value (a number or a spec)
    return axis;
  }
  const std::string axis_what = fmt::format("{} {}", what, name);
  const double lo = ParseNumber(parts[0], axis_what + " lo"),
               hi = ParseNumber(parts[1], axis_what + " hi");
  const double count = ParseNumber(parts[2], axis_what + " count");
  const std::string scale = parts.size() == 4 ? parts[3] : "lin";
  if (!(count >= 1 && count <= 1e6 && count == std::floor(count)))
    throw InputError(fmt::format("{}: count = {} is out of range (allowed: integer 1..1e6)",
                                 axis_what, parts[2]));
  if (scale != "lin" && scale != "log")
    throw InputError(
        fmt::format("{}: scale '{}' is not a scale (allowed: lin, log)", axis_what, scale));
  if (scale == "log" && !(lo > 0 && hi > 0))
    throw InputError(
        fmt::format("{}: a log range needs lo > 0 and hi > 0 (got {} and {})", axis_what, lo, hi));
  const int n = static_cast<int>(count);
  for (int i = 0; i < n; ++i) {
    const double f = n == 1 ? 0.0 : static_cast<double>(i) / (n - 1);
    const double v = scale == "log" ? std::exp(std::log(lo) + f * (std::log(hi) - std::log(lo)))
                                    : lo + f * (hi - lo);
    axis.values.push_back(fmt::format("{}", i == n - 1 && n > 1 ? hi : (i == 0 ? lo : v)));
  }
  return axis;
}

GridAxis ParseGridAxis(const std::string& text, const std::string& what) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw InputError(
        fmt::format("{} '{}': expected NAME=lo:hi:count[:lin|log] or NAME=v1,v2,...", what, text));
  return MakeGridAxis(text.substr(0, eq), text.substr(eq + 1), what);
}

long long GridSize(const std::vector<GridAxis>& axes, long long limit) {
  long long n = 1;
  for (const auto& a : axes) {
    n *= static_cast<long long>(a.values.size());
    if (n > limit) throw InputError(fmt::format("the grid has more than {} configurations", limit));
  }
  return n;
}

std::vector<std::pair<std::string, std::string>> GridPoint(const std::vector<GridAxis>& axes,
                                                           long long index) {
  std::vector<std::pair<std::string, std::string>> out(axes.size());
  for (std::size_t i = axes.size(); i-- > 0;) {
    const auto size = static_cast<long long>(axes[i].values.size());
    out[i] = {axes[i].name, axes[i].values[static_cast<std::size_t>(index % size)]};
    index /= size;
  }
  return out;
}

Shard ParseShard(const std::string& text, const std::string& what) {
  const auto slash = text.find('/');
  if (slash == std::string::npos)
    throw InputError(fmt::format("{} '{}': expected k/n", what, text));
  const double k = ParseNumber(text.substr(0, slash), what + " k"),
               n = ParseNumber(text.substr(slash + 1), what + " n");
  if (!(n >= 1 && n <= 1e6 && n == std::floor(n) && k >= 1 && k <= n && k == std::floor(k)))
    throw InputError(
        fmt::format("{} {}: out of range (allowed: integers 1 <= k <= n)", what, text));
  return {static_cast<int>(k), static_cast<int>(n)};
}

}  // namespace valleys::io
