// Progress on stderr when it is a terminal (count, rate, time left); silent in logs and pipes.
#pragma once

#include <chrono>
#include <memory>
#include <string>

namespace valleys::cli {

// "42 s", "17 min", "3.2 hours", "12.5 days", "3.6e+04 years".
std::string DurationText(double seconds);

class Progress {
 public:
  Progress(std::string label, long long total, bool quiet = false);
  ~Progress();
  void Update(long long done);                   // throttled to ~10 redraws per second
  void Update(long long done, long long total);  // the total known only once the work starts
  void Finish();
  static bool Enabled();  // stderr is a terminal

 private:
  std::string label_;
  long long total_;
  long long first_done_ = -1;  // the count at the first update: a resumed run's rate is its own
  bool active_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// The progress of a library's stages (`on_progress(unit, done, total)`): one Progress per unit,
// from the first call of a unit to its done = total call. Copies share one line, which Finish
// clears (a run may end short of its total: a censored height search).
class ProgressByUnit {
 public:
  void operator()(const std::string& unit, long long done, long long total);
  void Finish();

 private:
  struct Line {
    std::string unit;
    std::unique_ptr<Progress> progress;
  };
  std::shared_ptr<Line> line_ = std::make_shared<Line>();
};

// One line per stage ("[2/5] simulations"), on a terminal only.
void Stage(int index, int count, const std::string& name);

}  // namespace valleys::cli
