#include "valleys/realnets/asymmetry_json.hpp"

#include <cmath>

namespace valleys::realnets {

namespace {
using Json = nlohmann::ordered_json;
Json Number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return v;
}
}  // namespace

Json AsymmetryReportJson(const AsymmetryReport& r, const AsymmetryCriterion& c) {
  Json j;
  j["flat_side"] = theory::SideName(r.flat_side);
  j["asymmetric"] = r.asymmetric;
  j["criterion"] = {{"name", "detrended rise ratio at the largest common distance"},
                    {"kappa", c.kappa},
                    {"min_rise", c.min_rise}};
  j["centre_loss"] = Number(r.centre_loss);
  j["min_offset"] = Number(r.min_offset);
  j["min_loss"] = Number(r.min_loss);
  j["tilt"] = Number(r.tilt);
  j["common_distance"] = Number(r.common_distance);
  j["detrended_rise_plus"] = Number(r.detrended_rise_plus);
  j["detrended_rise_minus"] = Number(r.detrended_rise_minus);
  j["detrended_ratio"] = Number(r.detrended_ratio);
  Json rises = Json::array();
  for (const auto& a : r.rise_ratio_at)
    rises.push_back({{"distance", Number(a.distance)},
                     {"rise_plus", Number(a.rise_plus)},
                     {"rise_minus", Number(a.rise_minus)},
                     {"ratio", Number(a.ratio)}});
  j["rise_ratio_at"] = rises;
  const auto widths = [](const std::vector<WidthAt>& list) {
    Json out = Json::array();
    for (const auto& w : list)
      out.push_back({{"height", Number(w.height)},
                     {"width_plus", Number(w.width_plus)},
                     {"width_minus", Number(w.width_minus)},
                     {"ratio", Number(w.ratio)},
                     {"censored", w.censored}});
    return out;
  };
  j["width_ratio_at"] = widths(r.width_ratio_at);
  j["width_from_minimum_at"] = widths(r.width_from_minimum_at);
  j["slope_ratio"] = Number(r.slope_ratio);
  j["end_rise_ratio"] = Number(r.end_rise_ratio);
  return j;
}

}  // namespace valleys::realnets

namespace valleys::realnets {

Json ValleyMeasureJson(const ValleyMeasure& m, const ValleyCriterion& c) {
  Json j;
  j["bracketed"] = m.bracketed;
  j["asymmetric"] = m.asymmetric;
  j["flat_side"] = theory::SideName(m.flat_side);
  j["criterion"] = {{"name", c.Describe()}, {"kappa", c.kappa}};
  j["reference_height"] = Number(m.reference_height);
  j["width_ratio"] = Number(m.width_ratio);
  j["log10_width_ratio"] = Number(m.log10_ratio);
  j["comparison_height"] = Number(m.comparison_height);
  j["width_plus"] = Number(m.width_plus);
  j["width_minus"] = Number(m.width_minus);
  j["min_offset"] = Number(m.min_offset);
  j["min_loss"] = Number(m.min_loss);
  j["reference"] = Number(m.reference);
  j["distance_unit"] = Number(m.distance_unit);
  Json widths = Json::array();
  for (const auto& w : m.widths)
    widths.push_back({{"height", Number(w.height)},
                      {"width_plus", Number(w.width_plus)},
                      {"width_minus", Number(w.width_minus)},
                      {"width_plus_relative", Number(w.width_plus / m.distance_unit)},
                      {"width_minus_relative", Number(w.width_minus / m.distance_unit)},
                      {"ratio", Number(w.ratio)},
                      {"censored", w.censored}});
  j["widths"] = widths;
  Json rises = Json::array();
  for (const auto& r : m.rises)
    rises.push_back({{"distance", Number(r.distance)},
                     {"distance_relative", Number(r.distance / m.distance_unit)},
                     {"rise_plus", Number(r.rise_plus)},
                     {"rise_minus", Number(r.rise_minus)},
                     {"ratio", Number(r.ratio)}});
  j["rises"] = rises;
  return j;
}

}  // namespace valleys::realnets
