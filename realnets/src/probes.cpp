// Probes of a trained network: loss profiles along random directions, the SWA<->SGD line, and the
// top Hessian eigenvalue (protocol.md §2-3).
#include <fnmatch.h>

#include <algorithm>
#include <cmath>

#include <ATen/CPUGeneratorImpl.h>

#include <fmt/format.h>

#include "hessian_operator.hpp"
#include "probe_points.hpp"
#include "probe_target.hpp"
#include "profile_bracket.hpp"
#include "runtime.hpp"
#include "saved_direction.hpp"
#include "validation.hpp"

namespace valleys::realnets {

namespace detail {

ProbeData LoadProbeData(const ProbeOptions& p) {
  return {LoadData(p.base, true, p.eval_size), LoadData(p.base, false, p.base.test_size)};
}

ProbeCurve EvaluateAlong(const ProbeTarget& net, const std::vector<torch::Tensor>& centre,
                         const std::vector<torch::Tensor>& direction,
                         const std::vector<double>& offsets, const ProbeOptions& p,
                         const ProbeData& data, const ProbeProgress& progress) {
  ProbeCurve c;
  std::vector<torch::Tensor> w(centre.size());
  for (double t : offsets) {
    for (std::size_t k = 0; k < centre.size(); ++k) w[k] = centre[k] + t * direction[k];
    net.SetParameters(w);
    if (p.bn_mode == BnMode::kRecompute) net.RecomputeBatchNorm(p, data.train.x);
    const Eval tr = net.Evaluate(data.train, p.augmented_train_eval);
    const Eval te = net.Evaluate(data.test, false);
    c.t.push_back(t);
    c.train_loss.push_back(tr.loss);
    c.train_acc.push_back(tr.acc);
    c.test_loss.push_back(te.loss);
    c.test_acc.push_back(te.acc);
    if (progress)
      progress(static_cast<long long>(c.t.size()), static_cast<long long>(offsets.size()));
  }
  return c;
}

Direction MakeDirection(const ProbeTarget& net, const ProfileOptions& o) {
  const TrainOptions& b = o.probe.base;
  const std::set<std::string> bn = net.BatchNormParameterNames();
  // The direction's own stream: seed, direction index and law mixed (splitmix-style constants).
  // shifted-gaussian draws the gaussian law's stream, so that mean 0 is that direction.
  const DirectionLaw stream_law =
      o.law == DirectionLaw::kShiftedGaussian ? DirectionLaw::kGaussian : o.law;
  const std::uint64_t law_code = static_cast<std::uint64_t>(DirectionLawCode(stream_law));
  const std::uint64_t stream =
      b.seed * 0x9E3779B97F4A7C15ULL + 1000003ULL * (o.direction + 1) + 7919ULL * law_code;
  at::Generator gen = at::detail::createCPUGenerator(stream);
  Direction out;
  double norm2 = 0, agree = 0, support = 0;
  torch::NoGradGuard guard;
  const auto named = net.NamedParameters();
  // logit-scale: the last layer is the module of the last parameter (its name up to the last dot).
  const std::string last = named.empty() ? "" : named.back().first;
  const std::string last_layer = last.substr(0, last.rfind('.') + 1);
  const auto excluded_name = [&](const std::string& name) {
    const bool is_bn = bn.count(name) > 0;
    return (o.mask == ParameterMask::kExcludeBn && is_bn) ||
           (o.mask == ParameterMask::kOnlyBn && !is_bn) ||
           (!o.exclude_pattern.empty() &&
            ::fnmatch(o.exclude_pattern.c_str(), name.c_str(), 0) == 0);
  };
  // The hessian laws: the saved vector of each parameter, its sign chosen so that <d, w> >= 0
  // over the parameters the masks leave in (an eigenvector's sign is arbitrary).
  const bool saved_law =
      o.law == DirectionLaw::kHessianTop || o.law == DirectionLaw::kHessianBottom;
  SavedDirection saved;
  double saved_sign = 1;
  if (saved_law) {
    saved = LoadSavedDirection(o);
    out.source_sha256 = saved.sha256;
    double dot = 0;
    for (const auto& [name, value] : named) {
      const auto it = saved.tensors.find(name);
      if (it == saved.tensors.end() || !it->second.sizes().equals(value.sizes()))
        throw std::invalid_argument(fmt::format(
            "ProfileOptions::eigenvector_file '{}': vector '{}' has {} for parameter '{}' of shape "
            "{} (allowed: a vector of this network, every parameter by name and shape)",
            o.eigenvector_file, saved.key,
            it == saved.tensors.end() ? std::string("no tensor")
                                      : "shape " + c10::str(it->second.sizes()),
            name, c10::str(value.sizes())));
      if (!excluded_name(name))
        dot += (it->second.to(torch::kFloat64) * value.detach().to(torch::kCPU, torch::kFloat64))
                   .sum()
                   .item<double>();
    }
    if (dot < 0) saved_sign = -1;
  }
  for (const auto& [name, value] : named) {
    const torch::Tensor w = value.detach().to(torch::kCPU);
    const bool excluded = excluded_name(name);
    torch::Tensor d;
    switch (o.law) {
      case DirectionLaw::kUniform01:
        d = at::rand(w.sizes(), gen);
        break;
      case DirectionLaw::kGaussian:
        d = at::randn(w.sizes(), gen);
        break;
      case DirectionLaw::kSign:
        d = at::randn(w.sizes(), gen).abs() * torch::sign(w);
        break;
      case DirectionLaw::kFilter:
        d = FilterNormalize(at::randn(w.sizes(), gen), w, o.filter_copy_1d);
        break;
      case DirectionLaw::kOnes:
        d = torch::ones_like(w);
        break;
      case DirectionLaw::kShiftedGaussian:
        d = at::randn(w.sizes(), gen) + o.shift_mean;
        break;
      case DirectionLaw::kSignAgreement: {
        // The weights' sign (+ where w = 0), kept with probability `agreement`, else flipped.
        const torch::Tensor magnitude = at::randn(w.sizes(), gen).abs();
        const torch::Tensor keep = at::rand(w.sizes(), gen) < o.agreement;
        const torch::Tensor sign_w = torch::where(w < 0, -torch::ones_like(w), torch::ones_like(w));
        d = magnitude * torch::where(keep, sign_w, -sign_w);
        break;
      }
      case DirectionLaw::kLogitScale:
        // The last layer's own weights: moving along it multiplies the logits (a temperature).
        d = name.compare(0, last_layer.size(), last_layer) == 0 ? w.clone() : torch::zeros_like(w);
        break;
      case DirectionLaw::kHessianTop:
      case DirectionLaw::kHessianBottom:
        d = saved_sign * saved.tensors.at(name).to(w.scalar_type());
        break;
    }
    if (o.remove_radial) {
      // The tensor's radial component removed: d - (<d, w> / <w, w>) w.
      const double ww = w.to(torch::kFloat64).pow(2).sum().item<double>();
      if (ww > 0)
        d = d - (d.to(torch::kFloat64) * w.to(torch::kFloat64)).sum().item<double>() / ww * w;
    }
    if (excluded) d = torch::zeros_like(w);  // drawn anyway: a mask does not move the stream
    const torch::Tensor both = (d != 0).logical_and(w != 0);
    agree += (torch::sign(d) == torch::sign(w)).logical_and(both).sum().item<double>();
    support += both.sum().item<double>();
    out.perturbed += (d != 0).sum().item<int64_t>();
    norm2 += d.to(torch::kFloat64).pow(2).sum().item<double>();
    out.names.push_back(name);
    out.tensors.push_back(d);
  }
  if (out.perturbed == 0)
    throw std::invalid_argument(fmt::format(
        "ProfileOptions::mask = {}{}: the network has no parameter it perturbs (a BN-free network "
        "has no BN gamma/beta)",
        ParameterMaskToString(o.mask),
        o.exclude_pattern.empty() ? "" : ", exclude_pattern = '" + o.exclude_pattern + "'"));
  const double scale = o.law == DirectionLaw::kFilter || norm2 == 0 ? 1.0 : 1.0 / std::sqrt(norm2);
  for (auto& d : out.tensors) d = d * scale;
  out.norm = std::sqrt(norm2) * scale;
  out.sign_agreement = support > 0 ? agree / support : 0.0;
  return out;
}

}  // namespace detail

namespace {

using detail::Fail;

double InterpolateAt(const std::vector<double>& x, const std::vector<double>& y, double at) {
  if (at <= x.front()) return y.front();
  for (std::size_t i = 1; i < x.size(); ++i)
    if (at <= x[i]) return y[i - 1] + (y[i] - y[i - 1]) * (at - x[i - 1]) / (x[i] - x[i - 1]);
  return y.back();
}

}  // namespace

bool ProbeOptions::IsValid(std::string* why) const {
  if (!base.IsValid(why)) return false;
  if (eval_size < 0 || eval_size == 1)
    return Fail(why,
                fmt::format("ProbeOptions::eval_size = {} (allowed: 0 (all) or >= 2)", eval_size));
  return true;
}

bool ProfileOptions::IsValid(std::string* why) const {
  if (!probe.IsValid(why)) return false;
  if (points < 5 || points % 2 == 0 || points > 1001)
    return Fail(why, fmt::format("ProfileOptions::points = {} (allowed: odd, 5..1001)", points));
  if (!(range > 0 && range < 1e6))
    return Fail(why, fmt::format("ProfileOptions::range = {} (allowed: 0 < range < 1e6)", range));
  if (direction < 0 || direction > 1000000)
    return Fail(why, fmt::format("ProfileOptions::direction = {} (allowed: 0..1e6)", direction));
  if (!(std::abs(shift_mean) <= 100))
    return Fail(why,
                fmt::format("ProfileOptions::shift_mean = {} (allowed: -100..100)", shift_mean));
  if (!(agreement >= 0 && agreement <= 1))
    return Fail(why, fmt::format("ProfileOptions::agreement = {} (allowed: 0..1)", agreement));
  if (!model.empty() && checkpoint != ProfileOptions{}.checkpoint)
    return Fail(why, fmt::format("ProfileOptions::model '{}' and ProfileOptions::checkpoint '{}' "
                                 "were both given (allowed: one of them)",
                                 model, checkpoint));
  if (!model.empty() && probe.augmented_train_eval)
    return Fail(why,
                "ProfileOptions::model: the augmented training loss needs valleys' own network "
                "(the crop and flip of CIFAR-10 images)");
  if (!(bracket_rise >= 0 && bracket_rise <= 100))
    return Fail(
        why, fmt::format("ProfileOptions::bracket_rise = {} (allowed: 0..100 nats)", bracket_rise));
  if (!(bracket_limit >= 1 && bracket_limit <= 1000))
    return Fail(
        why, fmt::format("ProfileOptions::bracket_limit = {} (allowed: 1..1000)", bracket_limit));
  const bool saved_law = law == DirectionLaw::kHessianTop || law == DirectionLaw::kHessianBottom;
  if (saved_law && eigenvector_file.empty())
    return Fail(why, fmt::format("ProfileOptions::law = {} needs ProfileOptions::eigenvector_file "
                                 "(allowed: the file of `hessian --save-eigenvectors`)",
                                 DirectionLawToString(law)));
  if (!saved_law && !eigenvector_file.empty())
    return Fail(why, fmt::format("ProfileOptions::eigenvector_file '{}' is set but the law is {} "
                                 "(allowed: only with hessian-top or hessian-bottom)",
                                 eigenvector_file, DirectionLawToString(law)));
  return true;
}

std::string DirectionLabel(const ProfileOptions& o) {
  std::string label = DirectionLawToString(o.law);
  if (o.law == DirectionLaw::kShiftedGaussian)
    label = fmt::format("shifted-gaussian:mean={}", o.shift_mean);
  if (o.law == DirectionLaw::kSignAgreement)
    label = fmt::format("sign-agreement:r={}", o.agreement);
  if (o.mask == ParameterMask::kExcludeBn) label += "/exclude-bn";
  if (o.mask == ParameterMask::kOnlyBn) label += "/only-bn";
  if (!o.exclude_pattern.empty()) label += "/exclude=" + o.exclude_pattern;
  if (o.remove_radial) label += "/no-radial";
  return label;
}

namespace {

bool ParseLawLabel(const std::string& text, ProfileOptions* o, std::string* why);

}  // namespace

bool ParseDirectionLabel(const std::string& text, ProfileOptions* o, std::string* why) {
  const std::size_t slash = text.find('/');
  ProfileOptions next = *o;
  if (!ParseLawLabel(text.substr(0, slash), &next, why)) return false;
  for (std::size_t at = slash; at != std::string::npos;) {
    const std::size_t end = text.find('/', at + 1);
    const std::string part = text.substr(at + 1, end == std::string::npos ? end : end - at - 1);
    if (part == "no-radial") {
      next.remove_radial = true;
    } else if (part == "exclude-bn" || part == "only-bn") {
      next.mask = part == "exclude-bn" ? ParameterMask::kExcludeBn : ParameterMask::kOnlyBn;
    } else if (part.rfind("exclude=", 0) == 0 && part.size() > 8) {
      next.exclude_pattern = part.substr(8);
    } else {
      return Fail(why, fmt::format("ProfileOptions::law = '{}': '{}' is not a mask (allowed: "
                                   "/exclude-bn, /only-bn, /exclude=PATTERN, /no-radial)",
                                   text, part));
    }
    at = end;
  }
  *o = next;
  return true;
}

namespace {

bool ParseLawLabel(const std::string& text, ProfileOptions* o, std::string* why) {
  const std::size_t colon = text.find(':');
  const std::string name = text.substr(0, colon);
  DirectionLaw law;
  if (!StringToDirectionLaw(name, &law))
    return Fail(why, fmt::format("ProfileOptions::law = '{}' (allowed: {}; shifted-gaussian "
                                 "takes :mean=M, sign-agreement takes :r=R)",
                                 name, DirectionLawNames()));
  if (colon == std::string::npos) {
    o->law = law;
    return true;
  }
  const std::string parameter = text.substr(colon + 1);
  const char* key = law == DirectionLaw::kShiftedGaussian ? "mean="
                    : law == DirectionLaw::kSignAgreement ? "r="
                                                          : nullptr;
  if (!key)
    return Fail(why, fmt::format("ProfileOptions::law = '{}': {} takes no parameter", text, name));
  const std::size_t key_size = std::char_traits<char>::length(key);
  double value = 0;
  std::size_t used = 0;
  bool parsed = parameter.compare(0, key_size, key) == 0 && parameter.size() > key_size;
  if (parsed) {
    try {
      value = std::stod(parameter.substr(key_size), &used);
    } catch (const std::exception&) {
      parsed = false;
    }
    parsed = parsed && used == parameter.size() - key_size && std::isfinite(value);
  }
  if (!parsed)
    return Fail(why,
                fmt::format("ProfileOptions::law = '{}': expected {}:{}<number>", text, name, key));
  ProfileOptions next = *o;
  next.law = law;
  (law == DirectionLaw::kShiftedGaussian ? next.shift_mean : next.agreement) = value;
  if (!(std::abs(next.shift_mean) <= 100 && next.agreement >= 0 && next.agreement <= 1))
    return Fail(why, fmt::format("ProfileOptions::law = '{}': {} out of range (allowed: mean in "
                                 "-100..100, r in 0..1)",
                                 text, key));
  *o = next;
  return true;
}

}  // namespace

namespace {

// The measurements of a profile whose curve is known: the direction's statistics against the
// centre's weights, the valley measure of the whole curve and the grid scores of its grid points.
ProfileResult Analyse(const ProfileOptions& o, const detail::ProbeTarget& net,
                      const detail::Direction& d, ProbeCurve curve) {
  ProfileResult r;
  r.checkpoint_sha256 = net.Sha256();
  r.model_description = net.Description();
  r.parameter_count = net.ParameterCount();
  r.curve = std::move(curve);
  r.grid_points = o.points;
  const ProbeCurve grid = detail::OnGrid(r.curve, 2 * o.range / (o.points - 1));
  torch::NoGradGuard guard;
  const std::vector<torch::Tensor> centre = net.ParameterTensors();
  double norm2 = 0, dot = 0, dir2 = 0;
  for (std::size_t k = 0; k < centre.size(); ++k) {
    const torch::Tensor w = centre[k].detach().to(torch::kCPU, torch::kFloat64);
    const torch::Tensor v = d.tensors[k].to(torch::kCPU, torch::kFloat64);
    if (v.abs().sum().item<double>() == 0) continue;  // not perturbed
    norm2 += w.pow(2).sum().item<double>();
    dir2 += v.pow(2).sum().item<double>();
    dot += (w * v).sum().item<double>();
  }
  r.weights_norm = std::sqrt(norm2);
  r.direction_weight_cosine = norm2 > 0 && dir2 > 0 ? dot / std::sqrt(norm2 * dir2) : 0.0;
  ValleyCriterion vc;
  vc.distance_unit = r.weights_norm > 0 ? r.weights_norm : 1.0;
  r.train_valley = MeasureValley(r.curve.t, r.curve.train_loss, vc);
  r.test_valley = MeasureValley(r.curve.t, r.curve.test_loss, vc);
  r.sign_agreement = d.sign_agreement;
  r.direction_norm = d.norm;
  r.direction_file_sha256 = d.source_sha256;
  r.perturbed = d.perturbed;
  r.train_score = ScoreProfile(grid.t, grid.train_loss);
  r.test_score = ScoreProfile(grid.t, grid.test_loss);
  r.train_asymmetry = MeasureAsymmetry(grid.t, grid.train_loss);
  r.test_asymmetry = MeasureAsymmetry(grid.t, grid.test_loss);
  return r;
}

}  // namespace

ProfileResult Profile(const ProfileOptions& o, const ProbeProgress& progress) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  const TrainOptions& b = o.probe.base;
  detail::SetThreads(b);
  torch::manual_seed(b.seed + 7);  // augmented probe evaluation only
  const detail::ProbeData data = detail::LoadProbeData(o.probe);
  const auto net = detail::LoadTarget(b, o.model, o.checkpoint, "ProfileOptions::model");
  detail::CheckProbeLabels(*net, data, b);
  const detail::Direction d = detail::MakeDirection(*net, o);
  std::vector<torch::Tensor> centre, dir;
  torch::NoGradGuard guard;
  for (const auto& t : net->ParameterTensors()) centre.push_back(t.detach().clone());
  for (const auto& t : d.tensors) dir.push_back(t.to(detail::DeviceOf(b)));
  std::vector<double> offsets;
  const int half = o.points / 2;
  for (int k = -half; k <= half; ++k) offsets.push_back(k == 0 ? 0.0 : o.range * k / half);
  ProbeCurve curve = detail::EvaluateAlong(*net, centre, dir, offsets, o.probe, data, progress);
  if (o.bracket_rise > 0) detail::Bracket(*net, centre, dir, o, data, &curve);
  net->SetParameters(centre);
  return Analyse(o, *net, d, std::move(curve));
}

