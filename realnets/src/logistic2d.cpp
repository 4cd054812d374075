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

LogisticMinimum MinimizeLogistic(const std::vector<double>& x, const std::vector<int>& y, double w0,
                                 double b0) {
  const double n = static_cast<double>(x.size());
  // Gradient and Hessian of the mean cross-entropy: mean (s - y) (x, 1), mean s (1 - s) (x, 1)^2.
  auto derivatives = [&](double w, double b, double g[2], double h[3]) {
    g[0] = g[1] = h[0] = h[1] = h[2] = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double s = 1.0 / (1.0 + std::exp(-(w * x[i] + b)));
      const double r = s - y[i], c = s * (1 - s);
      g[0] += r * x[i] / n;
      g[1] += r / n;
      h[0] += c * x[i] * x[i] / n;
      h[1] += c * x[i] / n;
      h[2] += c / n;
    }
  };
  LogisticMinimum m;
  m.w = w0;
  m.b = b0;
  double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};  // per label
  for (std::size_t i = 0; i < x.size(); ++i) {
    lo[y[i]] = std::min(lo[y[i]], x[i]);
    hi[y[i]] = std::max(hi[y[i]], x[i]);
  }
  if (hi[0] <= lo[1] || hi[1] <= lo[0]) {  // one label only gives an infinite bound: also true
    m.separable = true;
    return m;
  }
  double g[2], h[3];
  for (m.iterations = 0; m.iterations <= 200; ++m.iterations) {
    derivatives(m.w, m.b, g, h);
    m.gradient_norm = std::hypot(g[0], g[1]);
    if (m.gradient_norm < 1e-10) {
      m.converged = true;
      return m;
    }
    if (std::hypot(m.w, m.b) > 1e4 || m.iterations == 200) return m;
    // Newton step -H^-1 g (H is positive definite unless every s(1 - s) underflows; then the
    // gradient step).
    const double det = h[0] * h[2] - h[1] * h[1];
    double dw = -g[0], db = -g[1];
    if (det > 1e-300) {
      dw = -(h[2] * g[0] - h[1] * g[1]) / det;
      db = -(-h[1] * g[0] + h[0] * g[1]) / det;
    }
    const double f = LogisticLoss(x, y, m.w, m.b), slope = g[0] * dw + g[1] * db;
    double step = 1;
    while (step > 1e-12 &&
           LogisticLoss(x, y, m.w + step * dw, m.b + step * db) > f + 1e-4 * step * slope)
      step *= 0.5;
    m.w += step * dw;
    m.b += step * db;
  }
  return m;
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
  run.minimum = MinimizeLogistic(x, y, run.centre_w, run.centre_b);
  if (run.minimum.converged) {
    for (double t : run.t)
      run.loss_at_minimum.push_back(
          LogisticLoss(x, y, run.minimum.w + t * run.dir_w, run.minimum.b + t * run.dir_b));
    run.asymmetry_at_minimum = MeasureAsymmetry(run.t, run.loss_at_minimum, criterion);
  }
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
    if (!s.runs.back().minimum.converged) continue;
    const AsymmetryReport& m = s.runs.back().asymmetry_at_minimum;
    ++s.minimizers;
    s.asymmetric_at_minimum += m.asymmetric;
    s.flat_pos_at_minimum += m.flat_side == theory::Side::kPositive;
    s.flat_neg_at_minimum += m.flat_side == theory::Side::kNegative;
  }
  return s;
}

}  // namespace valleys::realnets
