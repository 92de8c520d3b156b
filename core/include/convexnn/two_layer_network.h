#pragma once
// A trained two-layer network f(x) = sum_j a_j sigma(w_j . z + b_j) + c with
// z = (x - mean) / scale when a standardization is attached; sigma is ReLU unless `activation`
// says otherwise.
#include <Eigen/Dense>
#include <optional>

#include "convexnn/activation.h"
#include "convexnn/loss.h"
#include "convexnn/standardization.h"

namespace convexnn {

struct TwoLayerNetwork {
  Eigen::MatrixXd first_weights;   // m x d (input features, without bias)
  Eigen::VectorXd first_bias;      // m
  Eigen::VectorXd second_weights;  // m
  double second_bias = 0.0;
  std::optional<Standardization> standardization;
  Activation activation;

  Eigen::Index width() const { return first_weights.rows(); }
  Eigen::Index input_dim() const { return first_weights.cols(); }

  // Raw inputs (n x d) in the user's units; standardization is applied here.
  Eigen::VectorXd predict(const Eigen::MatrixXd& X) const;
  // Inputs already standardized.
  Eigen::VectorXd predict_standardized(const Eigen::MatrixXd& Z) const;

  // The non-convex training objective on standardized inputs: l(f(Z), y) + beta * regularizer().
  double objective(const Eigen::MatrixXd& Z, const Eigen::VectorXd& y, LossKind loss,
                   double beta) const;
  // Weight decay sum_j (|[w_j, b_j]|^2 + a_j^2) / 2 for the positively homogeneous activations;
  // for polynomial activations, whose neurons have unit norm |[w_j, b_j]| = 1 (science.md 9.1),
  // the l1 penalty sum_j |a_j|.
  double regularizer() const;
  double weight_decay() const;  // sum_j (|[w_j, b_j]|^2 + a_j^2) / 2

  // Output on a rows x cols grid over [x_min, x_max] x [y_min, y_max] (raw units, 2-D inputs
  // only): entry (r, c) is f at x = x_min + c * dx, y = y_max - r * dy, so row 0 is the top.
  Eigen::MatrixXd evaluate_grid(double x_min, double x_max, double y_min, double y_max, int rows,
                                int cols) const;
};

// Fraction of samples with sign(prediction) == label (prediction 0 counts as +1).
double classification_accuracy(const Eigen::VectorXd& prediction, const Eigen::VectorXd& labels);

}  // namespace convexnn
