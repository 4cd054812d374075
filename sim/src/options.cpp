#include "valleys/sim/options.hpp"

#include <cmath>

#include <fmt/format.h>

namespace valleys::sim {

double LrSchedule::At(long long t) const {
  return ScheduledRate(kind, eta, eta_end, period, t);
}

std::string LrSchedule::Spec() const {
  switch (kind) {
    case LrKind::kConstant:
      return fmt::format("constant:eta={}", eta);
    case LrKind::kCyclic:
      return fmt::format("cyclic:max={},min={},period={}", eta, eta_end, period);
    case LrKind::kLinear:
      return fmt::format("linear:start={},end={},steps={}", eta, eta_end, period);
    case LrKind::kCosine:
      return fmt::format("cosine:start={},end={},steps={}", eta, eta_end, period);
  }
  return "?";
}

int SimOptions::Dim() const {
  return valley ? static_cast<int>(valley->profiles.size()) : 1;
}

namespace {
bool Fail(std::string* why, const std::string& message) {
  if (why) *why = message;
  return false;
}
}  // namespace

bool SimOptions::IsValid(std::string* why) const {
  if (!profile && !valley)
    return Fail(why,
                "SimOptions::profile and SimOptions::valley are both empty (allowed: one of them)");
  if (valley && !valley->IsValid(why)) return false;
  auto bad = [&](const char* key, double v, const char* allowed) {
    return Fail(why,
                fmt::format("SimOptions::{} = {} is out of range (allowed: {})", key, v, allowed));
  };
  if (!(lr.eta > 0) || !std::isfinite(lr.eta)) return bad("lr.eta", lr.eta, "eta > 0");
  if (lr.kind != LrKind::kConstant && !(lr.eta_end >= 0 && std::isfinite(lr.eta_end)))
    return bad("lr.eta_end", lr.eta_end, ">= 0");
  if (lr.kind == LrKind::kCyclic && !(lr.eta_end <= lr.eta))
    return bad("lr.eta_end", lr.eta_end, "min <= eta");
  if (lr.kind != LrKind::kConstant && lr.period < 1) return bad("lr.period", lr.period, ">= 1");
  if (!(momentum >= 0 && momentum < 1)) return bad("momentum", momentum, "0 <= momentum < 1");
  if (!(weight_decay >= 0 && std::isfinite(weight_decay)))
    return bad("weight_decay", weight_decay, "wd >= 0");
  if (!(noise_std >= 0 && std::isfinite(noise_std))) return bad("noise_std", noise_std, "s >= 0");
  if (!(noise_growth >= 0 && std::isfinite(noise_growth)))
    return bad("noise_growth", noise_growth, "c >= 0");
  if (!std::isfinite(decay_offset)) return bad("decay_offset", decay_offset, "finite");
  if (nesterov && !(momentum > 0))
    return Fail(why, "SimOptions::nesterov needs momentum > 0 (allowed: 0 < momentum < 1)");
  if ((nesterov || noise_growth != 0 || decay_offset != 0) && (valley || minibatch.data_size != 0))
    return Fail(why,
                "SimOptions::nesterov, noise_growth and decay_offset need a 1-D profile with "
                "additive noise (allowed: no valley, minibatch.data_size = 0)");
  if (!noise_std_per_direction.empty()) {
    if (static_cast<int>(noise_std_per_direction.size()) != Dim())
      return Fail(
          why, fmt::format("SimOptions::noise_std_per_direction holds {} levels for {} directions",
                           noise_std_per_direction.size(), Dim()));
    for (double s : noise_std_per_direction)
      if (!(s >= 0 && std::isfinite(s))) return bad("noise_std_per_direction", s, ">= 0");
  }
  if (chains < 1 || chains > (1LL << 32))
    return bad("chains", static_cast<double>(chains), "1 <= chains <= 2^32");
  if (steps < 1 || steps > (1LL << 50))
    return bad("steps", static_cast<double>(steps), "1 <= steps <= 2^50");
  if (burnin < 0 || burnin > (1LL << 50))
    return bad("burnin", static_cast<double>(burnin), "0 <= burnin <= 2^50");
  if (avg_start < 1 || avg_start > steps)
    return bad("avg_start", static_cast<double>(avg_start), "1 <= avg-start <= steps");
  if (avg_every < 1) return bad("avg_every", static_cast<double>(avg_every), ">= 1");
  if (start.kind == StartKind::kDrawn && !(start.value > 0))
    return bad("start.value", start.value, "draw sigma > 0");
  if (!std::isfinite(start.value)) return bad("start.value", start.value, "finite");
  if (!(divergence_bound > 0)) return bad("divergence_bound", divergence_bound, "> 0");
  if (minibatch.data_size < 0)
    return bad("minibatch.data_size", minibatch.data_size,
               "0 (additive noise) or 2 <= data-size <= 1e7");
  if (minibatch.batch < 1)
    return bad("minibatch.batch", minibatch.batch, "1 <= batch <= data-size");
  if (minibatch.data_size != 0) {
    if (Dim() != 1)
      return Fail(why,
                  "SimOptions::minibatch.data_size > 0: the minibatch model is one-dimensional "
                  "(allowed: dimension 1)");
    if (minibatch.data_size < 2 || minibatch.data_size > 10000000)
      return bad("minibatch.data_size", minibatch.data_size, "2 <= data-size <= 1e7");
    if (minibatch.batch < 1 || minibatch.batch > minibatch.data_size)
      return bad("minibatch.batch", minibatch.batch, "1 <= batch <= data-size");
    if (!eval_shift)
      return Fail(why, "SimOptions::eval_shift is empty: the minibatch model needs the data law");
    // The minibatch draws count in 64-bit Philox counters: with replacement (burnin + steps) *
    // ceil(batch / 4) draws, without it one shuffle per epoch numbered in 32 bits.
    const double total = static_cast<double>(burnin) + static_cast<double>(steps);
    const double per_epoch = static_cast<double>(minibatch.data_size / minibatch.batch);
    if (minibatch.replacement && total * std::ceil(minibatch.batch / 4.0) >= 0x1p63)
      return Fail(why,
                  fmt::format("SimOptions::steps + burnin = {:.0f} with batch {} overflows the "
                              "minibatch draw counter (allowed: (steps + burnin) * "
                              "ceil(batch / 4) < 2^63)",
                              total, minibatch.batch));
    if (!minibatch.replacement && total / per_epoch >= 0x1p32)
      return Fail(why, fmt::format("SimOptions::steps + burnin = {:.0f} is {:.0f} epochs of {:.0f} "
                                   "batches, more than the shuffle counter holds (allowed: fewer "
                                   "than 2^32 epochs)",
                                   total, total / per_epoch, per_epoch));
  }
  // Stability of the constant-rate chain (where the curvature is bounded).
  if (!valley && profile && std::isfinite(profile->MaxCurvature())) {
    const double k = profile->MaxCurvature() + weight_decay;
    double eta_max = lr.eta;
    if (lr.kind != LrKind::kConstant) eta_max = std::max(lr.eta, lr.eta_end);
    const double factor = nesterov ? 2 * (1 + momentum) / (1 + 2 * momentum) : 2 * (1 + momentum);
    const double limit = factor / k;
    if (k > 0 && !(eta_max < limit))
      return Fail(
          why, fmt::format("SimOptions::lr.eta = {} is beyond the stability limit of {} (allowed: "
                           "eta < {} / (max curvature + wd) = {})",
                           eta_max, profile->Spec(),
                           nesterov ? "2 (1 + momentum) / (1 + 2 momentum)" : "2 (1 + momentum)",
                           limit));
  }
  return true;
}

std::string SimOptions::Describe() const {
  std::string extra;
  if (nesterov) extra += " nesterov";
  if (decay_offset != 0) extra += fmt::format(" wd_offset={}", decay_offset);
  if (noise_growth != 0) extra += fmt::format(" noise_c={}", noise_growth);
  return fmt::format(
      "dim={} lr={} momentum={} wd={} noise={}:s={} chains={} steps={} burnin={} avg_start={} "
      "avg_every={} seed={}{}",
      Dim(), lr.Spec(), momentum, weight_decay, theory::LawKindName(noise), noise_std, chains,
      steps, burnin, avg_start, avg_every, seed, extra);
}

}  // namespace valleys::sim
