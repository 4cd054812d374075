#include "valleys/sim/prediction.hpp"

#include <cmath>
#include <stdexcept>

#include "valleys/theory/risk.hpp"

namespace valleys::sim {

bool IsPredictable(const SimOptions& o, std::string* why) {
  auto no = [why](const char* reason) {
    if (why != nullptr) *why = reason;
    return false;
  };
  if (!o.profile || o.valley) return no("the valley is not one-dimensional");
  if (o.minibatch.data_size != 0) return no("the minibatch noise model is used");
  if (o.lr.kind != LrKind::kConstant) return no("the learning rate is not constant");
  if (o.momentum != 0.0 && o.noise == theory::LawKind::kRademacher)
    return no("momentum is used with two-point noise");
  if (!(o.noise_std > 0)) return no("the noise scale is 0");
  if (o.start.kind == StartKind::kDrawn) return no("the start is drawn per chain");
  return true;
}

theory::ExactChain& ChainCache::Get(const theory::ProfilePtr& profile,
                                    const theory::ChainOptions& chain) {
  const Key key{
      profile->Spec(),   chain.eta,      chain.weight_decay, static_cast<int>(chain.noise),
      chain.noise_std,   chain.momentum, chain.nesterov,     chain.noise_growth,
      chain.decay_offset};
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= capacity_) {
      auto oldest = entries_.begin();
      for (auto e = entries_.begin(); e != entries_.end(); ++e)
        if (e->second.used < oldest->second.used) oldest = e;
      entries_.erase(oldest);
    }
    Entry e{profile, std::make_unique<theory::ExactChain>(*profile, chain), 0};
    it = entries_.emplace(key, std::move(e)).first;
  }
  it->second.used = ++clock_;
  return *it->second.chain;
}

Prediction Predict(const SimOptions& o, ChainCache* cache) {
  std::string why;
  if (!IsPredictable(o, &why))
    throw std::invalid_argument("prediction: no exact prediction, " + why);
  theory::ChainOptions chain;
  chain.eta = o.lr.eta;
  chain.weight_decay = o.weight_decay;
  chain.noise = o.noise;
  chain.noise_std = o.noise_std;
  chain.momentum = o.momentum;
  chain.nesterov = o.nesterov;
  chain.noise_growth = o.noise_growth;
  chain.decay_offset = o.decay_offset;
  ChainCache local(1);
  theory::ExactChain& exact = (cache != nullptr ? *cache : local).Get(o.profile, chain);

  theory::WindowSpec w;
  w.x0 = o.start.kind == StartKind::kValue ? o.start.value : 0.0;
  w.avg_first = o.burnin + o.avg_start;
  w.avg_every = o.avg_every;
  w.avg_last = w.avg_first + o.avg_every * ((o.steps - o.avg_start) / o.avg_every);
  w.rec_first = o.burnin + 1;
  w.rec_last = o.burnin + o.steps;
  const theory::StationaryStats st = exact.Stationary();
  Prediction p;
  p.window = exact.Window(w);
  p.stationary_mean = st.mean;
  p.method = st.method;
  if (o.eval_shift) {
    p.risk_min = theory::Risk(*o.profile, *o.eval_shift, 0.0).value;
    p.risk_at_mean_avg = theory::Risk(*o.profile, *o.eval_shift, p.window.mean_avg).value;
  }
  return p;
}

PredictionZ Compare(const Prediction& prediction, const SimSummary& s) {
  const theory::WindowStats& p = prediction.window;
  PredictionZ z;
  auto mean_z = [](const Stat& sim, double predicted) -> std::optional<double> {
    if (!(sim.se > 0) || !std::isfinite(predicted) || !std::isfinite(sim.value)) return {};
    return (sim.value - predicted) / sim.se;
  };
  z.mean_avg = mean_z(s.mean_avg, p.mean_avg);
  z.mean_last = mean_z(s.mean_last, p.mean_last);
  z.p_flat = mean_z(s.p_flat, p.p_flat);
  z.mean_pos = mean_z(s.mean_pos, p.mean_pos);
  z.mean_neg = mean_z(s.mean_neg, p.mean_neg);
  const long long n = s.chains - s.diverged;
  auto se_z = [n](const Stat& sim, double sd) -> std::optional<double> {
    const double predicted = sd / std::sqrt(static_cast<double>(n));
    if (n < 2 || !(predicted > 0) || !std::isfinite(sim.se) || !(sim.se > 0)) return {};
    return (sim.se / predicted - 1) * std::sqrt(2.0 * static_cast<double>(n - 1));
  };
  z.mean_avg_se = se_z(s.mean_avg, p.mean_avg_sd);
  z.p_flat_se = se_z(s.p_flat, p.p_flat_sd);
  return z;
}

std::optional<Prediction> PredictIfPossible(const SimOptions& options, ChainCache* cache) {
  if (!IsPredictable(options)) return std::nullopt;
  return Predict(options, cache);
}

}  // namespace valleys::sim
