#include "valleys/realnets/logistic2d.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>

namespace valleys::realnets {

bool Logistic2dOptions::IsValid(std::string* why) const {
  auto fail = [&](const std::string& m) {
    if (why) *why = "Logistic2dOptions::" + m;
    return false;
  };
  if (points_per_class < 1 || points_per_class > 100000)
    return fail(fmt::format("points_per_class = {} (allowed: 1..100000)", points_per_class));
  if (steps < 1 || steps > 1000000) return fail(fmt::format("steps = {} (allowed: 1..1e6)", steps));
  if (!(lr > 0 && lr <= 100)) return fail(fmt::format("lr = {} (allowed: 0 < lr <= 100)", lr));
  if (!(init_std >= 0 && init_std <= 100))
    return fail(fmt::format("init_std = {} (allowed: 0..100)", init_std));
  if (!(range > 0 && range <= 1e4))
    return fail(fmt::format("range = {} (allowed: 0 < r <= 1e4)", range));
  if (grid_points < 5 || grid_points % 2 == 0 || grid_points > 100001)
    return fail(fmt::format("grid_points = {} (allowed: odd, 5..100001)", grid_points));
  if (seeds < 1 || seeds > 100000)
    return fail(fmt::format("seeds = {} (allowed: 1..100000)", seeds));
  if (!(kappa > 1)) return fail(fmt::format("kappa = {} (allowed: > 1)", kappa));
  return true;
}

double LogisticLoss(const std::vector<double>& x, const std::vector<int>& y, double w, double b) {
  // -log sigmoid(z) for y = 1 and -log(1 - sigmoid(z)) = -log sigmoid(-z) for y = 0, with
  // -log sigmoid(z) = log1p(exp(-z)) evaluated without overflow.
  auto softplus_neg = [](double z) {
    return z > 0 ? std::log1p(std::exp(-z)) : -z + std::log1p(std::exp(z));
  };
  double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double z = w * x[i] + b;
    sum += y[i] == 1 ? softplus_neg(z) : softplus_neg(-z);
  }
  return sum / static_cast<double>(x.size());
}

namespace {

Logistic2dRun RunOne(const Logistic2dOptions& o, std::uint64_t seed) {
  boost::random::mt19937 gen(static_cast<std::uint32_t>(seed));
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  boost::random::uniform_01<double> uniform;
  std::vector<double> x;
  std::vector<int> y;
  for (int label = 0; label < 2; ++label)
    for (int i = 0; i < o.points_per_class; ++i) {
      x.push_back((label == 0 ? 1.0 : -1.0) + normal(gen));
      y.push_back(label);
    }
  double w = o.init_std * normal(gen), b = o.init_std * normal(gen);
  double sum_w = 0, sum_b = 0;
  const double n = static_cast<double>(x.size());
  for (int step = 0; step < o.steps; ++step) {
    double gw = 0, gb = 0;  // d/d(w,b) of the mean cross-entropy: mean (sigmoid(z) - y) (x, 1)
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double r = 1.0 / (1.0 + std::exp(-(w * x[i] + b))) - y[i];
      gw += r * x[i];
      gb += r;
    }
    w -= o.lr * gw / n;
    b -= o.lr * gb / n;
    sum_w += w;
    sum_b += b;
  }
  Logistic2dRun run;
  run.seed = seed;
  run.centre_w = sum_w / o.steps;
  run.centre_b = sum_b / o.steps;
  const double uw = uniform(gen), ub = uniform(gen), norm = std::hypot(uw, ub);
  run.dir_w = uw / norm;
  run.dir_b = ub / norm;
  const int half = o.grid_points / 2;
  for (int k = -half; k <= half; ++k) {
    const double t = k == 0 ? 0.0 : o.range * k / half;
    run.t.push_back(t);
    run.loss.push_back(
        LogisticLoss(x, y, run.centre_w + t * run.dir_w, run.centre_b + t * run.dir_b));
  }
  run.score = ScoreProfile(run.t, run.loss);
  AsymmetryCriterion criterion;
  criterion.kappa = o.kappa;
  run.asymmetry = MeasureAsymmetry(run.t, run.loss, criterion);
  return run;
}

}  // namespace

Logistic2dSummary RunLogistic2d(const Logistic2dOptions& o) {
  std::string why;
  if (!o.IsValid(&why)) throw std::invalid_argument(why);
  Logistic2dSummary s;
  for (int k = 0; k < o.seeds; ++k) {
    s.runs.push_back(RunOne(o, o.first_seed + static_cast<std::uint64_t>(k)));
    const AsymmetryReport& a = s.runs.back().asymmetry;
    s.asymmetric += a.asymmetric;
    s.flat_pos += a.flat_side == theory::Side::kPositive;
    s.flat_neg += a.flat_side == theory::Side::kNegative;
  }
  return s;
}

}  // namespace valleys::realnets
