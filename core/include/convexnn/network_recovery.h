#pragma once
// Turns convex blocks into a network with the problem's activation (science.md 3.3, 8.1): a
// non-zero v_i gives the neuron u = v_i / sqrt|v_i|, a = +sqrt|v_i|; a non-zero w_i gives a =
// -sqrt|w_i|. Neurons are balanced, so the network's weight decay equals beta sum |v_i| + |w_i|.
#include <Eigen/Dense>

#include "convexnn/convex_problem.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

// Blocks with norm <= relative_drop_tolerance * max block norm are dropped.
TwoLayerNetwork recover_network(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                                double relative_drop_tolerance = 1e-8);

// Number of blocks that survive the same drop rule.
Eigen::Index count_active_blocks(const Eigen::MatrixXd& blocks,
                                 double relative_drop_tolerance = 1e-8);

// The recovered network's predictions on the problem's (standardized, bias-augmented) X,
// sum_b sign_b sigma(X u_b), computed without building the network.
Eigen::VectorXd recovered_network_prediction(const ConvexProblem& problem,
                                             const Eigen::MatrixXd& blocks);

}  // namespace convexnn
