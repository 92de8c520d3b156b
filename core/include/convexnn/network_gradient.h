#pragma once
// Back-propagation for the non-convex objective (science.md 1.2) of a two-layer network
// f(x) = sum_j a_j sigma([w_j, b_j] . [z, 1]) without output bias; sigma is ReLU unless
// `activation` says otherwise (any activation works here, though weight decay is the training
// objective only for the piecewise-linear ones). The bias is folded into the
// first layer (inputs carry a trailing column of ones), exactly as the convex program does, so it
// is weight-decayed together with w_j.
#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <vector>

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

// Buffers of network_pass, reused across calls: a training loop that passes the same workspace
// every epoch allocates no large temporaries. (Fresh n x m temporaries per epoch made the page
// faults of a 2000 x 1000 network cost more than its arithmetic.)
struct NetworkPassWorkspace {
  // One per block of rows (at most kMaxBlocks, network_gradient.cpp): its share of the gradient
  // and of the live-unit test, summed in block order afterwards, so the result is the same on any
  // number of threads. (The chunk buffers are per thread, in the implementation.)
  struct BlockSums {
    Eigen::MatrixXd hidden_gradient;
    Eigen::VectorXd output_gradient;
    Eigen::Array<bool, Eigen::Dynamic, 1> alive;
  };
  std::vector<BlockSums> blocks;
};

struct NetworkPass {
  Eigen::VectorXd output;  // f(X)
  double loss = 0.0;       // l(f(X), y), unweighted; 0 when y is empty
  // ReLU neurons whose pre-activation is <= 0 on every row (they get no gradient); 0 for the
  // other activations, whose slope never vanishes.
  std::int64_t dead_neurons = 0;
};

// f(X), the loss and, when `gradient` is not null, the gradient objective_gradient defines, in one
// pass over chunks of rows that stay in cache; nothing of size n x m is formed. Blocks of rows run
// in parallel (oneTBB) with the same result on any number of threads. y may be empty
// (outputs only; then `gradient` must be null).
NetworkPass network_pass(const ReluNetworkParameters& parameters,
                         const Eigen::MatrixXd& augmented_inputs, const Eigen::VectorXd& y,
                         LossKind loss, double loss_weight, double regularization_weight,
                         ReluNetworkParameters* gradient, NetworkPassWorkspace* workspace);

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