ProfileResult ProfileFromCurve(const ProfileOptions& o, const ProbeCurve& curve) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  const std::size_t n = curve.t.size();
  if (n < 3 || curve.train_loss.size() != n || curve.train_acc.size() != n ||
      curve.test_loss.size() != n || curve.test_acc.size() != n)
    throw std::invalid_argument(fmt::format(
        "ProfileFromCurve: curve.t has {} points and the loss and accuracy columns {}, {}, {}, {} "
        "(allowed: equal sizes, >= 3)",
        n, curve.train_loss.size(), curve.train_acc.size(), curve.test_loss.size(),
        curve.test_acc.size()));
  detail::SetThreads(o.probe.base);
  const auto net = detail::LoadTarget(o.probe.base, o.model, o.checkpoint, "ProfileOptions::model");
  return Analyse(o, *net, detail::MakeDirection(*net, o), curve);
}

std::vector<double> DirectionCosines(const std::vector<ProfileOptions>& profiles) {
  if (profiles.empty()) return {};
  for (const auto& o : profiles) {
    std::string why;
    if (!o.IsValid(&why)) throw std::invalid_argument(why);
  }
  const TrainOptions& b = profiles.front().probe.base;
  detail::SetThreads(b);
  const auto net = detail::LoadTarget(b, profiles.front().model, profiles.front().checkpoint,
                                      "ProfileOptions::model");
  std::vector<detail::Direction> dirs;
  for (const auto& o : profiles) dirs.push_back(detail::MakeDirection(*net, o));
  const std::size_t m = dirs.size();
  std::vector<double> gram(m * m, 0.0);
  torch::NoGradGuard guard;
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = i; j < m; ++j) {
      double dot = 0;
      for (std::size_t k = 0; k < dirs[i].tensors.size(); ++k)
        dot += (dirs[i].tensors[k].to(torch::kFloat64) * dirs[j].tensors[k].to(torch::kFloat64))
                   .sum()
                   .item<double>();
      const double c = i == j ? 1.0 : dot / (dirs[i].norm * dirs[j].norm);
      gram[i * m + j] = gram[j * m + i] = c;
    }
  return gram;
}

