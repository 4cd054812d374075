#include "valleys/realnets/train_state.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace valleys::realnets {

using Json = nlohmann::json;

std::string SerializeTrainState(const TrainStateRecord& s, const std::string& metadata) {
  Json rows = Json::array();
  for (const auto& r : s.rows)
    rows.push_back({r.epoch, r.lr, r.train_loss, r.train_acc, r.test_loss, r.test_acc, r.seconds,
                    r.swa_averaged});
  Json j = {{"fingerprint", s.fingerprint}, {"epoch", s.epoch}, {"swa_n", s.swa_n}, {"rows", rows}};
  if (!metadata.empty()) j["meta"] = Json::parse(metadata);
  return j.dump(1) + "\n";
}

namespace {

[[noreturn]] void Bad(const std::string& source, const std::string& what) {
  throw std::runtime_error(fmt::format("'{}' is not a valid training state: {}", source, what));
}

int IntField(const Json& j, const char* key, int lo, int hi, const std::string& source) {
  if (!j.contains(key) || !j[key].is_number_integer())
    Bad(source, fmt::format("field '{}' is missing or not an integer", key));
  const auto v = j[key].get<long long>();
  if (v < lo || v > hi)
    Bad(source, fmt::format("field '{}' = {} is out of range ({}..{})", key, v, lo, hi));
  return static_cast<int>(v);
}

double Number(const Json& row, std::size_t k, const std::string& source) {
  if (!row[k].is_number()) Bad(source, fmt::format("row entry {} is not a number", k));
  const double v = row[k].get<double>();
  if (!std::isfinite(v)) Bad(source, fmt::format("row entry {} is not finite", k));
  return v;
}

// A test loss or accuracy: a number, or null for an epoch without a test evaluation (NaN).
double NumberOrNone(const Json& row, std::size_t k, const std::string& source) {
  return row[k].is_null() ? std::nan("") : Number(row, k, source);
}

}  // namespace

TrainStateRecord ParseTrainState(const std::string& text, const std::string& source) {
  const Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) Bad(source, "not JSON");
  if (!j.is_object()) Bad(source, "not a JSON object");
  if (!j.contains("fingerprint") || !j["fingerprint"].is_string())
    Bad(source, "field 'fingerprint' is missing or not a string");
  TrainStateRecord s;
  s.fingerprint = j["fingerprint"].get<std::string>();
  s.epoch = IntField(j, "epoch", 0, kMaxEpochs, source);
  s.swa_n = IntField(j, "swa_n", 0, s.epoch, source);
  if (!j.contains("rows") || !j["rows"].is_array()) Bad(source, "field 'rows' is not an array");
  const Json& rows = j["rows"];
  if (rows.size() != static_cast<std::size_t>(s.epoch))
    Bad(source, fmt::format("{} rows for {} finished epochs", rows.size(), s.epoch));
  int averaged = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Json& r = rows[i];
    if (!r.is_array() || r.size() != 8) Bad(source, fmt::format("row {} is not 8 values", i + 1));
    if (!r[0].is_number_integer() || r[0].get<long long>() != static_cast<long long>(i + 1))
      Bad(source, fmt::format("row {} is not numbered {}", i + 1, i + 1));
    if (!r[7].is_boolean())
      Bad(source, fmt::format("row {}: swa_averaged is not a boolean", i + 1));
    EpochRow row;
    row.epoch = static_cast<int>(i + 1);
    row.lr = Number(r, 1, source);
    row.train_loss = Number(r, 2, source);
    row.train_acc = Number(r, 3, source);
    row.test_loss = NumberOrNone(r, 4, source);
    row.test_acc = NumberOrNone(r, 5, source);
    row.seconds = Number(r, 6, source);
    row.swa_averaged = r[7].get<bool>();
    averaged += row.swa_averaged;
    s.rows.push_back(row);
  }
  if (averaged != s.swa_n)
    Bad(source, fmt::format("swa_n = {} but {} rows entered the average", s.swa_n, averaged));
  return s;
}

}  // namespace valleys::realnets
