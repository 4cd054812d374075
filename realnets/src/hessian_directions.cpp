#include "hessian_directions.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "valleys/io/atomic_file.hpp"
#include "valleys/realnets/cifar.hpp"
#include "valleys/realnets/hessian_spectrum.hpp"
#include "valleys/realnets/outputs.hpp"

namespace valleys::realnets::detail {

namespace {

namespace fs = std::filesystem;

Json Settings(const HessianSpectrumOptions& o) {
  return {{"sample_size", o.hessian.sample_size},
          {"top_k", o.top_k},
          {"bottom_k", o.bottom_k},
          {"lanczos_steps", o.lanczos_steps},
          {"tolerance", o.hessian.tolerance},
          {"seed", o.hessian.base.seed}};
}

}  // namespace

double HessianDirectionRange(const Preset& preset, const HessianDirectionRow& row) {
  if (row.end != "top" || !(row.value > 0)) return preset.range;
  return std::min(preset.range, 2 / std::sqrt(row.value));
}

HessianDirections HessianDirectionsOrResume(const TrainOptions& run, const Preset& preset) {
  HessianSpectrumOptions o;
  o.hessian.base = run;
  o.hessian.checkpoint = "swa";
  o.hessian.sample_size = preset.hessian_sample;
  o.top_k = preset.hessian_directions;
  o.bottom_k = preset.hessian_directions;
  o.lanczos_steps = preset.hessian_lanczos_steps;
  const fs::path json_path = fs::path(run.out_dir) / "hessian_directions.json";
  HessianDirections out;
  out.vectors_file = (fs::path(run.out_dir) / "hessian_directions.pt").string();
  o.save_eigenvectors = out.vectors_file;
  const std::string checkpoint_sha = Sha256File((fs::path(run.out_dir) / "swa.pt").string());
  if (fs::exists(json_path) && fs::exists(out.vectors_file)) {
    const Json j = Json::parse(io::ReadFile(json_path.string()), nullptr, false);
    if (j.is_object() && j.value("checkpoint_sha256", "") == checkpoint_sha &&
        j.value("vectors_sha256", "") == Sha256File(out.vectors_file) && j.contains("settings") &&
        j["settings"] == Settings(o) && j.contains("rows")) {
      for (const auto& r : j["rows"])
        out.rows.push_back({r.at("end").get<std::string>(), r.at("rank").get<int>(),
                            r.at("value").get<double>(), r.at("residual").get<double>(),
                            r.at("converged").get<bool>(), r.at("range").get<double>()});
      return out;
    }
  }
  const HessianSpectrumResult r = HessianSpectrum(o);
  Json rows = Json::array();
  const auto add = [&](const std::vector<Eigenpair>& pairs, const char* end) {
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      HessianDirectionRow row{
          end, static_cast<int>(i + 1), pairs[i].value, pairs[i].residual, pairs[i].converged, 0.0};
      row.range = HessianDirectionRange(preset, row);
      out.rows.push_back(row);
      rows.push_back({{"end", row.end},
                      {"rank", row.rank},
                      {"value", row.value},
                      {"residual", row.residual},
                      {"converged", row.converged},
                      {"range", row.range}});
    }
  };
  add(r.top, "top");
  add(r.bottom, "bottom");
  Json j = HessianSpectrumJson(o, r, "");
  j["checkpoint_sha256"] = r.checkpoint_sha256;
  j["vectors_sha256"] = Sha256File(out.vectors_file);
  j["settings"] = Settings(o);
  j["rows"] = rows;
  j["range_rule"] =
      "top: min(preset range, 2 / sqrt(eigenvalue)), where the quadratic model reaches 2 nats; "
      "bottom: the preset range";
  io::WriteFileAtomically(json_path, j.dump(2) + "\n");
  return out;
}

}  // namespace valleys::realnets::detail
