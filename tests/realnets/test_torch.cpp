// The LibTorch part of realnets, in one test case (LibTorch costs ~1 s of start-up per process):
// parameter counts, a short training lowers the loss and writes checkpoints, profiles report the
// sign agreement of each direction law and pass through the checkpoint's losses at t = 0.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>

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
}
