#pragma once
// Local robustness of a two-layer network with a piecewise-linear activation (ReLU, leaky ReLU,
// absolute value; others are rejected with an InputError) on an l_inf ball B_eps(x)
// (science.md 6.3).
//
// A neuron whose pre-activation satisfies |w_j . x + b_j| >= eps ||w_j||_1 keeps its state on the
// whole ball. If every neuron does ("stable"), f is affine on the ball, f(x + delta) = f(x) +
// delta . q with q = sum_{active j} a_j w_j, and its range is exactly f(x) -+ eps ||q||_1: the
// check is exact. A neuron that may change state is modelled by its state at x plus a bounded
// error (sound, not exact), so `certified` is always a proof that no point of the ball is
// misclassified.
//
// Units: x and epsilon are in the units of the data the user gives (raw inputs); a model's
// standardization is folded into the first layer, so the ball is an l_inf ball in raw units.
#include <Eigen/Dense>
#include <vector>

#include "convexnn/loss.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

// The first layer acting on raw inputs: pre-activations weights * x + bias, standardization
// z = (x - mean) / scale included.
struct RawFirstLayer {
  Eigen::MatrixXd weights;  // m x d
  Eigen::VectorXd bias;     // m
};
RawFirstLayer raw_first_layer(const TwoLayerNetwork& network);

struct LocalRobustness {
  bool stable = true;         // no neuron can change state on the ball: the bounds are exact
  double output = 0.0;        // f(x)
  double output_lower = 0.0;  // <= min of f over the ball (equal when stable)
  double output_upper = 0.0;  // >= max of f over the ball (equal when stable)
  double worst_margin = 0.0;  // <= min of y f over the ball (equal when stable)
  bool certified = false;     // worst_margin > 0
};

// One sample; `layer` must be raw_first_layer(network) (passed in so batches compute it once).
LocalRobustness check_local_robustness(const TwoLayerNetwork& network, const RawFirstLayer& layer,
                                       const Eigen::VectorXd& x, double label, double epsilon);

// Every row of X (raw units) with its label in {-1, +1}.
std::vector<LocalRobustness> check_local_robustness(const TwoLayerNetwork& network,
                                                    const Eigen::MatrixXd& X,
                                                    const Eigen::VectorXd& y, double epsilon);

// Fraction of samples certified robust at epsilon (0 for an empty set).
double certified_robust_accuracy(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                                 const Eigen::VectorXd& y, double epsilon);

// An upper bound on max over the ball of l(f(x + delta), y) from the output bounds; exact when
// the sample is stable (the affine image of the ball is the whole interval).
double worst_case_loss_bound(LossKind loss, const LocalRobustness& robustness, double label);

}  // namespace convexnn
