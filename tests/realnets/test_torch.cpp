// The LibTorch part of realnets, in one test case (LibTorch costs ~1 s of start-up per process):
// parameter counts, a short training lowers the loss and writes checkpoints, profiles report the
// sign agreement of each direction law and pass through the checkpoint's losses at t = 0.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <cmath>
#include <filesystem>

#include "models.hpp"
#include "valleys/realnets/experiment.hpp"

using namespace valleys::realnets;
namespace fs = std::filesystem;

TEST_CASE("realnets with LibTorch: counts, training, checkpoints, profiles", "[realnets][torch]") {
  ModelSpec spec;  // PreResNet-8, width 8
  // Counted by hand: stem 216; stage blocks 1184 + 3632 + 14432; final BN 64; FC 330.
  CHECK(CountParameters(spec) == 19858);
  spec.batch_norm = false;  // minus 240 BN parameters
  CHECK(CountParameters(spec) == 19618);
  spec.depth = 20;
  spec.width = 16;
  spec.batch_norm = true;
  // PreResNet-20, counted by hand: stem 432; stage 1: 3 x 4672; stage 2: 14432 + 2 x 18560;
  // stage 3: 57536 + 2 x 73984; final BN 128; FC 650.
  CHECK(CountParameters(spec) == 272282);

  TrainOptions o;
  o.data_dir = FindDataDir("");
  o.train_size = 1000;
  o.test_size = 500;
  o.epochs = 3;
  o.out_dir =
      (fs::temp_directory_path() / ("valleys_torch_" + std::to_string(::getpid()))).string();
  const TrainSummary s = Train(o);
  REQUIRE(s.epochs.size() == 3);
  CHECK(s.epochs.back().train_loss < s.epochs.front().train_loss);
  CHECK(s.sgd_train_loss < std::log(10.0) - 0.05);  // below chance level
  CHECK(fs::exists(fs::path(o.out_dir) / "sgd.pt"));
  CHECK(fs::exists(fs::path(o.out_dir) / "swa.pt"));
  CHECK(std::isfinite(s.swa_test_loss));

  ProfileOptions p;
  p.base = o;
  p.points = 5;
  p.range = 1.0;
  p.eval_size = 500;
  p.law = "sign";
  const ProfileResult sign = Profile(p);
  CHECK(sign.sign_agreement > 0.99);  // |e| sign(w): agrees wherever w != 0
  p.law = "gaussian";
  const ProfileResult gauss = Profile(p);
  CHECK(gauss.sign_agreement > 0.4);
  CHECK(gauss.sign_agreement < 0.6);
  // At t = 0 with BN recomputed on the same images, the profile passes through the SWA model.
  CHECK(gauss.t[2] == 0.0);
  CHECK(std::isfinite(gauss.train_loss[2]));
  p.bn_mode = "frozen";
  p.law = "uniform01";
  const ProfileResult frozen = Profile(p);
  CHECK(frozen.test_loss[2] ==
        Approx(s.swa_test_loss).epsilon(1e-4));  // frozen stats = the checkpoint's
  fs::remove_all(o.out_dir);

  // BN recompute equals the exact statistics of the data: the first BN layer sees the stem's
  // output.
  torch::manual_seed(3);
  valleys::realnets::detail::PreResNet model = valleys::realnets::detail::MakeModel(ModelSpec{});
  const torch::Tensor images = torch::randn({400, 3, 32, 32});
  valleys::realnets::detail::RecomputeBatchNorm(model, images, 100, false);  // 4 equal batches
  torch::NoGradGuard guard;
  std::shared_ptr<torch::nn::BatchNorm2dImpl> first;
  std::shared_ptr<torch::nn::Conv2dImpl> stem;
  for (const auto& m : model->named_children()) {
    if (m.key() == "block0_bn1")
      first = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(m.value());
    if (m.key() == "stem") stem = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(m.value());
  }
  REQUIRE(first);
  REQUIRE(stem);
  const torch::Tensor h = stem->forward(images);
  const torch::Tensor exact_mean = h.mean({0, 2, 3});
  CHECK(torch::allclose(first->running_mean, exact_mean, 1e-5, 1e-6));
  torch::Tensor batch_var = torch::zeros_like(exact_mean);
  for (int b = 0; b < 4; ++b)
    batch_var += h.narrow(0, 100 * b, 100).var({0, 2, 3}, /*unbiased=*/true) / 4;
  CHECK(torch::allclose(first->running_var, batch_var, 1e-5, 1e-6));
  valleys::realnets::detail::RecomputeBatchNorm(model, images, 400,
                                                false);  // one batch: the exact data-set variance
  CHECK(torch::allclose(first->running_var, h.var({0, 2, 3}, true), 1e-5, 1e-6));
}

namespace {
std::string Slurp(const fs::path& p) {
  std::ifstream f(p);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// The epoch rows without the timing column.
std::string EpochsWithoutTiming(const fs::path& csv) {
  std::istringstream in(Slurp(csv));
  std::string line, out;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    for (std::size_t i = 0; i < f.size(); ++i)
      if (i != 6) out += f[i] + ",";
    out += "\n";
  }
  return out;
}

int Run(const std::vector<std::string>& args, int kill_after_ms) {
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    std::vector<char*> argv;
    std::string bin = VALLEYS_REALNETS_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  if (kill_after_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms));
    kill(child, SIGKILL);
  }
  int status = 0;
  waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
}  // namespace

TEST_CASE("training killed with SIGKILL and resumed equals an uninterrupted run",
          "[realnets][torch][resume]") {
  const fs::path dir = fs::temp_directory_path() / ("valleys_resume_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::vector<std::string> base = {"train", "--epochs",    "4",  "--train-size",
                                         "3000",  "--test-size", "200"};
  auto with = [&](const std::string& out, bool resume) {
    std::vector<std::string> a = base;
    a.insert(a.end(), {"--out", (dir / out).string()});
    if (resume) a.push_back("--resume");
    return a;
  };
  REQUIRE(Run(with("full", false), 0) == 0);
  std::mt19937 rng(77);  // kill times from a fixed seed
  bool killed_mid_way = false;
  for (int attempt = 0; attempt < 3 && !killed_mid_way; ++attempt) {
    const std::string out = "killed" + std::to_string(attempt);
    const int delay = std::uniform_int_distribution<int>(2500, 7000)(rng);
    INFO("attempt " << attempt << ": kill after " << delay << " ms (seed 77)");
    Run(with(out, false), delay);
    const fs::path state = dir / out / "state.json";
    if (fs::exists(state)) {
      const std::string text = Slurp(state);
      killed_mid_way = text.find("\"epoch\": 4") == std::string::npos;
    }
    REQUIRE(Run(with(out, true), 0) == 0);
    CHECK(EpochsWithoutTiming(dir / out / "epochs.csv") ==
          EpochsWithoutTiming(dir / "full" / "epochs.csv"));
    const std::string a = Slurp(dir / "full" / "summary.json"),
                      b = Slurp(dir / out / "summary.json");
    for (const char* key : {"\"swa_test_loss\"", "\"sgd_test_loss\"", "\"swa_train_loss\""}) {
      const auto pa = a.find(key), pb = b.find(key);
      REQUIRE(pa != std::string::npos);
      CHECK(a.substr(pa, a.find(',', pa) - pa) == b.substr(pb, b.find(',', pb) - pb));
    }
  }
  CHECK(killed_mid_way);
  fs::remove_all(dir);
}
