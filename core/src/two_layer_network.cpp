#include "convexnn/two_layer_network.h"

#include <algorithm>

namespace convexnn {

Eigen::VectorXd TwoLayerNetwork::predict_standardized(const Eigen::MatrixXd& Z) const {
  // In row chunks: the hidden layer of a whole heatmap grid (tens of thousands of points times
  // hundreds of neurons) would not fit in cache, and allocating it dominated the cost.
  constexpr Eigen::Index kChunk = 512;
  Eigen::VectorXd output(Z.rows());
  Eigen::MatrixXd hidden;
  for (Eigen::Index start = 0; start < Z.rows(); start += kChunk) {
    const Eigen::Index rows = std::min(kChunk, Z.rows() - start);
    hidden.noalias() = Z.middleRows(start, rows) * first_weights.transpose();
    hidden.rowwise() += first_bias.transpose();
    if (activation.kind == ActivationKind::kRelu) {
      output.segment(start, rows).noalias() = hidden.cwiseMax(0.0) * second_weights;
    } else {
      output.segment(start, rows).noalias() = activation.apply(hidden) * second_weights;
    }
  }
  output.array() += second_bias;
  return output;
}

Eigen::VectorXd TwoLayerNetwork::predict(const Eigen::MatrixXd& X) const {
  if (standardization) return predict_standardized(standardization->apply(X));
  return predict_standardized(X);
}

double TwoLayerNetwork::weight_decay() const {
  return 0.5 *
         (first_weights.squaredNorm() + first_bias.squaredNorm() + second_weights.squaredNorm());
}

double TwoLayerNetwork::regularizer() const {
  if (activation.positively_homogeneous()) return weight_decay();
  return second_weights.lpNorm<1>();
}

double TwoLayerNetwork::objective(const Eigen::MatrixXd& Z, const Eigen::VectorXd& y, LossKind loss,
                                  double beta) const {
  return loss_value(loss, predict_standardized(Z), y) + beta * regularizer();
}

Eigen::MatrixXd TwoLayerNetwork::evaluate_grid(double x_min, double x_max, double y_min,
                                               double y_max, int rows, int cols) const {
  Eigen::MatrixXd points(static_cast<Eigen::Index>(rows) * cols, 2);
  const double dx = cols > 1 ? (x_max - x_min) / (cols - 1) : 0.0;
  const double dy = rows > 1 ? (y_max - y_min) / (rows - 1) : 0.0;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const Eigen::Index index = static_cast<Eigen::Index>(r) * cols + c;
      points(index, 0) = x_min + c * dx;
      points(index, 1) = y_max - r * dy;
    }
  }
  const Eigen::VectorXd values = predict(points);
  Eigen::MatrixXd grid(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) grid(r, c) = values[static_cast<Eigen::Index>(r) * cols + c];
  }
  return grid;
}

double classification_accuracy(const Eigen::VectorXd& prediction, const Eigen::VectorXd& labels) {
  if (labels.size() == 0) return 0.0;
  Eigen::Index correct = 0;
  for (Eigen::Index k = 0; k < labels.size(); ++k) {
    const double predicted = prediction[k] >= 0.0 ? 1.0 : -1.0;
    if (predicted == labels[k]) ++correct;
  }
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

}  // namespace convexnn
