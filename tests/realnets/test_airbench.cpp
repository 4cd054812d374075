// The airbench network and recipe: the architecture's parameter count from its definition, the
// whitening layer whitening 2x2 patches, the BN variants, the rate schedule at its corners, the
// BN-free twin's initialization, and a run interrupted after an epoch and resumed that ends with
// the numbers of an uninterrupted one.
// LibTorch first (glog's CHECK would replace Catch's).
#include "airbench_net.hpp"
#include "airbench_recipe.hpp"
#include "models.hpp"
#include "runtime.hpp"
#undef CHECK
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "data_dir.hpp"
#include "valleys/realnets/training.hpp"

using namespace valleys::realnets;
namespace fs = std::filesystem;

namespace {

TrainOptions Tiny(const fs::path& out) {
  TrainOptions o = AirbenchOptions();
  o.data_dir = valleys::cli::FindDataDir("");
  o.model.width = 8;  // groups of 8, 32, 32 channels
  o.train_size = 512, o.test_size = 256;
  o.batch = 256, o.micro_batch = 128;
  o.epochs = 2, o.swa_epochs = 1;
  o.centre_eval_size = 256;
  o.threads = 1;
  o.out_dir = out.string();
  return o;
}

}  // namespace

TEST_CASE("airbench: the network as defined", "[realnets][torch][airbench]") {
  ModelSpec spec = AirbenchOptions().model;
  std::string why;
  REQUIRE(spec.IsValid(&why));
  // Whitening bias 24; convolutions 3x3 without bias: 24->64, 64->64, 64->256, 256->256 (x3);
  // BN biases 2 x 64 + 4 x 256; head 256 x 10 without bias. The whitening filters are a buffer.
  const long long expected =
      24 + 9 * (24 * 64 + 64 * 64 + 64 * 256 + 3 * 256 * 256) + 2 * 64 + 4 * 256 + 256 * 10;
  CHECK(CountParameters(spec) == expected);
  torch::manual_seed(3);
  const auto net = valleys::realnets::detail::MakeModel(spec);
  CHECK(valleys::realnets::detail::BatchNormParameterNames(net) ==
        std::set<std::string>{"group1_norm1.bias", "group1_norm2.bias", "group2_norm1.bias",
                              "group2_norm2.bias", "group3_norm1.bias", "group3_norm2.bias"});
  spec.bn_init = BnInit::kNormal01;  // a trained scale, drawn from N(0, 0.1)
  CHECK(CountParameters(spec) == expected + 2 * 64 + 4 * 256);
  const auto gamma = valleys::realnets::detail::MakeModel(spec);
  std::vector<float> g;
  for (const auto& p : gamma->named_parameters())
    if (p.key().find("norm") != std::string::npos && p.key().find("weight") != std::string::npos)
      for (int64_t i = 0; i < p.value().numel(); ++i)
        g.push_back(p.value().flatten()[i].item<float>());
  REQUIRE(g.size() == 2 * 64 + 4 * 256);
  double ss = 0;
  for (float x : g) ss += x * x;
  CHECK(std::sqrt(ss / g.size()) == Approx(0.1).margin(0.01));  // 1,152 draws: sd within 2.5%
  spec.bn_init = BnInit::kOnes;
  spec.batch_norm = false;  // the twin: a per-channel bias where BN was
  CHECK(CountParameters(spec) == expected);
  spec.depth = 9;
  CHECK_FALSE(spec.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("depth = 9"));
  ModelSpec gelu_resnet;
  gelu_resnet.activation = Activation::kGelu;
  CHECK_FALSE(gelu_resnet.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("gelu"));
}

