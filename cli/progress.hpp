// Progress on stderr when it is a terminal (count, rate, time left); silent in logs and pipes.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace valleys::cli {

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

// A progress callback for a library's stages (`on_progress(unit, done, total)`, done = 0 first):
// one Progress per unit, from its done = 0 call to its done = total call.
std::function<void(const std::string& unit, long long done, long long total)> ProgressCallback();

// One line per stage ("[2/5] simulations"), on a terminal only.
void Stage(int index, int count, const std::string& name);

}  // namespace valleys::cli
