// The LibTorch part of realnets, in one test case (LibTorch costs ~1 s of start-up per process):
// parameter counts, a short training lowers the loss and writes checkpoints, profiles report the
// sign agreement of each direction law and pass through the checkpoint's losses at t = 0.
// LibTorch first: Debian's LibTorch pulls in glog, whose CHECK macro would otherwise replace
// Catch's (a failed glog CHECK aborts instead of being counted).
#include "batch_norm_pass.hpp"
#include "models.hpp"
#include "profile_resume.hpp"
#include "runtime.hpp"
#undef CHECK
#include <algorithm>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <cmath>
#include <filesystem>

#include "data_dir.hpp"
#include "support/files.hpp"
#include "support/run_command.hpp"
#include "support/spawn.hpp"
#include "valleys/realnets/commands.hpp"
#include "valleys/realnets/experiment.hpp"
#include "valleys/realnets/outputs.hpp"
#include "valleys/realnets/probes.hpp"

using namespace valleys::realnets;
namespace fs = std::filesystem;

TEST_CASE("realnets with LibTorch: zoo, training, checkpoints, probes", "[realnets][torch]") {
  namespace detail = valleys::realnets::detail;
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
  // The literature's sizes, summed layer by layer by a separate script (sum over blocks of
  // 2 C_in + C_in P + 2 P + 9 P^2 + 2 P + 4 P^2 (+ C_in 4P shortcut) ...): PreResNet-164 1.70M,
  // WRN-28-10 36.5M, VGG-16-BN with the 512-512-10 classifier 15.25M.
  spec.depth = 164;
  spec.block = BlockType::kBottleneck;
  CHECK(CountParameters(spec) == 1703258);
  ModelSpec wrn;
  wrn.arch = Arch::kWideResNet;
  wrn.depth = 28;
  wrn.widen = 10;
  wrn.width = 16;
  CHECK(CountParameters(wrn) == 36479194);
  ModelSpec vgg;
  vgg.arch = Arch::kVgg16;
  vgg.depth = 16;
  vgg.width = 64;
  CHECK(CountParameters(vgg) == 15253578);
  vgg.batch_norm = false;  // minus 2 x (sum of the 13 conv widths) = 8448
  CHECK(CountParameters(vgg) == 15245130);
  {
    std::string why;
    ModelSpec bad;
    bad.depth = 9;
    CHECK_FALSE(bad.IsValid(&why));
    CHECK(why.find("6k + 2") != std::string::npos);
  }
  for (Activation activation : {Activation::kSigmoid, Activation::kSoftplus}) {  // narrow zoo
    ModelSpec m = vgg;
    m.width = 4;
    m.activation = activation;
    CHECK(detail::MakeModel(m)->forward(torch::randn({2, 3, 32, 32})).sizes() ==
          torch::IntArrayRef({2, 10}));
    wrn.width = 4;
    wrn.widen = 2;
    wrn.depth = 10;
    wrn.activation = activation;
    CHECK(detail::MakeModel(wrn)->forward(torch::randn({2, 3, 32, 32})).sizes() ==
          torch::IntArrayRef({2, 10}));
  }

  // Filter normalization on a tiny conv weight [2, 1, 1, 2]: filter norms 5 and 2.
  {
    const torch::Tensor w = torch::tensor({3.0f, 4.0f, 0.0f, 2.0f}).view({2, 1, 1, 2});
    const torch::Tensor d = torch::tensor({1.0f, 0.0f, 1.0f, 1.0f}).view({2, 1, 1, 2});
    const torch::Tensor f = detail::FilterNormalize(d, w, false).view({4});
    CHECK(f[0].item<float>() == Approx(5.0));
    CHECK(f[1].item<float>() == Approx(0.0));
    CHECK(f[2].item<float>() == Approx(std::sqrt(2.0)));
    CHECK(f[3].item<float>() == Approx(std::sqrt(2.0)));
    const torch::Tensor gamma = torch::tensor({0.5f, -1.5f});
    CHECK(detail::FilterNormalize(torch::ones({2}), gamma, false).abs().sum().item<float>() == 0);
    CHECK(torch::equal(detail::FilterNormalize(torch::ones({2}), gamma, true), gamma));
  }

  // SGD baseline schedule: lr until half of the epochs, 0.01 lr from 90% on.
  {
    TrainOptions s;
    s.schedule = Schedule::kSgd;
    s.epochs = 10;
    s.lr_init = 0.1;
    CHECK(LearningRate(s, 5) == Approx(0.1));
    CHECK(LearningRate(s, 7) == Approx(0.1 + (0.001 - 0.1) * 0.5));
    CHECK(LearningRate(s, 9) == Approx(0.001));
  }

  TrainOptions o;
  o.data_dir = valleys::cli::FindDataDir("");
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
  p.probe.base = o;
  p.points = 5;
  p.range = 1.0;
  p.probe.eval_size = 500;
  p.law = DirectionLaw::kSign;
  const ProfileResult sign = Profile(p);
  CHECK(sign.sign_agreement == 1.0);  // |e| sign(w): agrees wherever both are non-zero
  CHECK(sign.direction_norm == Approx(1.0));
  p.law = DirectionLaw::kGaussian;
  const ProfileResult gauss = Profile(p);
  // About 20k coordinates: a fair coin per coordinate gives 0.5 +- 0.0036 (1 sd); 4.5 sd bounds.
  CHECK(std::abs(gauss.sign_agreement - 0.5) < 4.5 * 0.5 / std::sqrt(19858.0));
  CHECK(gauss.curve.t[2] == 0.0);
  // uniform01 (all positive): the agreement is the fraction of positive weights, counted here
  // from the checkpoint itself.
  p.law = DirectionLaw::kUniform01;
  p.probe.bn_mode = BnMode::kFrozen;
  const ProfileResult frozen = Profile(p);
  {
    detail::Net net = detail::MakeModel(o.model);
    detail::LoadNet(net, (fs::path(o.out_dir) / "swa.pt").string());
    double positive = 0, nonzero = 0;
    for (const auto& w : net->parameters()) {
      positive += (w > 0).sum().item<double>();
      nonzero += (w != 0).sum().item<double>();
    }
    CHECK(frozen.sign_agreement == Approx(positive / nonzero).epsilon(1e-12));
  }
  // Frozen BN statistics at t = 0 are the checkpoint's: the profile passes through the SWA model.
  CHECK(frozen.curve.test_loss[2] == Approx(s.swa_test_loss).epsilon(1e-5));
  // Bracketing: the grid kept, each side extended by the grid step (0.5) until the training loss
  // has risen bracket_rise above the lowest sample or |t| reaches bracket_limit x range, then the
  // two midpoints around the lowest sample.
  {
    ProfileOptions b = p;
    b.law = DirectionLaw::kGaussian;
    b.bracket_rise = 0.5;
    b.bracket_limit = 3;
    ProfileOptions g = b;
    g.bracket_rise = 0;
    const ProfileResult grid = Profile(g);
    const ProfileResult r = Profile(b);
    REQUIRE(r.curve.t.size() > grid.curve.t.size());
    CHECK(r.grid_points == 5);
    for (std::size_t i = 1; i < r.curve.t.size(); ++i) CHECK(r.curve.t[i] > r.curve.t[i - 1]);
    for (std::size_t i = 0; i < grid.curve.t.size(); ++i) {
      const auto at = std::find(r.curve.t.begin(), r.curve.t.end(), grid.curve.t[i]);
      REQUIRE(at != r.curve.t.end());
      CHECK(r.curve.train_loss[static_cast<std::size_t>(at - r.curve.t.begin())] ==
            grid.curve.train_loss[i]);
    }
    const double lowest = *std::min_element(r.curve.train_loss.begin(), r.curve.train_loss.end());
    for (const double edge : {r.curve.t.front(), r.curve.t.back()}) {
      const std::size_t k = edge < 0 ? 0 : r.curve.t.size() - 1;
      CAPTURE(edge);
      CHECK((r.curve.train_loss[k] - lowest >= 0.5 * 0.999 || std::abs(edge) >= 3 - 1e-9));
      CHECK(std::abs(edge) <= 3 + 1e-9);
    }
    int off_grid = 0;  // points that are not multiples of the step: the two midpoints
    for (double t : r.curve.t) off_grid += std::abs(t / 0.5 - std::round(t / 0.5)) > 1e-9 ? 1 : 0;
    CHECK(off_grid == 2);
    CHECK(r.weights_norm > 0);
    CHECK(std::abs(r.direction_weight_cosine) < 0.05);  // a Gaussian direction: about 1/sqrt(n)
    CHECK(r.train_valley.distance_unit == Approx(r.weights_norm));
    // The grid scores read the grid and its extension only (the midpoints are off the grid).
    CHECK(r.train_score.delta > 0);

    // A resumed job reads a written profile back instead of evaluating it again: the curve comes
    // from the file (an edited loss shows through), the measurements are recomputed from it, and
    // a sidecar of other options is not trusted.
    const std::string dir = o.out_dir;
    WriteCsv(dir, ProfileStem(b), CurveCsv(r.curve, "t"), ProfileMeta(b, r));
    const ProfileResult same = detail::ProfileOrResume(dir, b);
    CHECK(same.curve.train_loss == r.curve.train_loss);
    const auto same_number = [](double x, double y) {
      return x == y || (std::isnan(x) && std::isnan(y));
    };
    CHECK(same_number(same.train_valley.log10_ratio, r.train_valley.log10_ratio));
    CHECK(same_number(same.train_valley.min_offset, r.train_valley.min_offset));
    CHECK(same_number(same.train_asymmetry.detrended_ratio, r.train_asymmetry.detrended_ratio));
    CHECK(same.weights_norm == r.weights_norm);
    CHECK(same.direction_weight_cosine == r.direction_weight_cosine);
    CHECK(same.sign_agreement == r.sign_agreement);
    CHECK(same.checkpoint_sha256 == r.checkpoint_sha256);
    ProbeCurve edited = r.curve;
    edited.train_loss[1] += 1;
    WriteCsv(dir, ProfileStem(b), CurveCsv(edited, "t"), ProfileMeta(b, r));
    CHECK(detail::ProfileOrResume(dir, b).curve.train_loss[1] == edited.train_loss[1]);
    Json foreign = ProfileMeta(b, r);
    foreign["bracket_rise"] = 0.25;
    WriteCsv(dir, ProfileStem(b), CurveCsv(edited, "t"), foreign);
    CHECK(detail::ProfileOrResume(dir, b).curve.train_loss == r.curve.train_loss);
    CHECK_THROWS_AS(detail::ParseCurveCsv("t,train_loss,train_acc,test_loss,test_acc\n1,2,3\n"),
                    std::invalid_argument);
  }
  // The controls: without each tensor's radial component the direction is orthogonal to the
  // weights (cos 0 up to rounding); logit-scale is the last layer's weights themselves (cos 1).
  {
    ProfileOptions c = p;
    c.law = DirectionLaw::kSign;
    c.remove_radial = true;
    const ProfileResult radial_free = Profile(c);
    CHECK(std::abs(radial_free.direction_weight_cosine) < 1e-6);
    CHECK(radial_free.direction_norm == Approx(1.0));
    c.remove_radial = false;
    c.law = DirectionLaw::kLogitScale;
    const ProfileResult logit = Profile(c);
    CHECK(logit.direction_weight_cosine == Approx(1.0).epsilon(1e-6));
    CHECK(logit.perturbed == 330);  // FC(80, 10) with its bias
    // Along it the logits scale: the training accuracy at t = 0 and t > 0 is the same network's
    // argmax (unchanged by a positive scale of the last layer, its bias scaled too).
    CHECK(logit.curve.train_acc[3] == Approx(logit.curve.train_acc[2]).margin(1e-12));
  }
  p.law = DirectionLaw::kFilter;
  const ProfileResult filter = Profile(p);
  CHECK(filter.perturbed < 19858);     // BN gamma/beta and the FC bias are zero (policy "zero")
  CHECK(filter.direction_norm > 1.0);  // filter units: not rescaled to unit norm

  // The added direction families and masks, each against a fact that holds whatever the draws:
  // ones is constant; shifted-gaussian with mean 0 is the gaussian direction of the same index; a
  // shift M puts the direction at cosine M / sqrt(1 + M^2) to ones (+- 1/sqrt(n) sampling, n about
  // 2e4: bound 0.02); sign-agreement:r agrees on a fraction r (binomial sd sqrt(r(1-r)/n) = 0.003,
  // 4.5 sd); a mask zeroes what it leaves out and draws the same numbers elsewhere.
  {
    ProfileOptions q = p;
    q.probe.bn_mode = BnMode::kRecompute;
    const auto load = [](const std::string& bytes) {
      const std::vector<char> v(bytes.begin(), bytes.end());
      return torch::pickle_load(v).toGenericDict();
    };
    q.law = DirectionLaw::kOnes;
    const auto ones = load(DirectionFileBytes(q));
    CHECK(ones.size() == 25);  // every named parameter of PreResNet-8
    double min = 1e9, max = -1e9;
    for (const auto& e : ones) {
      min = std::min(min, e.value().toTensor().min().item<double>());
      max = std::max(max, e.value().toTensor().max().item<double>());
    }
    CHECK(min == Approx(1 / std::sqrt(19858.0)).epsilon(1e-6));
    CHECK(max == Approx(1 / std::sqrt(19858.0)).epsilon(1e-6));
    ProfileOptions gauss0 = q, shift0 = q, shift3 = q, agree = q, only = q, excl = q;
    gauss0.law = DirectionLaw::kGaussian;
    shift0.law = shift3.law = DirectionLaw::kShiftedGaussian;
    shift0.shift_mean = 0;
    shift3.shift_mean = 3;
    const std::vector<double> g = DirectionCosines({gauss0, shift0, shift3, q});
    CHECK(g[0 * 4 + 1] == Approx(1.0).epsilon(1e-6));  // float32 directions
    CHECK(std::abs(g[2 * 4 + 3] - 3 / std::sqrt(10.0)) < 0.02);
    agree.law = DirectionLaw::kSignAgreement;
    agree.agreement = 0.8;
    agree.points = 5;
    CHECK(std::abs(Profile(agree).sign_agreement - 0.8) < 4.5 * std::sqrt(0.16 / 19858));
    only.law = excl.law = DirectionLaw::kGaussian;
    only.mask = ParameterMask::kOnlyBn;
    excl.mask = ParameterMask::kExcludeBn;
    CHECK(Profile(only).perturbed == 240);  // the BN gamma/beta counted above (19858 - 19618)
    CHECK(Profile(excl).perturbed == 19858 - 240);
    // Unit vectors: cos(full, excluded) = norm of the full direction outside BN, cos(full, only)
    // = its norm inside BN; the two squares sum to 1.
    const std::vector<double> m = DirectionCosines({gauss0, excl, only});
    CHECK(m[0 * 3 + 1] * m[0 * 3 + 1] + m[0 * 3 + 2] * m[0 * 3 + 2] == Approx(1.0).epsilon(1e-6));
    CHECK(m[1 * 3 + 2] == Approx(0.0).margin(1e-12));
    CHECK(std::abs(m[0 * 3 + 1] - std::sqrt(19618.0 / 19858)) < 0.01);

    // The saved file as Python's torch.load reads it (python3-torch, installed by scripts/setup).
    const fs::path file = fs::path(o.out_dir) / "direction.pt";
    const fs::path report = fs::path(o.out_dir) / "direction.txt";
    const std::string bytes = DirectionFileBytes(gauss0);
    std::ofstream(file, std::ios::binary) << bytes;
    const pid_t child = valleys::testing::Spawn(
        "/usr/bin/python3",
        {VALLEYS_TEST_SOURCE_DIR "/realnets/read_direction.py", file.string(), report.string()});
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    INFO("python3 with torch reads the direction file (is python3-torch installed?)");
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    std::ifstream in(report);
    std::map<std::string, std::string> found;
    for (std::string key, value; in >> key >> value;) found[key] = value;
    CHECK(found["tensors"] == "25");
    CHECK(found["dtypes"] == "torch.float32");
    CHECK(std::stod(found["sum_sq"]) == Approx(1.0).epsilon(1e-6));
    double sum = 0;
    std::string names;
    for (const auto& e : load(bytes)) {
      sum += e.value().toTensor().to(torch::kFloat64).sum().item<double>();
      names += (names.empty() ? "" : ",") + e.key().toStringRef();
    }
    CHECK(std::stod(found["sum"]) == Approx(sum).epsilon(1e-9));
    CHECK(found["names"] == names);
    CHECK(names.rfind("stem.weight,", 0) == 0);

    // The height search's accepted points are the losses a grid profile measures at the same
    // offsets (BN recomputed at each): Profile with range = offset puts its last point there.
    HeightSearchOptions search;
    search.heights = {0.01, 0.03};
    search.max_offset = 8;
    const HeightProfileResult hp = ProfileAtHeights(gauss0, search);
    REQUIRE(hp.points.size() == 4);
    int compared = 0;
    for (const HeightPoint& pt : hp.points) {
      if (pt.censored) continue;
      ProfileOptions at = gauss0;
      at.range = pt.offset;
      at.points = 5;
      const ProfileResult grid = Profile(at);
      const std::size_t k = pt.side > 0 ? 4 : 0;
      CHECK(grid.curve.t[k] == Approx(pt.side * pt.offset));
      CHECK(grid.curve.train_loss[k] == Approx(pt.train_loss).epsilon(1e-6));
      CHECK(grid.curve.test_loss[k] == Approx(pt.test_loss).epsilon(1e-6));
      CHECK(grid.curve.test_acc[k] == Approx(pt.test_acc).epsilon(1e-9));
      CHECK(std::abs(pt.rise - pt.height) <= 0.05 * pt.height + 1e-12);
      ++compared;
    }
    CHECK(compared >= 2);
    CHECK(hp.centre_test_loss == Approx(gauss.curve.test_loss[2]).epsilon(1e-6));
  }

  // Top Hessian eigenvalue >= the curvature along any direction (a Rayleigh quotient), here a
  // random one measured by a second difference of the frozen-BN training loss.
  HessianOptions h;
  h.base = o;
  h.checkpoint = "swa";
  h.sample_size = 500;
  h.iterations = 30;
  const HessianResult top = TopHessianEigenvalue(h);
  CHECK(top.top_eigenvalue > 0);
  {
    ProfileOptions q = p;
    q.law = DirectionLaw::kGaussian;
    q.range = 0.02;
    q.points = 5;
    const ProfileResult tiny = Profile(q);
    const auto& L = tiny.curve.train_loss;
    const double curvature = (L[1] - 2 * L[2] + L[3]) / (0.01 * 0.01);
    CHECK(top.top_eigenvalue >= curvature * 0.95);
  }
  fs::remove_all(o.out_dir);

  // The line's ends reproduce both models' losses (BN-free net: no BN statistics involved).
  {
    TrainOptions n = o;
    n.model.batch_norm = false;
    n.epochs = 3;  // SWA averages epochs 2 and 3: distinct from the last iterate
    const TrainSummary ns = Train(n);
    LineOptions line;
    line.probe.base = n;
    line.probe.eval_size = 500;
    line.from = "swa";
    line.to = "sgd";
    line.points = 6;  // alpha = -2, -1, 0, 1, 2, 3
    const LineResult r = Line(line);
    REQUIRE(r.curve.t.size() == 6);
    CHECK(r.curve.t[2] == 0.0);
    CHECK(r.curve.t[3] == 1.0);
    CHECK(r.curve.test_loss[2] == Approx(ns.swa_test_loss).epsilon(1e-5));
    CHECK(r.curve.test_loss[3] == Approx(ns.sgd_test_loss).epsilon(1e-5));
    CHECK(r.distance > 0);
    fs::remove_all(n.out_dir);
  }

  // BN recompute equals the exact statistics of the data: the first BN layer sees the stem's
  // output. Network and images channels-last, as every run places them (the recompute's fast
  // path).
  torch::manual_seed(3);
  const detail::Net model = detail::MakeModel(ModelSpec{});
  detail::PlaceNet(model, TrainOptions{});
  const torch::Tensor images = detail::ChannelsLast(torch::randn({400, 3, 32, 32}));
  detail::RecomputeBatchNorm(model, images, 100, false);  // 4 equal batches
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
  const torch::Tensor hs = stem->forward(images);
  const torch::Tensor exact_mean = hs.mean({0, 2, 3});
  CHECK(torch::allclose(first->running_mean, exact_mean, 1e-5, 1e-6));
  torch::Tensor batch_var = torch::zeros_like(exact_mean);
  for (int b = 0; b < 4; ++b)
    batch_var += hs.narrow(0, 100 * b, 100).var({0, 2, 3}, /*unbiased=*/true) / 4;
  CHECK(torch::allclose(first->running_var, batch_var, 1e-5, 1e-6));
  detail::RecomputeBatchNorm(model, images, 400, false);  // one batch: the exact variance
  CHECK(torch::allclose(first->running_var, hs.var({0, 2, 3}, true), 1e-5, 1e-6));
  CHECK(detail::BatchNormParameterNames(model).count("block0_bn1.weight") == 1);
  CHECK(detail::BatchNormParameterNames(model).count("block0_conv1.weight") == 0);

  // Augmentation: a crop of the zero-padded image, flipped or not.
  {
    const torch::Tensor img = torch::arange(3 * 32 * 32, torch::kFloat32).view({1, 3, 32, 32}) + 1;
    const torch::Tensor out = detail::Augment(img.expand({64, 3, 32, 32}).contiguous());
    const torch::Tensor padded = torch::constant_pad_nd(img, {4, 4, 4, 4}, 0)[0];
    for (int64_t i = 0; i < 64; ++i) {
      bool found = false;
      for (int dy = 0; dy <= 8 && !found; ++dy)
        for (int dx = 0; dx <= 8 && !found; ++dx) {
          const torch::Tensor crop = padded.narrow(1, dy, 32).narrow(2, dx, 32);
          found = torch::equal(out[i], crop) || torch::equal(out[i], crop.flip({2}));
        }
      CHECK(found);
    }
  }
}

