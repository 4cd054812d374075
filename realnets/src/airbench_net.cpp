#include "airbench_net.hpp"

#include <fmt/format.h>

#include "batch_norm_pass.hpp"

namespace valleys::realnets::detail {

namespace {

constexpr int kWhiteningFilters = 24;  // 12 eigenvectors of the 2x2x3 patches, each with both signs
constexpr double kWhiteningEps = 5e-4;
constexpr double kBnEps = 1e-12, kBnMomentum = 0.4;  // airbench94's (its momentum 0.6 = 1 - 0.4)
constexpr double kHeadScale = 1.0 / 9.0;             // logits = head(features) / 9

// The parameter table of any module (Module::parameters_ is protected; a pointer to that member
// formed in a derived class applies to every Module).
struct ParameterTable : torch::nn::Module {
  static torch::OrderedDict<std::string, torch::Tensor>& Of(torch::nn::Module& m) {
    return m.*(&ParameterTable::parameters_);
  }
};

// airbench94's BN without a trained scale: LibTorch's BatchNorm2d without affine parameters, its
// `bias` slot then filled with a trained bias (an undefined weight is the identity scale in
// torch::batch_norm), so that the parameter is `<norm>.bias` as in a BatchNorm2d. A factory, not a
// subclass: Debian's LibTorch does not export the BatchNorm base's pretty_print that a subclass's
// construction vtables need in an unoptimized (sanitizer) build.
std::shared_ptr<torch::nn::BatchNorm2dImpl> BiasOnlyBatchNorm(int channels) {
  auto bn = std::make_shared<torch::nn::BatchNorm2dImpl>(
      torch::nn::BatchNorm2dOptions(channels).eps(kBnEps).momentum(kBnMomentum).affine(false));
  auto& table = ParameterTable::Of(*bn);
  table.erase("weight");
  table["bias"] = torch::zeros({channels}).requires_grad_(true);
  bn->bias = table["bias"];
  return bn;
}

torch::nn::Conv2d Conv3x3(int in, int out) {
  torch::nn::Conv2d c(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false));
  torch::NoGradGuard guard;
  // The first `in` filters start as the identity on the input (airbench's dirac initialization).
  torch::nn::init::dirac_(c->weight.narrow(0, 0, std::min(in, out)));
  return c;
}

torch::Tensor Activate(Activation activation, const torch::Tensor& x) {
  if (activation == Activation::kSoftplus) return torch::softplus(x);
  if (activation == Activation::kRelu) return torch::relu(x);
  if (activation == Activation::kSigmoid) return torch::sigmoid(x);
  return torch::gelu(x);
}

class AirbenchNetImpl : public NetImpl {
 public:
  explicit AirbenchNetImpl(const ModelSpec& spec) : spec_(spec) {
    whiten_weight_ = register_buffer("whiten_weight", torch::zeros({kWhiteningFilters, 3, 2, 2}));
    whiten_bias_ = register_parameter("whiten_bias", torch::zeros({kWhiteningFilters}));
    const int widths[3] = {spec.width, 4 * spec.width, 4 * spec.width};
    int in = kWhiteningFilters;
    for (int g = 0; g < 3; ++g) {
      Group group;
      for (int k = 0; k < 2; ++k) {
        const std::string name = fmt::format("group{}_", g + 1);
        group.conv[k] = register_module(name + fmt::format("conv{}", k + 1),
                                        Conv3x3(k == 0 ? in : widths[g], widths[g]));
        const std::string norm = name + fmt::format("norm{}", k + 1);
        if (!spec.batch_norm) {
          group.bias[k] = register_parameter(norm + "_bias", torch::zeros({widths[g]}));
        } else if (spec.bn_init == BnInit::kOnes) {
          group.bn[k] = register_module(norm, BiasOnlyBatchNorm(widths[g]));
        } else {
          auto bn = std::make_shared<torch::nn::BatchNorm2dImpl>(
              torch::nn::BatchNorm2dOptions(widths[g]).eps(kBnEps).momentum(kBnMomentum));
          torch::NoGradGuard guard;
          if (spec.bn_init == BnInit::kUniform01) bn->weight.uniform_(0.0, 1.0);
          if (spec.bn_init == BnInit::kNormal01) bn->weight.normal_(0.0, 0.1);
          group.bn[k] = register_module(norm, bn);
        }
      }
      groups_.push_back(group);
      in = widths[g];
    }
    head_ =
        register_module("head", torch::nn::Linear(torch::nn::LinearOptions(in, 10).bias(false)));
  }

  torch::Tensor forward(torch::Tensor x) override {
    x = Activate(spec_.activation, torch::conv2d(x, whiten_weight_, whiten_bias_));
    for (auto& g : groups_) {
      x = Activate(spec_.activation, Normalize(g, 0, torch::max_pool2d(g.conv[0]->forward(x), 2)));
      x = Activate(spec_.activation, Normalize(g, 1, g.conv[1]->forward(x)));
    }
    x = torch::max_pool2d(x, 3).flatten(1);
    return head_->forward(x).mul_(kHeadScale);
  }

