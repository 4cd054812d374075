// The paper's 2-parameter case (protocol.md §4, claim C11): logistic regression sigmoid(w x + b) on
// 20 points of a 1-D two-class problem, trained by full-batch gradient descent; the loss is probed
// along a random all-positive direction through the average of the iterates. No LibTorch: the
// gradient is in closed form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "valleys/realnets/asymmetry_measure.hpp"
#include "valleys/realnets/profile_analysis.hpp"

namespace valleys::realnets {

struct Logistic2dOptions {
  int points_per_class = 10;  // label 0 from N(+1, 1), label 1 from N(-1, 1)
  int steps = 30;             // full-batch gradient descent steps
  double lr = 0.01;
  double init_std = 1.0;  // (w, b) start from N(0, init_std^2) each (0: start at the origin)
  double range = 7.5;     // offsets t in [-range, range] along the unit direction
  int grid_points = 31;   // odd, includes t = 0
  std::uint64_t first_seed = 0;
  int seeds = 50;      // seeds first_seed .. first_seed + seeds - 1
  double kappa = 3.0;  // the criterion's kappa (AsymmetryCriterion: detrended rise ratio)
  bool IsValid(std::string* why) const;
};

// The minimizer of the mean cross-entropy of sigmoid(w x + b) (x one-dimensional), by Newton's
// method with backtracking (Armijo, halving) from (w0, b0) until the gradient's norm is below
// 1e-10. None exists when the classes are separable, completely or quasi-completely (every x of
// one label <= every x of the other; one label only): then `separable`, no iteration, and (w, b)
// = (w0, b0). Not converged either after 200 iterations or when |(w, b)| passes 1e4.
struct LogisticMinimum {
  double w = 0, b = 0;
  bool separable = false;
  bool converged = false;
  int iterations = 0;
  double gradient_norm = 0;  // at (w, b)
};
LogisticMinimum MinimizeLogistic(const std::vector<double>& x, const std::vector<int>& y, double w0,
                                 double b0);

struct Logistic2dRun {
  std::uint64_t seed = 0;
  double centre_w = 0, centre_b = 0;  // the average of iterates 1..steps (the authors' centre)
  double dir_w = 0, dir_b = 0;        // U(0,1)^2 scaled to unit norm
  std::vector<double> t, loss;        // mean binary cross-entropy along the direction
  ProfileScore score;                 // the width rule at one height (ProfileDelta, kappa 2)
  AsymmetryReport asymmetry;          // under the declared criterion, with `kappa`
  // The same direction through the minimizer (MinimizeLogistic from the centre), when it exists.
  LogisticMinimum minimum;
  std::vector<double> loss_at_minimum;  // at the same offsets t; empty when not converged
  AsymmetryReport asymmetry_at_minimum;
};

struct Logistic2dSummary {
  std::vector<Logistic2dRun> runs;
  int asymmetric = 0;  // runs asymmetric under the criterion, at the 30-step average
  int flat_pos = 0, flat_neg = 0;
  int minimizers = 0;  // runs whose minimizer exists (classes not separable) and was found
  int asymmetric_at_minimum = 0, flat_pos_at_minimum = 0, flat_neg_at_minimum = 0;
};

// Mean binary cross-entropy of sigmoid(w x + b) against labels y (0/1), computed stably.
double LogisticLoss(const std::vector<double>& x, const std::vector<int>& y, double w, double b);

// Per seed (boost::random::mt19937 seeded with the seed): the 20 points (class 0 first), then the
// initial (w, b), then the direction. Throws std::invalid_argument on invalid options.
Logistic2dSummary RunLogistic2d(const Logistic2dOptions& options);

}  // namespace valleys::realnets
