#pragma once
// Back-propagation for the non-convex objective (science.md 1.2) of a two-layer network
// f(x) = sum_j a_j sigma([w_j, b_j] . [z, 1]) without output bias; sigma is ReLU unless
// `activation` says otherwise (any activation works here, though weight decay is the training
// objective only for the piecewise-linear ones). The bias is folded into the
// first layer (inputs carry a trailing column of ones), exactly as the convex program does, so it
// is weight-decayed together with w_j.
#include <Eigen/Dense>
#include <optional>

#include "convexnn/loss.h"
#include "convexnn/standardization.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

struct ReluNetworkParameters {
  Eigen::MatrixXd hidden;  // m x (d + 1): row j is [w_j, b_j]
  Eigen::VectorXd output;  // m: a_j
  Activation activation;   // sigma

  Eigen::Index width() const { return hidden.rows(); }
  double squared_norm() const { return hidden.squaredNorm() + output.squaredNorm(); }
};

// The network (output bias 0) and back: first_weights/first_bias are the columns of `hidden`.
TwoLayerNetwork to_network(const ReluNetworkParameters& parameters,
                           const std::optional<Standardization>& standardization);
ReluNetworkParameters from_network(const TwoLayerNetwork& network);

// Pre-activations H = X W^T (n x m) for bias-augmented inputs X (n x (d + 1)).
Eigen::MatrixXd hidden_preactivations(const ReluNetworkParameters& parameters,
                                      const Eigen::MatrixXd& augmented_inputs);

// f(X) = sigma(H) a.
Eigen::VectorXd network_output(const ReluNetworkParameters& parameters,
                               const Eigen::MatrixXd& augmented_inputs);

// Gradient of  loss_weight * l(f(X), y) + regularization_weight / 2 * (||hidden||^2 +
// ||output||^2). With loss_weight 1 and regularization_weight beta this is the gradient of
// TwoLayerNetwork::objective. At a kink (pre-activation exactly 0) sigma' is the left derivative
// (a ReLU unit counts as inactive), and the hinge loss uses the subgradient of loss_gradient.
ReluNetworkParameters objective_gradient(const ReluNetworkParameters& parameters,
                                         const Eigen::MatrixXd& augmented_inputs,
                                         const Eigen::VectorXd& y, LossKind loss,
                                         double loss_weight, double regularization_weight);

}  // namespace convexnn