TEST_CASE("eval mode: BN folded into the convolutions equals the unfolded network",
          "[realnets][torch]") {
  // Eval mode folds each BN that follows a convolution into it. With the running statistics set
  // to one batch's own (momentum 1), the eval-mode output equals the train-mode output on that
  // batch, computed without folding, up to the unbiased/biased variance factor n/(n-1) (n >= 4096
  // values per channel: a scale error below 1.3e-4 per layer) and rounding. VGG's convolutions have
  // a bias of their own.
  for (const char* block : {"basic", "bottleneck", "vgg16"}) {
    torch::manual_seed(5);
    ModelSpec m;
    if (std::string(block) == "vgg16") {
      m.arch = Arch::kVgg16;
      m.depth = 16;
      m.width = 4;
    } else {
      m.block = std::string(block) == "basic" ? BlockType::kBasic : BlockType::kBottleneck;
      m.depth = std::string(block) == "basic" ? 8 : 11;
      m.width = 8;
    }
    m.bn_init = BnInit::kUniform01;
    valleys::realnets::detail::Net net = valleys::realnets::detail::MakeModel(m);
    torch::NoGradGuard guard;
    for (auto& mod : net->modules(false)) {
      if (auto bn = std::dynamic_pointer_cast<torch::nn::BatchNorm2dImpl>(mod)) {
        bn->options.momentum(1.0);
        bn->bias.normal_(0.0, 0.3);
      }
      if (auto conv = std::dynamic_pointer_cast<torch::nn::Conv2dImpl>(mod))
        if (conv->options.bias()) conv->bias.normal_(0.0, 0.3);  // initialized to 0
    }
    // >= 4096 values per channel in every BN: 64 images down to 8x8 (residual), 1024 down to 2x2.
    const torch::Tensor x = torch::randn({m.arch == Arch::kVgg16 ? 1024 : 64, 3, 32, 32});
    net->train();
    const torch::Tensor train_out = net->forward(x);
    net->eval();
    const torch::Tensor eval_out = net->forward(x);
    INFO(block << " blocks: max |eval - train| = "
               << (eval_out - train_out).abs().max().item<float>());
    CHECK(torch::allclose(eval_out, train_out, 1e-3, 1e-3));
  }
}

