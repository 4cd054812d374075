#include "valleys/sweep/sweep.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "valleys/io/csv_field.hpp"
#include "valleys/io/spec.hpp"
#include "valleys/sim/simulator.hpp"

namespace valleys::sweep {

namespace {

std::uint64_t Fnv1a(const std::string& s) {
  std::uint64_t h = 14695981039346656037ULL;  // the FNV-1a 64 offset basis, 0xcbf29ce484222325
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// The fields a row of configuration `index` starts with: its index and its axis values.
std::string RowPrefix(long long index, const std::vector<io::GridAxis>& axes) {
  std::string prefix = std::to_string(index);
  for (const auto& [name, value] : io::GridPoint(axes, index)) prefix += "," + io::CsvField(value);
  return prefix + ",";
}

std::string Number(double v) {
  return fmt::format("{}", v);
}

std::string Optional(const std::optional<double>& v) {
  return v ? Number(*v) : "";
}

}  // namespace

const std::vector<std::string>& StatColumns() {
  static const std::vector<std::string> columns = {
      "mean_avg",       "mean_avg_se",       "mean_last",   "mean_last_se", "p_flat",
      "p_flat_se",      "mean_pos",          "mean_pos_se", "mean_neg",     "mean_neg_se",
      "risk_avg",       "risk_avg_se",       "risk_last",   "risk_last_se", "risk_min",
      "beats_min_frac", "beats_min_frac_se", "diverged",    "w_hat",        "theory_mean_avg",
      "theory_p_flat",  "z_mean_avg",        "z_p_flat"};
  return columns;
}

std::string CsvHeader(const std::vector<io::GridAxis>& axes) {
  std::string header = "index";
  for (const auto& a : axes) header += "," + io::CsvField(a.name);
  for (const auto& c : StatColumns()) header += "," + c;
  return header + ",row_check";
}

std::string CsvRow(long long index, const std::vector<io::GridAxis>& axes, const sim::SimSummary& s,
                   const std::optional<sim::Prediction>& prediction) {
  std::string row = RowPrefix(index, axes);
  row.pop_back();  // the prefix's trailing comma
  for (const sim::Stat* stat :
       {&s.mean_avg, &s.mean_last, &s.p_flat, &s.mean_pos, &s.mean_neg, &s.risk_avg, &s.risk_last})
    row += "," + Number(stat->value) + "," + Number(stat->se);
  row += "," + Number(s.risk_min.value);
  row += "," + Number(s.beats_min_frac.value) + "," + Number(s.beats_min_frac.se);
  row += "," + std::to_string(s.diverged) + "," + Number(s.w_hat);
  std::optional<double> theory_mean_avg, theory_p_flat, z_mean_avg, z_p_flat;
  if (prediction) {
    theory_mean_avg = prediction->window.mean_avg;
    theory_p_flat = prediction->window.p_flat;
    const sim::PredictionZ z = sim::Compare(*prediction, s);
    z_mean_avg = z.mean_avg;
    z_p_flat = z.p_flat;
  }
  for (const auto& v : {theory_mean_avg, theory_p_flat, z_mean_avg, z_p_flat})
    row += "," + Optional(v);
  return row + fmt::format(",{:016x}", Fnv1a(row));
}

bool RowCheckMatches(const std::string& row) {
  const auto comma = row.rfind(',');
  return comma != std::string::npos &&
         row.substr(comma + 1) == fmt::format("{:016x}", Fnv1a(row.substr(0, comma)));
}

std::string SweepId(const std::string& canonical_specification) {
  return fmt::format("{:016x}", Fnv1a(canonical_specification));
}

void CheckRowAxes(const io::SweepCsv& csv, const std::vector<io::GridAxis>& axes, long long total,
                  const std::string& path) {
  for (std::size_t k = 0; k < csv.rows.size(); ++k) {
    const long long index = csv.indices[k];
    if (index >= total)
      throw io::InputError(
          fmt::format("'{}' row {} has index {} but the sweep has {} configurations", path, k + 1,
                      index, total));
    const std::string prefix = RowPrefix(index, axes);
    if (csv.rows[k].rfind(prefix, 0) != 0)
      throw io::InputError(fmt::format(
          "'{}' row {} (configuration {}) does not hold that configuration's axis values "
          "(expected it to start '{}'); nothing was changed",
          path, k + 1, index, prefix));
    if (!RowCheckMatches(csv.rows[k]))
      throw io::InputError(fmt::format(
          "'{}' row {} (configuration {}) was edited: its row_check does not match its fields; "
          "remove the row to have it computed again; nothing was changed",
          path, k + 1, index));
  }
}

void LocalTransport::ReceiveRow(long long*, std::string*) {
  throw std::logic_error("sweep: LocalTransport has no other rank to receive from");
}

void RunSweep(const SweepJob& job, RowTransport& transport,
              const std::function<void(const std::string& row)>& write_row,
              const std::function<void(long long rows_written)>& progress) {
  const int workers = std::max(1, omp_get_max_threads());
  std::vector<sim::ChainCache> caches(static_cast<std::size_t>(workers));
  auto compute_batch = [&](const std::vector<long long>& batch) {
    std::vector<const sim::SimOptions*> options;
    for (long long index : batch)
      options.push_back(&job.configurations[static_cast<std::size_t>(index)]);
    std::vector<std::optional<sim::Prediction>> predictions(batch.size());
    std::vector<std::exception_ptr> errors(batch.size());
#pragma omp parallel for schedule(dynamic, 1) num_threads(workers)
    for (std::size_t k = 0; k < batch.size(); ++k) {
      try {
        if (job.with_theory)
          predictions[k] = sim::PredictIfPossible(
              *options[k], &caches[static_cast<std::size_t>(omp_get_thread_num())]);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    }
    std::vector<std::string> rows;
    for (std::size_t k = 0; k < batch.size(); ++k) {
      if (errors[k]) std::rethrow_exception(errors[k]);
      const sim::SimSummary summary = sim::Simulate(*options[k]);
      rows.push_back(CsvRow(batch[k], job.axes, summary, predictions[k]));
    }
    return rows;
  };
  const std::size_t batch_size = 2 * static_cast<std::size_t>(workers);
  const auto& remaining = job.remaining;
  const std::size_t ranks = static_cast<std::size_t>(transport.Size());

  if (transport.Rank() != 0) {
    for (std::size_t p = 0; p < remaining.size(); ++p)
      if (p % ranks == static_cast<std::size_t>(transport.Rank()))
        transport.SendRow(remaining[p], compute_batch({remaining[p]}).front());
    return;
  }
  // Rank 0: its own share in batches; rows of any rank are written once contiguous.
  std::map<long long, std::string> pending;
  std::size_t next = 0;
  auto flush = [&] {
    while (next < remaining.size()) {
      auto it = pending.find(remaining[next]);
      if (it == pending.end()) break;
      write_row(it->second);
      pending.erase(it);
      ++next;
      progress(static_cast<long long>(next));
    }
  };
  long long index;
  std::string row;
  std::vector<long long> mine;
  for (std::size_t p = 0; p < remaining.size(); ++p)
    if (p % ranks == 0) mine.push_back(remaining[p]);
  for (std::size_t b = 0; b < mine.size(); b += batch_size) {
    const std::vector<long long> batch(
        mine.begin() + static_cast<long>(b),
        mine.begin() + static_cast<long>(std::min(mine.size(), b + batch_size)));
    const std::vector<std::string> rows = compute_batch(batch);
    for (std::size_t k = 0; k < batch.size(); ++k) pending[batch[k]] = rows[k];
    while (transport.TryReceiveRow(&index, &row)) pending[index] = row;
    flush();
  }
  while (next < remaining.size()) {
    transport.ReceiveRow(&index, &row);
    pending[index] = row;
    flush();
  }
}

}  // namespace valleys::sweep
