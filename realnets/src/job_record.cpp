#include "job_record.hpp"

#include <cmath>
#include <stdexcept>
#include <type_traits>

#include <fmt/format.h>

namespace valleys::realnets::detail {

namespace {

using Json = nlohmann::ordered_json;

// The field lists. `io(name, member)` for every member that the record keeps.
template <typename Io, typename R>
void Fields(Io& io, R& r, EpochRow*) {
  io("epoch", r.epoch), io("lr", r.lr), io("train_loss", r.train_loss);
  io("train_acc", r.train_acc), io("test_loss", r.test_loss), io("test_acc", r.test_acc);
  io("seconds", r.seconds), io("swa_averaged", r.swa_averaged);
}
template <typename Io, typename R>
void Fields(Io& io, R& s, TrainSummary*) {
  io("epochs", s.epochs), io("sgd_test_loss", s.sgd_test_loss), io("sgd_test_acc", s.sgd_test_acc);
  io("swa_test_loss", s.swa_test_loss), io("swa_test_acc", s.swa_test_acc);
  io("swa_train_loss", s.swa_train_loss), io("sgd_train_loss", s.sgd_train_loss);
  io("swa_train_acc", s.swa_train_acc), io("sgd_train_acc", s.sgd_train_acc);
  io("sgd_test_acc_tta", s.sgd_test_acc_tta), io("swa_test_acc_tta", s.swa_test_acc_tta);
  io("has_swa", s.has_swa), io("parameters", s.parameters);
  io("train_images_per_s", s.train_images_per_s), io("train_seconds", s.train_seconds);
  io("run_seconds", s.run_seconds);
}
template <typename Io, typename R>
void Fields(Io& io, R& d, DirectionRecord*) {
  io("seed", d.seed), io("variant", d.variant), io("checkpoint", d.checkpoint), io("law", d.law);
  io("asymmetric", d.asymmetric), io("flat_side", d.flat_side), io("log_ratio", d.log_ratio);
  io("sign_agreement", d.sign_agreement), io("shift_ratio", d.shift_ratio);
  io("log_width_ratio", d.log_width_ratio), io("direction", d.direction);
  io("valley_log10_ratio", d.valley_log10_ratio), io("valley_height", d.valley_height);
  io("direction_weight_cosine", d.direction_weight_cosine);
}
template <typename Io, typename R>
void Fields(Io& io, R& g, DirectionGroup*) {
  io("variant", g.variant), io("checkpoint", g.checkpoint), io("law", g.law), io("n_eff", g.n_eff);
  io("mean_cosine", g.mean_cosine), io("seed", g.seed);
}
template <typename Io, typename R>
void Fields(Io& io, R& n, LineNumbers*) {
  io("train_at_swa", n.train_at_swa), io("train_at_sgd", n.train_at_sgd);
  io("test_at_swa", n.test_at_swa), io("test_at_sgd", n.test_at_sgd);
  io("test_past_swa", n.test_past_swa), io("slope_beyond_sgd", n.slope_beyond_sgd);
  io("slope_beyond_swa", n.slope_beyond_swa), io("accepted_epoch", n.accepted_epoch);
  io("distance", n.distance), io("valley_log10_ratio", n.valley_log10_ratio);
  io("flat_width", n.flat_width), io("test_past_swa_by_width", n.test_past_swa_by_width);
}
template <typename Io, typename R>
void Fields(Io& io, R& a, AfterSummary*) {
  io("accepted_epoch", a.accepted_epoch), io("epochs_run", a.epochs_run);
}
template <typename Io, typename R>
void Fields(Io& io, R& w, SwaBiasRow*) {
  io("direction", w.direction), io("snapshots", w.snapshots), io("mean", w.mean), io("sd", w.sd);
  io("skewness", w.skewness), io("range", w.range), io("minimum", w.minimum);
  io("h_plus", w.h_plus), io("h_minus", w.h_minus), io("fit_r2", w.fit_r2), io("ratio", w.ratio);
  io("flat_side", w.flat_side), io("measured_bias", w.measured_bias);
  io("measured_p_flat", w.measured_p_flat), io("eta_eff", w.eta_eff);
  io("noise_std", w.noise_std), io("predicted", w.predicted), io("why_not", w.why_not);
  io("predicted_bias", w.predicted_bias), io("predicted_p_flat", w.predicted_p_flat);
  io("predicted_sd", w.predicted_sd), io("folded", w.folded), io("folded_bias", w.folded_bias);
  io("folded_p_flat", w.folded_p_flat), io("folded_sd", w.folded_sd);
  io("window_half_width", w.window_half_width), io("window_below", w.window_below);
  io("window_above", w.window_above), io("halves_shift", w.halves_shift);
  io("sd_ratio", w.sd_ratio), io("admitted", w.admitted), io("not_admitted", w.not_admitted);
}
template <typename Io, typename R>
void Fields(Io& io, R& r, SwaBiasResult*) {
  io("rows", r.rows), io("snapshots", r.snapshots), io("epochs", r.epochs), io("lr", r.lr);
  io("momentum", r.momentum), io("weight_decay", r.weight_decay), io("range_sd", r.range_sd);
  io("noise_batches", r.noise_batches), io("batch", r.batch);
  io("model_description", r.model_description), io("checkpoint_sha256", r.checkpoint_sha256);
  io("pc_variance_fraction", r.pc_variance_fraction);
}
template <typename Io, typename R>
void Fields(Io& io, R& r, SwaBiasRecord*) {
  io("seed", r.seed), io("direction", r.direction), io("predicted", r.predicted);
  io("measured_bias", r.measured_bias), io("predicted_bias", r.predicted_bias);
  io("flat_side", r.flat_side), io("measured_p_flat", r.measured_p_flat);
  io("predicted_p_flat", r.predicted_p_flat), io("admitted", r.admitted);
}
template <typename Io, typename R>
void Fields(Io& io, R& p, SwaBiasPart*) {
  io("result", p.result), io("records", p.records), io("n_eff", p.n_eff), io("csv", p.csv);
  io("figure_csv", p.figure_csv);
}
template <typename Io, typename R>
void Fields(Io& io, R& h, HessianDirectionRow*) {
  io("end", h.end), io("rank", h.rank), io("value", h.value), io("residual", h.residual);
  io("converged", h.converged), io("range", h.range);
}
template <typename Io, typename R>
void Fields(Io& io, R& j, JobRecord*) {
  io("seed", j.seed), io("variant", j.variant), io("trained", j.trained);
  io("directions", j.directions), io("groups", j.groups), io("summary_rows", j.summary_rows);
  io("curve_rows", j.curve_rows), io("groups_rows", j.groups_rows);
  io("mismatched", j.mismatched), io("has_line", j.has_line), io("after", j.after);
  io("line", j.line), io("line_csv", j.line_csv), io("line_meta", j.line_meta);
  io("has_swa_bias", j.has_swa_bias), io("swa_bias", j.swa_bias), io("hessian", j.hessian);
  io("hessian_directions", j.hessian_directions);
  io("wall_seconds", j.wall_seconds), io("stage_seconds", j.stage_seconds);
}

template <typename T, typename = void>
struct HasFields : std::false_type {};
struct Probe {
  template <typename V>
  void operator()(const char*, V&) {}
};
template <typename T>
struct HasFields<T, std::void_t<decltype(Fields(std::declval<Probe&>(), std::declval<T&>(),
                                                static_cast<T*>(nullptr)))>> : std::true_type {};

struct Writer;
template <typename T>
Json Write(const T& v);

struct Writer {
  Json json = Json::object();
  template <typename V>
  void operator()(const char* name, const V& v) {
    json[name] = Write(v);
  }
};

template <typename T>
Json Write(const T& v) {
  if constexpr (std::is_same_v<T, double>) {
    return std::isnan(v) ? Json(nullptr) : Json(v);
  } else if constexpr (std::is_same_v<T, theory::Side>) {
    return Json(theory::SideName(v));
  } else if constexpr (HasFields<T>::value) {
    Writer w;
    Fields(w, v, static_cast<T*>(nullptr));
    return w.json;
  } else if constexpr (std::is_same_v<T, Json>) {
    return v;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_arithmetic_v<T>) {
    return Json(v);
  } else {  // vectors and pairs
    Json a = Json::array();
    if constexpr (std::is_same_v<T, std::pair<std::string, double>>) {
      a.push_back(v.first);
      a.push_back(Write(v.second));
    } else {
      for (const auto& x : v) a.push_back(Write(x));
    }
    return a;
  }
}

struct Reader {
  const Json& json;
  const std::string& where;
  template <typename V>
  void operator()(const char* name, V& v);
};

template <typename T>
void Read(const Json& j, T& v, const std::string& where) {
  if constexpr (std::is_same_v<T, double>) {
    v = j.is_null() ? std::nan("") : j.get<double>();
  } else if constexpr (std::is_same_v<T, theory::Side>) {
    const std::string s = j.get<std::string>();
    v = s == "positive"   ? theory::Side::kPositive
        : s == "negative" ? theory::Side::kNegative
                          : theory::Side::kNone;
  } else if constexpr (HasFields<T>::value) {
    if (!j.is_object()) throw std::runtime_error(where + ": an object was expected");
    Reader r{j, where};
    Fields(r, v, static_cast<T*>(nullptr));
  } else if constexpr (std::is_same_v<T, Json>) {
    v = j;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_arithmetic_v<T>) {
    v = j.get<T>();
  } else if constexpr (std::is_same_v<T, std::pair<std::string, double>>) {
    v.first = j.at(0).get<std::string>();
    Read(j.at(1), v.second, where);
  } else {
    v.clear();
    for (const auto& x : j) {
      typename T::value_type item{};
      Read(x, item, where);
      v.push_back(std::move(item));
    }
  }
}

// Fields that records of an earlier version lack: such a record reads them as their defaults.
bool AddedLater(const std::string& name) {
  return name == "hessian_directions";
}

template <typename V>
void Reader::operator()(const char* name, V& v) {
  if (!json.contains(name) && AddedLater(name)) return;
  if (!json.contains(name))
    throw std::runtime_error(fmt::format("{}: the field '{}' is missing", where, name));
  Read(json.at(name), v, where + "." + name);
}

}  // namespace

Json JobRecordToJson(const JobRecord& record) {
  return Write(record);
}

JobRecord JobRecordFromJson(const Json& json, const std::string& source) {
  JobRecord r;
  try {
    Read(json, r, source);
  } catch (const Json::exception& e) {
    throw std::runtime_error(fmt::format("{}: {}", source, e.what()));
  }
  return r;
}

}  // namespace valleys::realnets::detail
