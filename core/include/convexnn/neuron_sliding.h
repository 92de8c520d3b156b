#pragma once
// Sliding: local moves of a lasso solution's neurons on the non-convex objective. Neuron
// generation (neuron_generation.h) fixes each direction once it is in the dictionary, so a
// neuron that belongs between two dictionary directions is approximated by both, and the lasso
// ends up using nearly every direction it is given. Between its lasso solves, sliding runs
// L-BFGS on the weight-decay objective of the balanced network of (directions, weights) -- all
// first-layer weights and output weights at once -- and maps the result back to unit directions
// and weights. This is the "sliding" step of the sliding Frank-Wolfe method for sparse
// optimization over measures (Denoyelle, Duval, Peyre & Soubies, Inverse Problems 2019): the
// conditional-gradient steps around it keep the global view, the slide is a local descent.
#include <Eigen/Dense>
#include <functional>
#include <stop_token>

#include "convexnn/convex_problem.h"
#include "convexnn/lbfgs.h"
#include "convexnn/network_gradient.h"

namespace convexnn {

struct NeuronSlideResult {
  LbfgsResult lbfgs;
  double objective_before = 0.0;  // the lasso objective of the input
  double objective_after = 0.0;   // that of the output; never above objective_before
};

// The lasso form of a network whose first-layer rows are over the problem's columns: unit
// directions w_j / ||w_j|| and weights a_j ||w_j||, neurons with a zero row or output dropped.
void to_unit_directions(const ReluNetworkParameters& network, Eigen::MatrixXd* directions,
                        Eigen::VectorXd* weights);

// Slides (directions, weights) in place. Neurons with weight zero are dropped first, those whose
// first layer ends at zero afterwards. The output's lasso objective l(sigma(X U) a, y) +
// beta ||a||_1 is at most the slid network's weight-decay objective (equal when balanced), which
// L-BFGS never raises above the input's. Needs a positively homogeneous activation and a smooth
// loss (as the lasso). `progress`, when set, sees every iteration's weight-decay objective and
// network (first layer rows [w_j, b_j] over the problem's columns, output weights); returning false
// stops the slide.
using SlideProgress =
    std::function<bool(int iteration, double objective, const ReluNetworkParameters& network)>;

NeuronSlideResult slide_neurons(const ConvexProblem& problem, Eigen::MatrixXd* directions,
                                Eigen::VectorXd* weights, const LbfgsOptions& options,
                                std::stop_token stop = {}, const SlideProgress& progress = {});

}  // namespace convexnn
