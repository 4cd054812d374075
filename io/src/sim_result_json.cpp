#include "valleys/io/sim_result_json.hpp"

#include <algorithm>
#include <cmath>

namespace valleys::io {

using Json = nlohmann::ordered_json;

namespace {
void Put(Json& j, const char* key, const sim::Stat& s) {
  j[key] = s.value;
  j[std::string(key) + "_se"] = s.se;
}
}  // namespace

Json SimResultJson(const sim::SimSummary& s, const std::optional<sim::Prediction>& prediction) {
  Json out;
  Put(out, "mean_avg", s.mean_avg);
  Put(out, "mean_last", s.mean_last);
  Put(out, "p_flat", s.p_flat);
  Put(out, "mean_pos", s.mean_pos);
  Put(out, "mean_neg", s.mean_neg);
  Put(out, "risk_avg", s.risk_avg);
  Put(out, "risk_last", s.risk_last);
  out["risk_min"] = s.risk_min.value;
  Put(out, "beats_min_frac", s.beats_min_frac);
  out["diverged"] = s.diverged;
  out["chains"] = s.chains;
  out["w_hat"] = s.w_hat;
  out["chain_steps_per_s"] = s.chain_steps_per_s;
  out["seconds"] = s.seconds;
  out["backend"] = s.backend;
  out["threads"] = s.threads;
  if (s.mean_avg_per_direction.size() > 1) {
    Json dirs = Json::array();
    for (std::size_t i = 0; i < s.mean_avg_per_direction.size(); ++i)
      dirs.push_back({{"direction", i},
                      {"mean_avg", s.mean_avg_per_direction[i].value},
                      {"mean_avg_se", s.mean_avg_per_direction[i].se},
                      {"p_flat", s.p_flat_per_direction[i].value},
                      {"p_flat_se", s.p_flat_per_direction[i].se}});
    out["per_direction"] = dirs;
  }
  Json theory = Json::object(), z = Json::object();
  if (prediction) {
    const theory::WindowStats& p = prediction->window;
    const double root =
        std::sqrt(static_cast<double>(std::max<long long>(1, s.chains - s.diverged)));
    theory["mean_avg"] = p.mean_avg;
    theory["mean_last"] = p.mean_last;
    theory["p_flat"] = p.p_flat;
    theory["mean_pos"] = p.mean_pos;
    theory["mean_neg"] = p.mean_neg;
    if (std::isfinite(p.mean_avg_sd)) theory["mean_avg_se"] = p.mean_avg_sd / root;
    if (std::isfinite(p.p_flat_sd)) theory["p_flat_se"] = p.p_flat_sd / root;
    theory["stationary_mean"] = prediction->stationary_mean;
    theory["method"] = prediction->method;
    theory["tail"] = p.tail;
    theory["propagated_steps"] = p.propagated_steps;
    if (prediction->risk_min) theory["risk_min"] = *prediction->risk_min;
    if (prediction->risk_at_mean_avg) theory["risk_at_mean_avg"] = *prediction->risk_at_mean_avg;
    const sim::PredictionZ zs = sim::Compare(*prediction, s);
    auto put = [&z](const char* key, const std::optional<double>& v) {
      if (v) z[key] = *v;
    };
    put("mean_avg", zs.mean_avg);
    put("mean_last", zs.mean_last);
    put("p_flat", zs.p_flat);
    put("mean_pos", zs.mean_pos);
    put("mean_neg", zs.mean_neg);
    put("mean_avg_se", zs.mean_avg_se);
    put("p_flat_se", zs.p_flat_se);
  }
  out["theory"] = theory;
  out["z"] = z;
  return out;
}

}  // namespace valleys::io
