// The bracketing of a loss profile: the grid's extension and the refinement of its minimum.
#include "profile_bracket.hpp"

#include <algorithm>
#include <cmath>

namespace valleys::realnets::detail {

namespace {

// Appends the point t to the curve (kept sorted by t).
void Insert(const ProbeCurve& point, ProbeCurve* c) {
  const auto at = std::lower_bound(c->t.begin(), c->t.end(), point.t[0]) - c->t.begin();
  c->t.insert(c->t.begin() + at, point.t[0]);
  c->train_loss.insert(c->train_loss.begin() + at, point.train_loss[0]);
  c->train_acc.insert(c->train_acc.begin() + at, point.train_acc[0]);
  c->test_loss.insert(c->test_loss.begin() + at, point.test_loss[0]);
  c->test_acc.insert(c->test_acc.begin() + at, point.test_acc[0]);
}

}  // namespace

void Bracket(const ProbeTarget& net, const std::vector<torch::Tensor>& centre,
             const std::vector<torch::Tensor>& dir, const ProfileOptions& o, const ProbeData& data,
             ProbeCurve* c) {
  const double step = 2 * o.range / (o.points - 1);
  const double limit = o.bracket_limit * o.range * (1 + 1e-12);
  const auto evaluate = [&](double t) {
    Insert(EvaluateAlong(net, centre, dir, {t}, o.probe, data, {}), c);
  };
  const auto lowest = [&] { return *std::min_element(c->train_loss.begin(), c->train_loss.end()); };
  for (const int side : {1, -1}) {
    for (;;) {
      const double edge = side > 0 ? c->t.back() : c->t.front();
      const double edge_loss = side > 0 ? c->train_loss.back() : c->train_loss.front();
      if (edge_loss - lowest() >= o.bracket_rise || std::abs(edge + side * step) > limit) break;
      evaluate(edge + side * step);
    }
  }
  const auto i = static_cast<std::size_t>(
      std::min_element(c->train_loss.begin(), c->train_loss.end()) - c->train_loss.begin());
  const double t_min = c->t[i];
  const double left = i > 0 ? (c->t[i - 1] + t_min) / 2 : std::nan("");
  const double right = i + 1 < c->t.size() ? (c->t[i + 1] + t_min) / 2 : std::nan("");
  if (!std::isnan(left)) evaluate(left);
  if (!std::isnan(right)) evaluate(right);
}

ProbeCurve OnGrid(const ProbeCurve& c, double step) {
  ProbeCurve g;
  for (std::size_t i = 0; i < c.t.size(); ++i) {
    const double k = c.t[i] / step;
    if (std::abs(k - std::round(k)) > 1e-6) continue;
    g.t.push_back(c.t[i]);
    g.train_loss.push_back(c.train_loss[i]);
    g.train_acc.push_back(c.train_acc[i]);
    g.test_loss.push_back(c.test_loss[i]);
    g.test_acc.push_back(c.test_acc[i]);
  }
  return g;
}

}  // namespace valleys::realnets::detail
