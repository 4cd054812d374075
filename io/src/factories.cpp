#include "valleys/io/factories.hpp"

#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "valleys/io/spec.hpp"
#include "valleys/io/table_csv.hpp"
#include "valleys/theory/analytic_profiles.hpp"
#include "valleys/theory/table_profile.hpp"

namespace valleys::io {

namespace {
template <typename Options>
void Validate(const Options& options, const Spec& spec) {
  std::string why;
  if (!options.IsValid(&why)) throw InputError(fmt::format("{}: {}", spec.option, why));
}

theory::LawKind LawKindOf(const Spec& spec) {
  if (spec.kind == "uniform") return theory::LawKind::kUniform;
  if (spec.kind == "gaussian") return theory::LawKind::kGaussian;
  if (spec.kind == "rademacher") return theory::LawKind::kRademacher;
  throw InputError(fmt::format("{}: unknown kind '{}' (allowed: uniform, gaussian, rademacher)",
                               spec.option, spec.kind));
}

double Positive(const Spec& spec, const std::string& key) {
  const double v = spec.Number(key);
  if (!(v > 0))
    throw InputError(fmt::format("{}: {}: {} = {} is out of range (allowed: {} > 0)", spec.option,
                                 spec.kind, key, v, key));
  return v;
}
}  // namespace

theory::ProfilePtr MakeProfile(const std::string& text, const std::string& what) {
  const Spec spec = ParseSpec(text, what);
  if (spec.kind == "linear") {
    spec.RequireOnly({"p", "c"});
    theory::LinearOptions o;
    o.p = spec.Number("p");
    o.c = spec.Number("c");
    Validate(o, spec);
    return std::make_shared<theory::LinearProfile>(o);
  }
  if (spec.kind == "quadratic") {
    spec.RequireOnly({"hplus", "hminus"});
    theory::QuadraticOptions o;
    o.hplus = spec.Number("hplus");
    o.hminus = spec.Number("hminus");
    Validate(o, spec);
    return std::make_shared<theory::QuadraticProfile>(o);
  }
  if (spec.kind == "linex") {
    spec.RequireOnly({"b", "alpha"});
    theory::LinexOptions o;
    o.b = spec.Number("b");
    o.alpha = spec.Number("alpha");
    Validate(o, spec);
    return std::make_shared<theory::LinexProfile>(o);
  }
  if (spec.kind == "rpcl") {
    spec.RequireOnly({"r", "p", "c", "l"});
    theory::RpclOptions o;
    o.r = spec.Number("r");
    o.p = spec.Number("p");
    o.c = spec.Number("c");
    o.l = spec.Number("l");
    Validate(o, spec);
    return std::make_shared<theory::RpclProfile>(o);
  }
  if (spec.kind == "table") {
    spec.RequireOnly({"file", "x", "loss"});
    const std::string& file = spec.Text("file");
    theory::TableOptions o = ReadTableCsv(file, spec.Has("x") ? spec.Text("x") : "",
                                          spec.Has("loss") ? spec.Text("loss") : "");
    Validate(o, spec);
    return std::make_shared<theory::TableProfile>(std::move(o));
  }
  throw InputError(fmt::format(
      "{}: unknown kind '{}' (allowed: linear, quadratic, linex, rpcl, table)", what, spec.kind));
}

theory::SymmetricLaw MakeShift(const std::string& text, const std::string& what) {
  const Spec spec = ParseSpec(text, what);
  const theory::LawKind kind = LawKindOf(spec);
  const std::string key = kind == theory::LawKind::kGaussian ? "sigma" : "a";
  spec.RequireOnly({key});
  return theory::SymmetricLaw(kind, Positive(spec, key));
}

NoiseSpec MakeNoise(const std::string& text, const std::string& what) {
  const Spec spec = ParseSpec(text, what);
  NoiseSpec out;
  out.kind = LawKindOf(spec);
  spec.RequireOnly({"s", "c"});
  out.s = Positive(spec, "s");
  out.c = spec.NumberOr("c", 0.0);
  if (!(out.c >= 0) || !std::isfinite(out.c))
    throw InputError(fmt::format("{}: {}: c = {} is out of range (allowed: c >= 0)", spec.option,
                                 spec.kind, out.c));
  return out;
}

std::string NoiseSpecText(const NoiseSpec& noise) {
  if (noise.c > 0)
    return fmt::format("{}:s={},c={}", theory::LawKindName(noise.kind), noise.s, noise.c);
  return fmt::format("{}:s={}", theory::LawKindName(noise.kind), noise.s);
}

}  // namespace valleys::io