std::string DirectionFileBytes(const ProfileOptions& o) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  detail::SetThreads(o.probe.base);
  const auto net = detail::LoadTarget(o.probe.base, o.model, o.checkpoint, "ProfileOptions::model");
  const detail::Direction d = detail::MakeDirection(*net, o);
  c10::Dict<std::string, at::Tensor> dict;
  for (std::size_t k = 0; k < d.names.size(); ++k)
    dict.insert(d.names[k], d.tensors[k].to(torch::kFloat32).contiguous());
  const std::vector<char> bytes = torch::pickle_save(c10::IValue(dict));
  return std::string(bytes.begin(), bytes.end());
}

HeightProfileResult ProfileAtHeights(const ProfileOptions& o, const HeightSearchOptions& search,
                                     const ProbeProgress& progress) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  if (!search.IsValid(&why)) throw std::invalid_argument(why);
  const TrainOptions& b = o.probe.base;
  detail::SetThreads(b);
  torch::manual_seed(b.seed + 7);  // augmented probe evaluation only
  const detail::ProbeData data = detail::LoadProbeData(o.probe);
  HeightProfileResult r;
  const auto net = detail::LoadTarget(b, o.model, o.checkpoint, "ProfileOptions::model");
  detail::CheckProbeLabels(*net, data, b);
  r.checkpoint_sha256 = net->Sha256();
  r.model_description = net->Description();
  r.parameter_count = net->ParameterCount();
  const detail::Direction d = detail::MakeDirection(*net, o);
  std::vector<torch::Tensor> centre, dir;
  torch::NoGradGuard guard;
  for (const auto& t : net->ParameterTensors()) centre.push_back(t.detach().clone());
  for (const auto& t : d.tensors) dir.push_back(t.to(detail::DeviceOf(b)));
  r.sign_agreement = d.sign_agreement;
  r.direction_norm = d.norm;
  r.perturbed = d.perturbed;
  // The training loss at t: parameters moved, BN recomputed as ProbeOptions::bn_mode says; the
  // network keeps that state until the next call, so on_accept measures the test loss in it.
  double last_train_acc = 0;
  const auto train_loss_at = [&](double t) {
    std::vector<torch::Tensor> w(centre.size());
    for (std::size_t k = 0; k < centre.size(); ++k) w[k] = centre[k] + t * dir[k];
    net->SetParameters(w);
    if (o.probe.bn_mode == BnMode::kRecompute) net->RecomputeBatchNorm(o.probe, data.train.x);
    const detail::Eval tr = net->Evaluate(data.train, o.probe.augmented_train_eval);
    last_train_acc = tr.acc;
    return tr.loss;
  };
  bool centre_done = false;
  double last_accepted = std::nan("");
  detail::Eval te;
  const auto on_accept = [&](double t, const HeightCrossing& c) {
    if (!(t == last_accepted)) te = net->Evaluate(data.test, false);  // same point: same state
    last_accepted = t;
    HeightPoint p;
    p.side = t > 0 ? 1 : -1;
    p.height = c.height;
    p.offset = c.offset;
    p.rise = c.rise;
    p.train_acc = last_train_acc;
    p.test_loss = te.loss;
    p.test_acc = te.acc;
    r.points.push_back(p);
    if (progress)
      progress(static_cast<long long>(r.points.size()),
               2 * static_cast<long long>(search.heights.size()));
  };
  // The centre first (the search evaluates t = 0 first): its test loss too.
  const auto loss_at = [&](double t) {
    last_accepted = std::nan("");
    const double loss = train_loss_at(t);
    if (!centre_done) {
      const detail::Eval centre_test = net->Evaluate(data.test, false);
      r.centre_test_loss = centre_test.loss;
      r.centre_test_acc = centre_test.acc;
      r.centre_train_acc = last_train_acc;
      centre_done = true;
    }
    return loss;
  };
  r.search = SearchHeights(search, loss_at, on_accept);
  // One point per side and height, in the order of the search's crossings; a censored crossing
  // has no evaluated point (NaN losses).
  std::vector<HeightPoint> ordered;
  for (int side : {1, -1}) {
    const auto& crossings = side > 0 ? r.search.positive : r.search.negative;
    for (const HeightCrossing& c : crossings) {
      HeightPoint p;
      p.side = side;
      p.height = c.height;
      p.offset = c.offset;
      p.rise = c.rise;
      p.censored = c.censored;
      p.train_loss = r.search.centre_loss + c.rise;
      p.train_acc = p.test_loss = p.test_acc = std::nan("");
      for (const HeightPoint& q : r.points)
        if (!c.censored && q.side == side && q.height == c.height) {
          p.train_acc = q.train_acc;
          p.test_loss = q.test_loss;
          p.test_acc = q.test_acc;
        }
      if (c.censored) p.train_loss = std::nan("");
      ordered.push_back(p);
    }
  }
  r.points = ordered;
  return r;
}