  void InitFromData(const torch::Tensor& images) {
    torch::NoGradGuard guard;
    InitWhitening(images);
    if (spec_.batch_norm) return;
    // LSUV: each layer's output on `images` scaled to unit variance, layer by layer in order.
    const bool was_training = is_training();
    eval();
    torch::Tensor x =
        Activate(spec_.activation, torch::conv2d(images, whiten_weight_, whiten_bias_));
    for (auto& g : groups_) {
      x = torch::max_pool2d(g.conv[0]->forward(x), 2);
      x = Activate(spec_.activation, x.div_(RescaleTo(g.conv[0]->weight, x)));
      x = g.conv[1]->forward(x);
      x = Activate(spec_.activation, x.div_(RescaleTo(g.conv[1]->weight, x)));
    }
    const torch::Tensor logits =
        head_->forward(torch::max_pool2d(x, 3).flatten(1)).mul_(kHeadScale);
    RescaleTo(head_->weight, logits);
    train(was_training);
  }

 private:
  struct Group {
    torch::nn::Conv2d conv[2] = {torch::nn::Conv2d{nullptr}, torch::nn::Conv2d{nullptr}};
    std::shared_ptr<torch::nn::BatchNorm2dImpl> bn[2];  // null in the BN-free twin
    torch::Tensor bias[2];                              // the BN-free twin's per-channel biases
  };

  torch::Tensor Normalize(Group& g, int k, const torch::Tensor& x) {
    if (!g.bn[k]) return x + g.bias[k].view({1, -1, 1, 1});
    const torch::nn::BatchNorm2dImpl& bn = *g.bn[k];
    if (bn.is_training()) return BatchNormTrainWithoutGrad(*g.bn[k], x);
    // Evaluation as the explicit per-channel affine map of the running statistics: LibTorch's
    // fused batch_norm has no second derivative without a weight (the bias-only layers), and the
    // Hessian-vector product needs one.
    torch::Tensor scale = torch::rsqrt(bn.running_var + bn.options.eps());
    if (bn.weight.defined()) scale = scale * bn.weight;
    const torch::Tensor shift = bn.bias - bn.running_mean * scale;
    return x * scale.view({1, -1, 1, 1}) + shift.view({1, -1, 1, 1});
  }

  // Divides `weight` (in place) by the standard deviation of the layer's output `y`; returns it.
  static torch::Tensor RescaleTo(torch::Tensor& weight, const torch::Tensor& y) {
    const torch::Tensor sd = y.std().clamp_min(1e-8);
    weight.div_(sd);
    return sd;
  }

  void InitWhitening(const torch::Tensor& images) {
    const int64_t c = images.size(1);
    // [N, C, 31, 31, 2, 2] -> every 2x2 patch as a row of C * 4 values (channel-major, as the
    // filters are laid out).
    const torch::Tensor patches = images.to(torch::kFloat64)
                                      .unfold(2, 2, 1)
                                      .unfold(3, 2, 1)
                                      .permute({0, 2, 3, 1, 4, 5})
                                      .reshape({-1, c * 4});
    const torch::Tensor cov = patches.t().mm(patches) / static_cast<double>(patches.size(0));
    const auto [values, vectors] = torch::linalg::eigh(cov, "U");  // ascending eigenvalues
    const torch::Tensor order = torch::arange(c * 4 - 1, -1, -1, torch::kInt64);
    const torch::Tensor v = vectors.index_select(1, order).t();  // rows: eigenvectors, descending
    const torch::Tensor scaled =
        v / torch::sqrt(values.index_select(0, order) + kWhiteningEps).unsqueeze(1);
    const torch::Tensor filters = torch::cat({scaled, -scaled}).view({kWhiteningFilters, c, 2, 2});
    whiten_weight_.copy_(filters.to(whiten_weight_.dtype()));
  }

  ModelSpec spec_;
  torch::Tensor whiten_weight_, whiten_bias_;
  std::vector<Group> groups_;
  torch::nn::Linear head_{nullptr};
};

}  // namespace

Net MakeAirbenchNet(const ModelSpec& spec) {
  return std::make_shared<AirbenchNetImpl>(spec);
}

void InitFromData(const Net& net, const torch::Tensor& images) {
  auto* airbench = dynamic_cast<AirbenchNetImpl*>(net.get());
  if (!airbench)
    throw std::invalid_argument(
        fmt::format("InitFromData: '{}' is not an airbench network", net->description));
  airbench->InitFromData(images);
}

bool IsNormBiasName(const std::string& name) {
  return name.find("_norm") != std::string::npos && name.size() >= 4 &&
         name.compare(name.size() - 4, 4, "bias") == 0;
}

bool IsWhiteningBiasName(const std::string& name) {
  return name == "whiten_bias";
}

}  // namespace valleys::realnets::detail
