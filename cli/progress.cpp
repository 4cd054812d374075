#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace valleys::cli {

std::string DurationText(double seconds) {
  if (!(seconds < 1e300)) return "forever";
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
  if (seconds < 172800) return fmt::format("{:.1f} hours", seconds / 3600);
  if (seconds < 3.156e7) return fmt::format("{:.1f} days", seconds / 86400);
  return fmt::format("{:.3g} years", seconds / 3.156e7);
}

bool Progress::Enabled() {
  return ::isatty(STDERR_FILENO) == 1;
}

Progress::Progress(std::string label, long long total, bool quiet)
    : label_(std::move(label)),
      total_(total),
      active_(!quiet && Enabled()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() {
  Finish();
}

void Progress::Update(long long done) {
  if (!active_) return;
  const auto now = std::chrono::steady_clock::now();
  if (first_done_ < 0) {
    first_done_ = done;
    start_ = now;
  }
  if (now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done - first_done_) / elapsed : 0.0;
  const double left = rate > 0 ? (total_ - done) / rate : 0.0;
  fmt::print(stderr, "\r\033[K{}: {}/{} ({:.3g}/s, {} left)", label_, done, total_, rate,
             DurationText(left));
  std::fflush(stderr);
}

void Progress::Update(long long done, long long total) {
  total_ = total;
  Update(done);
}

void Progress::Finish() {
  if (!active_) return;
  fmt::print(stderr, "\r\033[K");
  std::fflush(stderr);
  active_ = false;
}

void ProgressByUnit::operator()(const std::string& unit, long long done, long long total) {
  if (!line_->progress || line_->unit != unit) {
    line_->unit = unit;
    line_->progress = std::make_unique<Progress>(unit, total);
  }
  line_->progress->Update(done, total);
  if (done == total) line_->progress.reset();
}

void ProgressByUnit::Finish() {
  line_->progress.reset();
}

void Stage(int index, int count, const std::string& name) {
  if (!Progress::Enabled()) return;
  fmt::print(stderr, "[{}/{}] {}\n", index, count, name);
  std::fflush(stderr);
}

}  // namespace valleys::cli