bool LineOptions::IsValid(std::string* why) const {
  if (!probe.IsValid(why)) return false;
  if (!(alpha_lo <= 0 && alpha_hi >= 1 && alpha_hi - alpha_lo < 1e3))
    return Fail(
        why,
        fmt::format("LineOptions::alpha_lo, LineOptions::alpha_hi = [{}, {}] must hold 0 and 1",
                    alpha_lo, alpha_hi));
  if (points < 3 || points > 10001)
    return Fail(why, fmt::format("LineOptions::points = {} (allowed: 3..10001)", points));
  for (double a : {0.0, 1.0}) {
    const double k = (a - alpha_lo) / (alpha_hi - alpha_lo) * (points - 1);
    if (std::abs(k - std::round(k)) > 1e-6)
      return Fail(why, fmt::format("LineOptions: alpha = {} is not on the grid of "
                                   "LineOptions::points = {} over [{}, {}]",
                                   a, points, alpha_lo, alpha_hi));
  }
  if (from == to)
    return Fail(why, "LineOptions::from = LineOptions::to: the two ends are the same checkpoint");
  if (scripted && probe.augmented_train_eval)
    return Fail(why,
                "LineOptions::scripted: the augmented training loss needs valleys' own network");
  return true;
}

LineResult Line(const LineOptions& o, const ProbeProgress& progress) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  const TrainOptions& b = o.probe.base;
  detail::SetThreads(b);
  torch::manual_seed(b.seed + 11);
  const detail::ProbeData data = detail::LoadProbeData(o.probe);
  const auto net = detail::LoadTarget(b, o.scripted ? o.from : "", o.from, "LineOptions::from");
  const auto end = detail::LoadTarget(b, o.scripted ? o.to : "", o.to, "LineOptions::to");
  detail::CheckProbeLabels(*net, data, b);
  const auto from_named = net->NamedParameters(), to_named = end->NamedParameters();
  bool same = from_named.size() == to_named.size();
  for (std::size_t k = 0; same && k < from_named.size(); ++k)
    same = from_named[k].first == to_named[k].first &&
           from_named[k].second.sizes() == to_named[k].second.sizes();
  if (!same)
    throw std::invalid_argument(fmt::format(
        "LineOptions::to '{}' is not the network of LineOptions::from '{}' (its parameters differ "
        "in names or shapes)",
        o.to, o.from));
  std::vector<torch::Tensor> from, to;
  {
    torch::NoGradGuard guard;
    for (const auto& p : from_named) from.push_back(p.second.detach().clone());
    for (const auto& p : to_named) to.push_back(p.second.detach().clone());
  }
  std::vector<torch::Tensor> dir;
  double norm2 = 0;
  for (std::size_t k = 0; k < from.size(); ++k) {
    dir.push_back(to[k] - from[k]);
    norm2 += dir.back().to(torch::kFloat64).pow(2).sum().item<double>();
  }
  std::vector<double> alphas;
  for (int i = 0; i < o.points; ++i) {
    double a = o.alpha_lo + (o.alpha_hi - o.alpha_lo) * i / (o.points - 1);
    if (std::abs(a) < 1e-9) a = 0.0;
    if (std::abs(a - 1) < 1e-9) a = 1.0;
    alphas.push_back(a);
  }
  LineResult r;
  r.from_sha256 = net->Sha256();
  r.to_sha256 = end->Sha256();
  r.model_description = net->Description();
  r.parameter_count = net->ParameterCount();
  r.curve = detail::EvaluateAlong(*net, from, dir, alphas, o.probe, data, progress);
  r.distance = std::sqrt(norm2);
  const auto& x = r.curve.t;
  const auto& y = r.curve.train_loss;
  const double s_to = std::min(1.0, o.alpha_hi - 1), s_from = std::min(1.0, -o.alpha_lo);
  r.slope_beyond_to =
      s_to > 0 ? (InterpolateAt(x, y, 1 + s_to) - InterpolateAt(x, y, 1)) / s_to : 0;
  r.slope_beyond_from =
      s_from > 0 ? (InterpolateAt(x, y, -s_from) - InterpolateAt(x, y, 0)) / s_from : 0;
  return r;
}

