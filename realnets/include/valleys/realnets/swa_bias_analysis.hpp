// C18's analysis of one direction from its measurements (the model: swa_bias.hpp), its admission
// gates, and the statistics over directions that the pre-registered rule reads (docs/realnets.md).
// No LibTorch types: the tests run the same analysis on simulated iterates of known valleys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "valleys/realnets/swa_bias.hpp"

namespace valleys::realnets {

// What one direction's analysis needs.
struct SwaBiasDirectionData {
  std::vector<double> offsets;           // t_k = <w_k - w_swa, d>, in the order of the run
  std::vector<double> grad_projections;  // <g_b, d> of per-batch gradients at w_swa
  ProbeCurve curve;  // the training loss along d (t = 0: w_swa), t strictly increasing
  double lr = 0;     // the SWA phase's rate along d
  double momentum = 0;
  bool nesterov = false;
  double weight_decay = 0, w_dot_d = 0;  // phi adds (weight_decay / 2) |w_swa + t d|^2
};

// Fills `row` (its direction, range and curve are the caller's): the offsets' mean, sd and
// skewness; the asymmetric-quadratic fit of phi on the window symmetric about its minimum;
// the measured bias and P(flat); the exact chain's prediction at (lr, momentum, nesterov) and the
// folded-rate chain beside it; the gates' values and the admission. `kappa` (> 1): the curvature
// ratio from which a side is called flat. Throws std::invalid_argument for invalid gates, a
// curve that is not strictly increasing in t, or kappa <= 1.
void AnalyseSwaBiasDirection(const SwaBiasDirectionData& data, double kappa,
                             const SwaBiasGates& gates, SwaBiasRow* row);

// (mean of the second half - mean of the first half) / the sd of all values (an odd count
// leaves the middle value out of both halves); NaN with fewer than 4 values or a zero sd.
double HalvesShift(const std::vector<double>& values);

// The least-squares slope through the origin of y on x, sum x y / sum x^2; NaN when the sizes
// differ, the sample is empty or sum x^2 = 0.
double SlopeThroughOrigin(const std::vector<double>& x, const std::vector<double>& y);

struct SignPermutationTest {
  int n = 0;             // pairs with both values non-zero and finite
  double rate = 0;       // fraction of them with sign(measured) = sign(predicted)
  double baseline = 0;   // the mean rate with the predicted values permuted over the pairs
  double p_value = 1;    // (1 + #{permuted rate >= rate}) / (1 + permutations)
  int permutations = 0;  // draws
};
// The sign agreement of measured and predicted biases against its permutation baseline: the
// chance rate that the marginal sign frequencies alone give. Seeded, so that a run repeats.
SignPermutationTest SignAgreementPermutation(const std::vector<double>& measured,
                                             const std::vector<double>& predicted, int permutations,
                                             std::uint64_t seed);

}  // namespace valleys::realnets
