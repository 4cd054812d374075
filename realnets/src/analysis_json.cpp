#include "valleys/realnets/analysis_json.hpp"

#include <cmath>

#include <fmt/format.h>

#include "valleys/io/metadata.hpp"

namespace valleys::realnets {

using Json = nlohmann::ordered_json;

Json Logistic2dMeta(const Logistic2dOptions& o) {
  return io::Metadata(
      "realnets logistic2d",
      {{"points_per_class", o.points_per_class},
       {"steps", o.steps},
       {"lr", o.lr},
       {"init_std", o.init_std},
       {"range", o.range},
       {"grid_points", o.grid_points},
       {"first_seed", o.first_seed},
       {"seeds", o.seeds},
       {"kappa", o.kappa},
       {"direction_law", "uniform01 (U(0,1)^2, unit norm)"},
       {"centres",
        "the average of iterates 1..steps (the authors'), and the minimizer (Newton with "
        "backtracking from that average, gradient norm < 1e-10; none when the classes are "
        "separable), each profiled along the same direction"},
       {"criterion",
        "detrended rise ratio at the largest common distance (kappa above, min rise 0.01)"}});
}

std::string Logistic2dCsv(const Logistic2dSummary& s) {
  std::string csv = "seed,t,loss,loss_through_minimizer\n";
  for (const auto& r : s.runs)
    for (std::size_t i = 0; i < r.t.size(); ++i)
      csv += fmt::format("{},{},{},{}\n", r.seed, r.t[i], r.loss[i],
                         r.minimum.converged ? fmt::format("{}", r.loss_at_minimum[i]) : "");
  return csv;
}

Json Logistic2dResultJson(const Logistic2dSummary& s, const Logistic2dOptions& o) {
  Json runs = Json::array();
  for (const auto& r : s.runs) {
    const bool found = r.minimum.converged;
    runs.push_back(
        {{"seed", r.seed},
         {"centre_w", r.centre_w},
         {"centre_b", r.centre_b},
         {"dir_w", r.dir_w},
         {"dir_b", r.dir_b},
         {"flat_side", theory::SideName(r.asymmetry.flat_side)},
         {"detrended_ratio", std::isfinite(r.asymmetry.detrended_ratio)
                                 ? Json(r.asymmetry.detrended_ratio)
                                 : Json("inf")},
         {"asymmetric", r.asymmetry.asymmetric},
         {"minimizer_found", found},
         {"minimizer_w", found ? Json(r.minimum.w) : Json()},
         {"minimizer_b", found ? Json(r.minimum.b) : Json()},
         {"flat_side_at_minimizer",
          found ? Json(theory::SideName(r.asymmetry_at_minimum.flat_side)) : Json()},
         {"asymmetric_at_minimizer", found ? Json(r.asymmetry_at_minimum.asymmetric) : Json()}});
  }
  return {{"seeds", o.seeds},
          {"asymmetric", s.asymmetric},
          {"flat_positive", s.flat_pos},
          {"flat_negative", s.flat_neg},
          {"minimizers", s.minimizers},
          {"asymmetric_at_minimizer", s.asymmetric_at_minimum},
          {"flat_positive_at_minimizer", s.flat_pos_at_minimum},
          {"flat_negative_at_minimizer", s.flat_neg_at_minimum},
          {"runs", runs}};
}

Json ShiftFitJson(const ShiftFit& fit) {
  return {{"delta", fit.delta},       {"offset", fit.offset}, {"mismatch0", fit.mismatch0},
          {"mismatch", fit.mismatch}, {"ratio", fit.ratio},   {"overlap_points", fit.overlap}};
}

}  // namespace valleys::realnets