bool HessianOptions::IsValid(std::string* why) const {
  if (!base.IsValid(why)) return false;
  if (sample_size < 2 || sample_size > 1000000)
    return Fail(why,
                fmt::format("HessianOptions::sample_size = {} (allowed: 2..1e6)", sample_size));
  if (iterations < 1 || iterations > 10000)
    return Fail(why,
                fmt::format("HessianOptions::iterations = {} (allowed: 1..10000)", iterations));
  if (!(tolerance > 0 && tolerance < 1))
    return Fail(why,
                fmt::format("HessianOptions::tolerance = {} (allowed: 0 < tol < 1)", tolerance));
  if (!model.empty() && checkpoint != HessianOptions{}.checkpoint)
    return Fail(why, fmt::format("HessianOptions::model '{}' and HessianOptions::checkpoint '{}' "
                                 "were both given (allowed: one of them)",
                                 model, checkpoint));
  return true;
}

HessianResult TopHessianEigenvalue(const HessianOptions& o, const ProbeProgress& progress) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  const detail::HessianSample sample = detail::LoadHessianSample(o);
  const detail::Data& data = sample.data;
  const auto& net = sample.net;
  const std::vector<torch::Tensor> params = net->ParameterTensors();
  at::Generator gen = at::detail::createCPUGenerator(o.base.seed * 7919 + 17);
  std::vector<torch::Tensor> v;
  double norm2 = 0;
  for (const auto& p : params) {
    v.push_back(at::randn(p.sizes(), gen).to(p.device()));
    norm2 += v.back().pow(2).sum().item<double>();
  }
  for (auto& t : v) t.div_(std::sqrt(norm2));
  const int64_t n = data.size();
  const int64_t batch = std::max<int64_t>(2, std::min<int64_t>(o.base.batch * 2, n));
  HessianResult r;
  r.checkpoint_sha256 = net->Sha256();
  r.model_description = net->Description();
  r.parameter_count = net->ParameterCount();
  double previous = 0;
  r.last_change = std::nan("");
  for (int it = 1; it <= o.iterations; ++it) {
    const std::vector<torch::Tensor> hv =
        detail::HessianVectorProduct(*net, data, params, v, batch);
    double rayleigh = 0, hv_norm2 = 0;
    for (std::size_t k = 0; k < hv.size(); ++k) {
      rayleigh += (hv[k] * v[k]).sum().item<double>();
      hv_norm2 += hv[k].pow(2).sum().item<double>();
    }
    // A model whose outputs (or their derivatives) are not finite has no eigenvalue to report.
    if (!std::isfinite(rayleigh) || !std::isfinite(hv_norm2))
      throw std::invalid_argument(fmt::format(
          "{} '{}': the Hessian-vector product is not finite at iteration {} (Rayleigh quotient "
          "{}): the network's outputs or their derivatives are nan or infinite on the training "
          "images, so no eigenvalue exists (allowed: a network with finite outputs)",
          o.model.empty() ? "HessianOptions::checkpoint" : "HessianOptions::model",
          o.model.empty() ? o.checkpoint : o.model, it, rayleigh));
    r.history.push_back(rayleigh);
    r.top_eigenvalue = rayleigh;
    r.iterations = it;
    if (progress) progress(it, o.iterations);
    if (it > 1) r.last_change = std::abs(rayleigh - previous) / std::abs(rayleigh);
    if (it > 1 && std::abs(rayleigh - previous) < o.tolerance * std::abs(rayleigh)) {
      r.converged = true;
      break;
    }
    previous = rayleigh;
    const double hn = std::sqrt(hv_norm2);
    if (hn == 0) break;
    for (std::size_t k = 0; k < v.size(); ++k) v[k] = hv[k] / hn;
  }
  return r;
}

std::string HessianSummary(const HessianOptions& o, const HessianResult& r) {
  if (r.converged)
    return fmt::format("{:.4g} ({} it., {} images)", r.top_eigenvalue, r.iterations, o.sample_size);
  return fmt::format("not converged after {} iterations (last change {:.2g}%)", r.iterations,
                     100 * r.last_change);
}

}  // namespace valleys::realnets