TEST_CASE("BN recompute passes: the fast train-mode BN equals LibTorch's BatchNorm2d",
          "[realnets][torch]") {
  // Oracles: torch's double-precision moments of each batch, the running statistics updated from
  // them in double by LibTorch's documented rule, and LibTorch's own train-mode forward. Tolerances
  // are rounding ones (no randomness in the pass). Against the double oracle: 1e-6 relative (the
  // fast path sums centred floats in runs of <= 1,024 values and adds the runs in double; measured
  // errors <= 4e-7). Against LibTorch: 1e-4, because LibTorch's own float sums are off by up to
  // 2.3e-5 relative at 131,072 values per channel (measured against the same double oracle).
  namespace detail = valleys::realnets::detail;
  const auto cl = torch::MemoryFormat::ChannelsLast;
  struct Shape {
    int64_t n, c, h;
    double offset;
  };
  // Channel counts that divide the 64 accumulator lanes and that do not (3, 70); row counts that
  // leave rows over (5 * 7 * 7); a mean 100x the spread (the shift keeps the variance exact).
  for (const Shape& shape : {Shape{128, 8, 32, 0.5}, Shape{128, 16, 16, -1}, Shape{64, 32, 8, 0},
                             Shape{5, 3, 7, 0.3}, Shape{3, 70, 5, 2}, Shape{16, 8, 4, 100}}) {
    INFO("batch " << shape.n << ", channels " << shape.c << ", " << shape.h << "x" << shape.h
                  << ", mean offset " << shape.offset);
    torch::manual_seed(11);
    for (const bool cumulative : {true, false}) {
      torch::nn::BatchNorm2d ours(shape.c), theirs(shape.c);
      for (auto* bn : {&ours, &theirs}) {
        if (cumulative) (*bn)->options.momentum({});
        (*bn)->train();
      }
      {
        torch::NoGradGuard guard;
        ours->weight.uniform_(0.5, 1.5);
        ours->bias.normal_(0.0, 0.3);
        theirs->weight.copy_(ours->weight);
        theirs->bias.copy_(ours->bias);
      }
      c10::InferenceMode guard;
      torch::Tensor expect_mean = torch::zeros({shape.c}, torch::kFloat64);
      torch::Tensor expect_var = torch::ones({shape.c}, torch::kFloat64);
      for (int batch = 0; batch < 3; ++batch) {
        const torch::Tensor x =
            (torch::randn({shape.n, shape.c, shape.h, shape.h}) * (1 + batch) + shape.offset)
                .contiguous(cl);
        const torch::Tensor a = detail::BatchNormTrainWithoutGrad(*ours, x);
        const torch::Tensor b = theirs->forward(x);
        INFO("batch " << batch << (cumulative ? ", cumulative" : ", momentum 0.1")
                      << ": max |ours - LibTorch| = " << (a - b).abs().max().item<float>());
        CHECK(a.is_contiguous(cl));
        CHECK(torch::allclose(a, b, 1e-4, 1e-4));
        CHECK(torch::allclose(ours->running_mean, theirs->running_mean, 1e-4, 1e-5));
        CHECK(torch::allclose(ours->running_var, theirs->running_var, 1e-4, 1e-5));
        CHECK(ours->num_batches_tracked.item<int64_t>() == batch + 1);
        CHECK(theirs->num_batches_tracked.item<int64_t>() == batch + 1);
        const detail::ChannelMoments m = detail::ChannelsLastMoments(x);
        const torch::Tensor x64 = x.to(torch::kFloat64);
        CHECK(torch::allclose(m.variance, x64.var({0, 2, 3}, /*unbiased=*/false), 1e-6, 0));
        const double factor = cumulative ? 1.0 / (batch + 1) : 0.1;
        expect_mean = expect_mean * (1 - factor) + x64.mean({0, 2, 3}) * factor;
        expect_var = expect_var * (1 - factor) + x64.var({0, 2, 3}, /*unbiased=*/true) * factor;
        CHECK(torch::allclose(ours->running_mean.to(torch::kFloat64), expect_mean, 1e-6, 1e-7));
        CHECK(torch::allclose(ours->running_var.to(torch::kFloat64), expect_var, 1e-6, 0));
      }
    }
  }

  // The same moments, bit for bit, on 1 and 2 threads (fixed summation order).
  const torch::Tensor x = torch::randn({128, 16, 16, 16}).contiguous(cl);
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  const detail::ChannelMoments one = detail::ChannelsLastMoments(x);
  torch::set_num_threads(2);
  const detail::ChannelMoments two = detail::ChannelsLastMoments(x);
  torch::set_num_threads(threads);
  CHECK(torch::equal(one.mean, two.mean));
  CHECK(torch::equal(one.variance, two.variance));

  // Other inputs go to LibTorch itself: the same values exactly, and autograd still works.
  torch::nn::BatchNorm2d ours(16), theirs(16);
  ours->train();
  theirs->train();
  {
    c10::InferenceMode guard;
    const torch::Tensor nchw = torch::randn({8, 16, 4, 4});
    CHECK(torch::equal(detail::BatchNormTrainWithoutGrad(*ours, nchw), theirs->forward(nchw)));
    CHECK_THROWS_AS(detail::ChannelsLastMoments(nchw), std::invalid_argument);
  }
  const torch::Tensor with_grad = detail::BatchNormTrainWithoutGrad(*ours, x);
  CHECK(with_grad.requires_grad());
}

