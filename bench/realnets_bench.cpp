// Real-network benchmark (not a test): training images/s of the narrow net (PreResNet-8 width 8)
// and PreResNet-20, and profile points/s (BN recompute + training and test evaluation), through the
// library's own entry points. Run by bench/run_realnets_bench beside the Python peer.
//   bench_realnets DATA_DIR THREADS TRAIN_IMAGES PROFILE_POINTS
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "positive_argument.hpp"
#include "valleys/realnets/probes.hpp"
#include "valleys/realnets/training.hpp"

using namespace valleys::realnets;
using valleys::bench::PositiveArgument;

namespace {

// Runs the benchmark with its scratch run folder `out`; prints one JSON line.
int Run(int argc, char** argv, const std::string& out) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: bench_realnets DATA_DIR THREADS TRAIN_IMAGES PROFILE_POINTS\n");
    return 2;
  }
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // as valleys-realnets does (see its main)
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 256 << 20);
  const std::string dir = argv[1];
  const int threads = PositiveArgument("THREADS", argv[2]);
  const int images = PositiveArgument("TRAIN_IMAGES", argv[3]);
  const int points = PositiveArgument("PROFILE_POINTS", argv[4]);
  TrainOptions o;
  o.data_dir = dir;
  o.train_size = images;
  o.test_size = 200;
  o.epochs = 1;
  o.threads = threads;
  o.out_dir = out;
  if (const char* device = std::getenv("VALLEYS_BENCH_DEVICE"))  // cpu | cuda
    if (!StringToDevice(device, &o.device))
      throw std::invalid_argument(std::string("VALLEYS_BENCH_DEVICE = ") + device);
  std::string json = "{";
  for (const auto& [name, depth, width] :
       {std::tuple{"narrow", 8, 8}, std::tuple{"preresnet20", 20, 16}}) {
    o.model.depth = depth;
    o.model.width = width;
    const TrainSummary s = Train(o);
    json += fmt::format("\"train_{}\": {:.1f}, ", name, s.train_images_per_s);
  }
  o.model.depth = 8;
  o.model.width = 8;
  Train(o);  // a checkpoint of the narrow net to probe
  ProfileOptions p;
  p.probe.base = o;
  p.probe.base.test_size = 1000;
  p.probe.eval_size = 1000;
  p.points = 5;
  Profile(p);  // warm-up: data decompressed and cached
  // Points per second of the per-point work alone (weights set, BN recomputed, training and test
  // sets evaluated): the time of a profile of `points` points minus that of a 5-point one, so
  // that loading the checkpoint and drawing the direction (done once) are left out, as in the
  // Python peer.
  auto time_profile = [&](int n) {
    p.points = n;
    const auto t0 = std::chrono::steady_clock::now();
    Profile(p);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const double t_short = time_profile(5), t_long = time_profile(5 + 2 * points);
  const double seconds = (t_long - t_short) / 2;  // for `points` points
  json +=
      fmt::format("\"profile_narrow_points_per_s\": {:.3f}, \"threads\": {}, \"device\": \"{}\"}}",
                  points / seconds, threads, DeviceToString(o.device));
  std::printf("%s\n", json.c_str());
  std::fflush(stdout);  // the numbers first, whatever the clean-up does
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out = (std::filesystem::temp_directory_path() /
                           ("valleys_bench_realnets_" + std::to_string(::getpid())))
                              .string();
  int status = 1;
  try {
    status = Run(argc, argv, out);
  } catch (const std::exception& e) {  // a bad argument, missing data, no GPU: one line, exit 1
    std::fprintf(stderr, "bench_realnets: error: %s\n", e.what());
  }
  std::error_code ignored;
  std::filesystem::remove_all(out, ignored);
  return status;
}
