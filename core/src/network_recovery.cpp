#include "convexnn/network_recovery.h"

#include <cmath>

namespace convexnn {

Eigen::Index count_active_blocks(const Eigen::MatrixXd& blocks, double relative_drop_tolerance) {
  if (blocks.cols() == 0) return 0;
  const Eigen::VectorXd norms = blocks.colwise().norm().transpose();
  const double threshold = relative_drop_tolerance * norms.maxCoeff();
  return (norms.array() > threshold).count();
}

TwoLayerNetwork recover_network(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                                double relative_drop_tolerance) {
  const Eigen::Index P = problem.num_patterns();
  const Eigen::Index dim = problem.dim();
  const Eigen::Index input_dim = problem.has_bias_column ? dim - 1 : dim;
  const Eigen::VectorXd norms = blocks.colwise().norm().transpose();
  const double threshold = blocks.cols() ? relative_drop_tolerance * norms.maxCoeff() : 0.0;
  const Eigen::Index width = count_active_blocks(blocks, relative_drop_tolerance);

  TwoLayerNetwork network;
  network.first_weights.resize(width, input_dim);
  network.first_bias = Eigen::VectorXd::Zero(width);
  network.second_weights.resize(width);
  network.standardization = problem.standardization;
  network.activation = problem.activation;
  Eigen::Index j = 0;
  for (Eigen::Index b = 0; b < blocks.cols(); ++b) {
    if (!(norms[b] > threshold)) continue;
    const double root = std::sqrt(norms[b]);
    const Eigen::VectorXd neuron = blocks.col(b) / root;
    network.first_weights.row(j) = neuron.head(input_dim).transpose();
    if (problem.has_bias_column) network.first_bias[j] = neuron[dim - 1];
    network.second_weights[j] = b < P ? root : -root;
    ++j;
  }
  return network;
}

Eigen::VectorXd recovered_network_prediction(const ConvexProblem& problem,
                                             const Eigen::MatrixXd& blocks) {
  const Eigen::Index P = problem.num_patterns();
  // sigma(X v) = S_i X v on the cone of v, and sigma is positively homogeneous, so this is the
  // network of recover_network: sum_b sign_b sqrt|u_b| sigma(X u_b / sqrt|u_b|).
  const Eigen::MatrixXd activations = problem.activation.apply(problem.X * blocks);
  return activations.leftCols(P).rowwise().sum() - activations.rightCols(P).rowwise().sum();
}

}  // namespace convexnn