TEST_CASE("airbench: the whitening layer whitens, the twin starts at unit scale",
          "[realnets][torch][airbench]") {
  torch::manual_seed(5);
  // Correlated "images": a smooth field plus noise, so that neighbouring pixels correlate.
  torch::Tensor images = torch::randn({200, 3, 8, 8});
  images =
      images + torch::roll(images, 1, 3) + torch::roll(images, 1, 2) + 0.5 * images.mean(1, true);
  ModelSpec spec = AirbenchOptions().model;
  spec.width = 8;
  const auto net = valleys::realnets::detail::MakeModel(spec);
  valleys::realnets::detail::InitFromData(net, images);
  torch::Tensor w;
  for (const auto& b : net->named_buffers())
    if (b.key() == "whiten_weight") w = b.value();
  REQUIRE(w.defined());
  // The first 12 filters map the 2x2x3 patches to coordinates of covariance diag(l / (l + eps)):
  // the identity up to eps / l (eigenvalues l here >= 0.05, eps 5e-4: within 1%).
  const torch::Tensor z =
      torch::conv2d(images.to(torch::kFloat64), w.narrow(0, 0, 12).to(torch::kFloat64));
  const torch::Tensor flat = z.permute({0, 2, 3, 1}).reshape({-1, 12});
  const torch::Tensor cov = flat.t().mm(flat) / static_cast<double>(flat.size(0));
  CHECK((cov - torch::eye(12, torch::kFloat64)).abs().max().item<double>() < 0.02);
  // The other 12 are their negatives.
  CHECK(torch::allclose(w.narrow(0, 12, 12), -w.narrow(0, 0, 12)));

  // The BN-free twin: after the data-dependent scaling its logits on the same images have unit
  // standard deviation.
  spec.batch_norm = false;
  const auto twin = valleys::realnets::detail::MakeModel(spec);
  torch::Tensor big = torch::randn({64, 3, 32, 32});
  valleys::realnets::detail::InitFromData(twin, big);
  twin->eval();
  torch::NoGradGuard guard;
  CHECK(twin->forward(big).std().item<double>() == Approx(1.0).margin(1e-3));
  CHECK_THROWS_WITH(valleys::realnets::detail::InitFromData(
                        valleys::realnets::detail::MakeModel(ModelSpec{}), big),
                    Catch::Contains("is not an airbench network"));
}

TEST_CASE("airbench: the rate schedule's corners", "[realnets][airbench]") {
  using valleys::realnets::detail::AirbenchRateFactor;
  // 100 steps: warm-up over floor(23) steps from 0.2 to 1, then linear to 0.07 at step 100.
  CHECK(AirbenchRateFactor(0, 100) == Approx(0.2));
  CHECK(AirbenchRateFactor(23, 100) == Approx(1.0));
  CHECK(AirbenchRateFactor(11, 100) == Approx(0.2 + 0.8 * 11 / 23.0));
  CHECK(AirbenchRateFactor(99, 100) == Approx(1.0 - 0.93 * 76 / 77.0));
  TrainOptions o = AirbenchOptions();
  CHECK(LearningRate(o, 0) == Approx(0.2 * 1.5));
  CHECK(LearningRate(o, o.epochs) == Approx(0.1 * 1.5));  // the averaged phase
  CHECK(TotalEpochs(o) == 14);                            // 12 decayed + 2 averaged
  CHECK(FirstAveragedEpoch(o) == 13);
  std::string why;
  CHECK(o.IsValid(&why));
  o.schedule = Schedule::kSwa;
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why,
             Catch::Contains("TrainOptions::schedule = 'swa' with ModelSpec::arch = 'airbench'"));
  o = AirbenchOptions();
  o.micro_batch = -1;
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("TrainOptions::micro_batch = -1"));
}

