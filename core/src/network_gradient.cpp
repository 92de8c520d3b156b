#include "convexnn/network_gradient.h"

namespace convexnn {

TwoLayerNetwork to_network(const ReluNetworkParameters& parameters,
                           const std::optional<Standardization>& standardization) {
  TwoLayerNetwork network;
  const Eigen::Index input_dim = parameters.hidden.cols() - 1;
  network.first_weights = parameters.hidden.leftCols(input_dim);
  network.first_bias = parameters.hidden.col(input_dim);
  network.second_weights = parameters.output;
  network.second_bias = 0.0;
  network.standardization = standardization;
  network.activation = parameters.activation;
  return network;
}

ReluNetworkParameters from_network(const TwoLayerNetwork& network) {
  ReluNetworkParameters parameters;
  parameters.hidden.resize(network.width(), network.input_dim() + 1);
  parameters.hidden.leftCols(network.input_dim()) = network.first_weights;
  parameters.hidden.col(network.input_dim()) = network.first_bias;
  parameters.output = network.second_weights;
  parameters.activation = network.activation;
  return parameters;
}

Eigen::MatrixXd hidden_preactivations(const ReluNetworkParameters& parameters,
                                      const Eigen::MatrixXd& augmented_inputs) {
  return augmented_inputs * parameters.hidden.transpose();
}

Eigen::VectorXd network_output(const ReluNetworkParameters& parameters,
                               const Eigen::MatrixXd& augmented_inputs) {
  return parameters.activation.apply(hidden_preactivations(parameters, augmented_inputs)) *
         parameters.output;
}

ReluNetworkParameters objective_gradient(const ReluNetworkParameters& parameters,
                                         const Eigen::MatrixXd& augmented_inputs,
                                         const Eigen::VectorXd& y, LossKind loss,
                                         double loss_weight, double regularization_weight) {
  const Eigen::MatrixXd preactivations = hidden_preactivations(parameters, augmented_inputs);
  const Eigen::MatrixXd activations = parameters.activation.apply(preactivations);
  const Eigen::VectorXd output = activations * parameters.output;
  const Eigen::VectorXd output_gradient = loss_weight * loss_gradient(loss, output, y);

  ReluNetworkParameters gradient;
  gradient.activation = parameters.activation;
  gradient.output = activations.transpose() * output_gradient;
  // dL/dH_kj = g_k a_j sigma'(H_kj); at the kink sigma' is the left derivative.
  const Eigen::MatrixXd preactivation_gradient =
      ((output_gradient * parameters.output.transpose()).array() *
       parameters.activation.derivative(preactivations).array())
          .matrix();
  gradient.hidden = preactivation_gradient.transpose() * augmented_inputs;
  gradient.output += regularization_weight * parameters.output;
  gradient.hidden += regularization_weight * parameters.hidden;
  return gradient;
}

}  // namespace convexnn
