#include "convexnn/local_robustness.h"

#include <algorithm>
#include <cmath>

#include "convexnn/convex_problem.h"

namespace convexnn {
namespace {

// sigma(t) = linear t + ramp max(t, 0) for the piecewise-linear activations: leaky ReLU is
// kappa t + (1 - kappa) relu(t), |t| is -t + 2 relu(t). The linear part is exact on any ball, so
// only the ramp needs the relaxation below.
struct RampDecomposition {
  double linear = 0.0;
  double ramp = 1.0;
};

RampDecomposition ramp_decomposition(const Activation& activation) {
  require_piecewise_linear(activation, "local robustness");
  // sigma(t) = a t + b max(0, t) is S_i = a I + b D_i of the convex program.
  const ActivationDiagonal diagonal = activation_diagonal_for(activation);
  return {diagonal.offset, diagonal.slope};
}

}  // namespace

RawFirstLayer raw_first_layer(const TwoLayerNetwork& network) {
  RawFirstLayer layer;
  layer.weights = network.first_weights;
  layer.bias = network.first_bias;
  if (network.standardization) {
    // w . (x - mean) / scale + b = (w / scale) . x + (b - (w / scale) . mean).
    const Standardization& z = *network.standardization;
    layer.weights = (network.first_weights.array().rowwise() / z.scale.array()).matrix();
    layer.bias = network.first_bias - layer.weights * z.mean.transpose();
  }
  return layer;
}

LocalRobustness check_local_robustness(const TwoLayerNetwork& network, const RawFirstLayer& layer,
                                       const Eigen::VectorXd& x, double label, double epsilon) {
  LocalRobustness result;
  const RampDecomposition parts = ramp_decomposition(network.activation);
  const Eigen::VectorXd pre_activation = layer.weights * x + layer.bias;
  Eigen::VectorXd slope = Eigen::VectorXd::Zero(x.size());  // q: gradient of the affine part
  double centre = network.second_bias;                      // affine part at x
  double error_lower = 0.0;
  double error_upper = 0.0;
  for (Eigen::Index j = 0; j < pre_activation.size(); ++j) {
    const double z = pre_activation[j];
    if (parts.linear != 0.0) {
      const double linear_weight = parts.linear * network.second_weights[j];
      centre += linear_weight * z;
      slope += linear_weight * layer.weights.row(j).transpose();
    }
    const double a = parts.ramp * network.second_weights[j];
    const double radius = epsilon * layer.weights.row(j).lpNorm<1>();
    // Each neuron is modelled by its state at x plus an error: if z > 0, relu(t) = t + relu(-t)
    // with relu(-t) in [0, (r - z)_+] on the ball; otherwise relu(t) in [0, (z + r)_+]. The error
    // vanishes exactly for stable neurons, and it grows continuously with the violation, so
    // neurons that sit on the boundary up to rounding (active robust cone constraints) cost
    // only that rounding.
    double error = 0.0;
    if (z > 0) {
      centre += a * z;
      slope += a * layer.weights.row(j).transpose();
      error = std::max(0.0, radius - z);
    } else {
      error = std::max(0.0, z + radius);
    }
    if (error > 0) result.stable = false;
    error_lower += std::min(0.0, a * error);
    error_upper += std::max(0.0, a * error);
  }
  const double spread = epsilon * slope.lpNorm<1>();
  result.output = network.second_weights.dot(network.activation.apply(pre_activation).col(0)) +
                  network.second_bias;
  result.output_lower = centre - spread + error_lower;
  result.output_upper = centre + spread + error_upper;
  result.worst_margin = label > 0 ? result.output_lower : -result.output_upper;
  result.certified = result.worst_margin > 0;
  return result;
}

std::vector<LocalRobustness> check_local_robustness(const TwoLayerNetwork& network,
                                                    const Eigen::MatrixXd& X,
                                                    const Eigen::VectorXd& y, double epsilon) {
  const RawFirstLayer layer = raw_first_layer(network);
  std::vector<LocalRobustness> results;
  results.reserve(static_cast<std::size_t>(X.rows()));
  for (Eigen::Index k = 0; k < X.rows(); ++k) {
    results.push_back(check_local_robustness(network, layer, X.row(k).transpose(), y[k], epsilon));
  }
  return results;
}

double certified_robust_accuracy(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                                 const Eigen::VectorXd& y, double epsilon) {
  if (X.rows() == 0) return 0.0;
  const std::vector<LocalRobustness> checks = check_local_robustness(network, X, y, epsilon);
  const auto certified = std::count_if(checks.begin(), checks.end(),
                                       [](const LocalRobustness& c) { return c.certified; });
  return static_cast<double>(certified) / static_cast<double>(X.rows());
}

double worst_case_loss_bound(LossKind loss, const LocalRobustness& robustness, double label) {
  if (loss == LossKind::kSquared) {
    const double deviation = std::max(std::abs(robustness.output_lower - label),
                                      std::abs(robustness.output_upper - label));
    return 0.5 * deviation * deviation;
  }
  // Hinge and logistic loss decrease with the margin y f: the worst case is the smallest margin.
  const Eigen::VectorXd prediction = Eigen::VectorXd::Constant(1, robustness.worst_margin);
  const Eigen::VectorXd positive = Eigen::VectorXd::Ones(1);
  return loss_value(loss, prediction, positive);
}

}  // namespace convexnn