TEST_CASE("airbench: a run interrupted after an epoch and resumed equals an uninterrupted one",
          "[realnets][torch][airbench][resume]") {
  const fs::path dir =
      fs::temp_directory_path() / ("valleys_airbench_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const TrainSummary full = Train(Tiny(dir / "full"));
  CHECK(full.has_swa);
  CHECK(full.epochs.size() == 3);
  CHECK(full.epochs.back().swa_averaged);
  CHECK_FALSE(full.epochs[1].swa_averaged);
  CHECK(fs::exists(dir / "full" / "sgd.pt"));
  CHECK(fs::exists(dir / "full" / "swa.pt"));
  CHECK(full.sgd_test_acc_tta >= 0);
  CHECK(full.swa_test_acc_tta <= 1);
  // Stopped after the first epoch (its state saved), then resumed.
  TrainOptions cut = Tiny(dir / "cut");
  CHECK_THROWS_WITH(Train(cut,
                          [](const EpochRow& r) {
                            if (r.epoch == 1) throw std::runtime_error("stop");
                          }),
                    "stop");
  cut.resume = true;
  const TrainSummary resumed = Train(cut);
  REQUIRE(resumed.epochs.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("epoch " << i + 1);
    CHECK(resumed.epochs[i].train_loss == full.epochs[i].train_loss);
    CHECK(resumed.epochs[i].train_acc == full.epochs[i].train_acc);
  }
  CHECK(resumed.sgd_test_loss == full.sgd_test_loss);
  CHECK(resumed.swa_test_loss == full.swa_test_loss);
  CHECK(resumed.swa_train_loss == full.swa_train_loss);
  CHECK(resumed.sgd_test_acc_tta == full.sgd_test_acc_tta);
  fs::remove_all(dir);
}

TEST_CASE("airbench: adaptive gradient clipping scales each unit to its bound",
          "[realnets][torch][airbench]") {
  using valleys::realnets::detail::AdaptiveGradientClip;
  // Rows of a 2 x 3 weight: row 0 has norm 5 and a gradient of norm 10; row 1 is zero (its bound
  // uses the floor 1e-3) with a gradient of norm 1. lambda 0.5: bounds 2.5 and 5e-4.
  torch::Tensor w = torch::tensor({3.0, 4.0, 0.0, 0.0, 0.0, 0.0}).view({2, 3}).requires_grad_();
  w.mutable_grad() = torch::tensor({6.0, 8.0, 0.0, 1.0, 0.0, 0.0}).view({2, 3});
  // A 1-D parameter is one unit: norm 2, gradient norm 0.2 < 0.5 x 2, left as it is.
  torch::Tensor b = torch::ones({4}, torch::kFloat64).requires_grad_();
  b.mutable_grad() = torch::full({4}, 0.1, torch::kFloat64);
  // A channels-last 4-D weight: each output channel is a unit (here all within their bounds but
  // channel 1, whose gradient is 4x its bound).
  torch::Tensor c = torch::ones({2, 2, 1, 1}, torch::kFloat64)
                        .contiguous(torch::MemoryFormat::ChannelsLast)
                        .requires_grad_();
  c.mutable_grad() = torch::tensor({0.1, 0.1, 2.0, 2.0}, torch::kFloat64)
                         .view({2, 2, 1, 1})
                         .contiguous(torch::MemoryFormat::ChannelsLast);
  torch::Tensor untouched;  // no gradient: skipped
  untouched = torch::ones({3}).requires_grad_();
  AdaptiveGradientClip({w, b, c, untouched}, 0.5);
  const auto g = w.grad();
  CHECK(g[0][0].item<double>() == Approx(1.5));
  CHECK(g[0][1].item<double>() == Approx(2.0));
  CHECK(g[1][0].item<double>() == Approx(5e-4));
  CHECK(b.grad()[2].item<double>() == Approx(0.1));
  // Channel 1: weight norm sqrt(2), bound 0.5 sqrt(2); gradient (2, 2) of norm 2 sqrt(2): x 1/4.
  CHECK(c.grad()[0][0][0][0].item<double>() == Approx(0.1));
  CHECK(c.grad()[1][0][0][0].item<double>() == Approx(0.5));
  CHECK(c.grad()[1][1][0][0].item<double>() == Approx(0.5));
  CHECK_FALSE(untouched.grad().defined());
  // The option: refused outside 0..100 and with another schedule; in the fingerprint when on.
  TrainOptions o = AirbenchOptions();
  const std::string plain = o.Fingerprint();
  o.adaptive_clip = 0.04;
  CHECK(o.Fingerprint() ==
        plain.substr(0, plain.find(" | seed")) + " agc 0.04" + plain.substr(plain.find(" | seed")));
  std::string why;
  CHECK(o.IsValid(&why));
  o.adaptive_clip = -1;
  CHECK_FALSE(o.IsValid(&why));
  CHECK_THAT(why, Catch::Contains("TrainOptions::adaptive_clip = -1"));
}