namespace {
using valleys::testing::Slurp;

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

// Runs valleys-realnets with `args`. With `kill_after_state_ms` >= 0 the child is killed
// (SIGKILL) that many milliseconds after `state` (its first saved epoch) appears, so the kill lands
// mid-way however slow the machine is; returns the exit status, -1 when killed.
int Run(const std::vector<std::string>& args, int kill_after_state_ms = -1,
        const fs::path& state = {}) {
  const pid_t child = valleys::testing::Spawn(VALLEYS_REALNETS_BINARY, args, {false, true, false});
  REQUIRE(child > 0);
  int status = 0;
  if (kill_after_state_ms >= 0) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (!fs::exists(state) && std::chrono::steady_clock::now() < give_up) {
      if (waitpid(child, &status, WNOHANG) == child)  // finished (or failed) before any epoch
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_state_ms));
    kill(child, SIGKILL);
  }
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
  REQUIRE(Run(with("full", false)) == 0);
  std::mt19937 rng(77);  // kill times from a fixed seed
  bool killed_mid_way = false;
  for (int attempt = 0; attempt < 3 && !killed_mid_way; ++attempt) {
    const std::string out = "killed" + std::to_string(attempt);
    const fs::path state = dir / out / "state.json";
    // Anywhere in the second epoch or the saving of its state (an epoch takes about a second).
    const int delay = std::uniform_int_distribution<int>(0, 600)(rng);
    INFO("attempt " << attempt << ": kill " << delay
                    << " ms after the first saved epoch (seed 77)");
    Run(with(out, false), delay, state);
    if (fs::exists(state)) {
      const std::string text = Slurp(state);
      killed_mid_way = text.find("\"epoch\": 4") == std::string::npos;
    }
    REQUIRE(Run(with(out, true)) == 0);
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

namespace {
struct Output {
  int code;
  std::string text;  // stdout and stderr
};
// Runs `command` through /bin/sh (the test's runner; valleys-realnets itself starts no shell).
Output Sh(const std::string& command) {
  const valleys::testing::CommandResult r = valleys::testing::RunCommand(command);
  return {r.code, r.out};
}
std::string Word(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

TEST_CASE("checkpoints: hostile paths, paths as given, SHA-256 checked, one-line errors",
          "[realnets][torch][checkpoint]") {
  const fs::path base = fs::temp_directory_path() / ("valleys_ckpt_" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base);
  const std::string bin = VALLEYS_REALNETS_BINARY;
  const std::string small = " --train-size 500 --test-size 100";
  const fs::path run = base / "run x'; touch PWNED; echo '$(touch PWNED)\nz";
  Output r = Sh("cd " + Word(base.string()) + " && " + bin + " train --epochs 2" + small +
                " --out " + Word(run.string()));
  INFO(r.text);
  REQUIRE(r.code == 0);
  REQUIRE(fs::exists(run / "sgd.pt.sha256"));

  // A checkpoint by absolute path, written elsewhere under its own name.
  const fs::path probes = base / "probes \"q\"";
  r = Sh(bin + " profile --checkpoint " + Word((run / "sgd.pt").string()) +
         " --points 5 --eval-size 100" + small + " --out " + Word(probes.string()));
  INFO(r.text);
  CHECK(r.code == 0);
  CHECK(fs::exists(probes / "profile_sgd_uniform01_d0_recompute.csv"));
  // And relative to the working folder, as given.
  r = Sh("cd " + Word(run.string()) + " && " + bin +
         " profile --checkpoint swa.pt --points 5 --eval-size 100" + small + " --out " +
         Word(probes.string()));
  INFO(r.text);
  CHECK(r.code == 0);
  CHECK(fs::exists(probes / "profile_swa_uniform01_d0_recompute.csv"));
  for (const auto& entry : fs::recursive_directory_iterator(base))
    CHECK(entry.path().filename() != "PWNED");

  // One flipped byte: refused, in one line, before any number is computed.
  {
    std::fstream f(run / "sgd.pt", std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(run / "sgd.pt") / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(run / "sgd.pt") / 2));
    c = static_cast<char>(c ^ 0x10);
    f.write(&c, 1);
  }
  r = Sh(bin + " profile --checkpoint sgd --points 5 --eval-size 100" + small + " --out " +
         Word(run.string()));
  INFO(r.text);
  CHECK(r.code == 1);
  CHECK_THAT(r.text, Catch::Contains("is corrupt: its SHA-256 is"));
  CHECK(std::count(r.text.begin(), r.text.end(), '\n') == 1);

  // A training state whose optimizer file is gone: one line naming it, no LibTorch backtrace.
  for (const auto& entry : fs::directory_iterator(run))
    if (entry.path().filename().string().find(".optim.pt") != std::string::npos &&
        entry.path().extension() == ".pt")
      fs::remove(entry.path());
  r = Sh(bin + " train --epochs 2 --resume" + small + " --out " + Word(run.string()));
  INFO(r.text);
  CHECK(r.code == 1);
  CHECK_THAT(r.text, Catch::Contains("optim.pt' does not exist"));
  CHECK(std::count(r.text.begin(), r.text.end(), '\n') == 1);
  fs::remove_all(base);
}

TEST_CASE("result objects: widths at heights with censored sides, line stem and metadata",
          "[realnets][torch][json]") {
  HeightProfileResult r;
  r.search.evaluations = 9;
  auto point = [](int side, double height, double offset, bool censored) {
    HeightPoint p;
    p.side = side;
    p.height = height;
    p.offset = offset;
    p.censored = censored;
    return p;
  };
  // +1 side first, then -1, each per height.
  r.points = {point(1, 0.1, 2.0, false), point(1, 0.5, 8.0, true), point(-1, 0.1, 1.0, false),
              point(-1, 0.5, 3.0, false)};
  const auto j = HeightProfileResultJson(r, "p_heights.csv");
  CHECK(j["profile"] == "p_heights.csv");
  CHECK(j["evaluations"] == 9);
  REQUIRE(j["width_ratio_at"].size() == 2);
  CHECK(j["width_ratio_at"][0]["ratio"] == 2.0);
  CHECK(j["width_ratio_at"][0]["censored"] == false);
  CHECK(j["width_ratio_at"][1]["width_plus"].is_null());
  CHECK(j["width_ratio_at"][1]["width_minus"] == 3.0);
  CHECK(j["width_ratio_at"][1]["ratio"].is_null());

  LineOptions o;
  o.from = "swa";
  o.to = "sgd";
  o.probe.bn_mode = BnMode::kFrozen;
  CHECK(LineStem(o) == "line_swa_sgd_frozen");
  LineResult line;
  line.distance = 3.5;
  line.slope_beyond_to = 0.25;
  const auto lj = LineResultJson(line, "x.csv");
  CHECK(lj["distance"] == 3.5);
  CHECK(lj["slope_beyond_to"] == 0.25);

  TrainSummary s;
  s.parameters = 10;
  CHECK_FALSE(TrainResultJson(s).contains("swa_test_loss"));
  s.has_swa = true;
  CHECK(TrainResultJson(s).contains("swa_test_loss"));
}

TEST_CASE("the single-step commands refuse invalid options before they create a run folder",
          "[realnets][torch][commands]") {
  const fs::path dir = fs::temp_directory_path() / ("valleys_cmds_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  TrainOptions train;
  train.out_dir = (dir / "train").string();
  train.epochs = 0;
  CHECK_THROWS_WITH(TrainCommand(train), Catch::Contains("TrainOptions::epochs = 0"));
  ProfileCommandOptions profile;
  profile.profile.probe.base.out_dir = (dir / "profile").string();
  profile.profile.points = 4;
  CHECK_THROWS_WITH(ProfileCommand(profile), Catch::Contains("ProfileOptions::points = 4"));
  profile.profile.points = 5;
  profile.heights = HeightSearchOptions{};
  profile.heights->tolerance = 0;
  CHECK_THROWS_WITH(ProfileCommand(profile), Catch::Contains("HeightSearchOptions::tolerance"));
  LineOptions line;
  line.probe.base.out_dir = (dir / "line").string();
  line.points = 1;
  CHECK_THROWS_AS(LineCommand(line), std::invalid_argument);
  HessianOptions hessian;
  hessian.base.out_dir.clear();
  CHECK_THROWS_WITH(HessianCommand(hessian), Catch::Contains("TrainOptions::out_dir is empty"));
  CHECK_FALSE(fs::exists(dir));
}
