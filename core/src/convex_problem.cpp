#include "convexnn/convex_problem.h"

#include <stdexcept>

#include "convexnn/errors.h"

namespace convexnn {

void require_piecewise_linear(const Activation& activation, const std::string& context) {
  if (const std::string error = activation.validate(); !error.empty()) throw InputError(error);
  if (!activation.positively_homogeneous()) {
    throw InputError(context + ": activation '" + activation.name() +
                     "' is not piecewise linear; degree-2 activations are trained as a "
                     "semidefinite program (science.md 9), not by this solver");
  }
}

ActivationDiagonal activation_diagonal_for(const Activation& activation) {
  switch (activation.kind) {
    case ActivationKind::kLeakyRelu:
      return {activation.leaky_slope, 1.0 - activation.leaky_slope};
    case ActivationKind::kAbsolute:
      return {-1.0, 2.0};
    default:
      return {0.0, 1.0};
  }
}

Eigen::MatrixXd activation_diagonals_for(const Activation& activation,
                                         const Eigen::MatrixXd& masks) {
  require_piecewise_linear(activation, "the convex program");
  const ActivationDiagonal diagonal = activation_diagonal_for(activation);
  return (diagonal.offset + diagonal.slope * masks.array()).matrix();
}

Eigen::MatrixXd with_bias_column(const Eigen::MatrixXd& X) {
  Eigen::MatrixXd augmented(X.rows(), X.cols() + 1);
  augmented.leftCols(X.cols()) = X;
  augmented.col(X.cols()).setOnes();
  return augmented;
}

void ConvexProblem::finalize() {
  pattern_signs_ = 2.0 * patterns.masks.array() - 1.0;
  activation_diagonals_ = activation_diagonals_for(activation, patterns.masks);
  compact_masks_ = convexnn::compact_masks(patterns.masks);
  diagonal_ = activation_diagonal_for(activation);
  finalized_activation_ = activation;
}

const CompactMasks& ConvexProblem::compact_masks() const {
  checked_diagonals();
  return compact_masks_;
}

const Eigen::MatrixXd& ConvexProblem::checked_diagonals() const {
  if (!(activation == finalized_activation_) ||
      activation_diagonals_.cols() != patterns.masks.cols() ||
      activation_diagonals_.rows() != patterns.masks.rows()) {
    throw std::logic_error(
        "ConvexProblem: finalize() must be called after changing the activation or the patterns");
  }
  return activation_diagonals_;
}

const Eigen::MatrixXd& ConvexProblem::pattern_signs() const { return pattern_signs_; }

const Eigen::MatrixXd& ConvexProblem::activation_diagonals() const { return checked_diagonals(); }

Eigen::VectorXd ConvexProblem::predict(const Eigen::MatrixXd& blocks) const {
  return pattern_predict(X, compact_masks(), diagonal_, blocks);
}

Eigen::MatrixXd ConvexProblem::predict_adjoint(const Eigen::VectorXd& r) const {
  return pattern_predict_adjoint(X, checked_diagonals(), r);
}

Eigen::VectorXd ConvexProblem::predict_differences(const Eigen::MatrixXd& differences) const {
  return pattern_predict_differences(X, compact_masks(), diagonal_, differences);
}

Eigen::MatrixXd ConvexProblem::pattern_adjoint(const Eigen::VectorXd& r) const {
  return pattern_adjoint_half(X, checked_diagonals(), r);
}

Eigen::MatrixXd ConvexProblem::normal_product(const Eigen::MatrixXd& differences,
                                              Eigen::VectorXd* prediction) const {
  return pattern_normal_product(X, compact_masks(), diagonal_, checked_diagonals(), differences,
                                prediction);
}

Eigen::MatrixXd ConvexProblem::cone_values(const Eigen::MatrixXd& blocks) const {
  return pattern_cone_values(X, compact_masks(), blocks);
}

Eigen::MatrixXd ConvexProblem::cone_adjoint(const Eigen::MatrixXd& slacks) const {
  return pattern_cone_adjoint(X, compact_masks(), slacks);
}

double ConvexProblem::augmented_lagrangian_value(const Eigen::MatrixXd& blocks,
                                                 const ChunkedMultipliers& scaled_multipliers,
                                                 double penalty, Eigen::MatrixXd* gradient) const {
  return pattern_augmented_lagrangian(X, compact_masks(), diagonal_, blocks, scaled_multipliers,
                                      penalty, loss, y, gradient);
}

double ConvexProblem::objective(const Eigen::MatrixXd& blocks) const {
  return loss_value(loss, predict(blocks), y) + beta * blocks.colwise().norm().sum();
}

double ConvexProblem::squared_cone_violation(const Eigen::MatrixXd& blocks) const {
  return pattern_cone_violation(X, compact_masks(), blocks);
}

double ConvexProblem::max_cone_violation(const Eigen::MatrixXd& blocks) const {
  if (blocks.size() == 0) return 0.0;
  return std::max(0.0, -cone_values(blocks).minCoeff());
}

}  // namespace convexnn
