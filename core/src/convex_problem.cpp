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

Eigen::MatrixXd activation_diagonals_for(const Activation& activation,
                                         const Eigen::MatrixXd& masks) {
  require_piecewise_linear(activation, "the convex program");
  switch (activation.kind) {
    case ActivationKind::kLeakyRelu:
      return (activation.leaky_slope + (1.0 - activation.leaky_slope) * masks.array()).matrix();
    case ActivationKind::kAbsolute:
      return (2.0 * masks.array() - 1.0).matrix();
    default:
      return masks;
  }
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
  finalized_activation_ = activation;
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
  const Eigen::Index P = num_patterns();
  // S_i X (v_i - w_i) summed over i: one GEMM on the block differences, then scale and reduce.
  const Eigen::MatrixXd products = X * (blocks.leftCols(P) - blocks.rightCols(P));
  return (products.array() * checked_diagonals().array()).rowwise().sum();
}

Eigen::MatrixXd ConvexProblem::predict_adjoint(const Eigen::VectorXd& r) const {
  const Eigen::Index P = num_patterns();
  Eigen::MatrixXd result(dim(), 2 * P);
  result.leftCols(P).noalias() =
      X.transpose() * (checked_diagonals().array().colwise() * r.array()).matrix();
  result.rightCols(P) = -result.leftCols(P);
  return result;
}

Eigen::MatrixXd ConvexProblem::cone_values(const Eigen::MatrixXd& blocks) const {
  const Eigen::Index P = num_patterns();
  Eigen::MatrixXd values = X * blocks;
  values.leftCols(P).array() *= pattern_signs_.array();
  values.rightCols(P).array() *= pattern_signs_.array();
  return values;
}

Eigen::MatrixXd ConvexProblem::cone_adjoint(const Eigen::MatrixXd& slacks) const {
  const Eigen::Index P = num_patterns();
  Eigen::MatrixXd signed_slacks(slacks.rows(), slacks.cols());
  signed_slacks.leftCols(P) = slacks.leftCols(P).cwiseProduct(pattern_signs_);
  signed_slacks.rightCols(P) = slacks.rightCols(P).cwiseProduct(pattern_signs_);
  return X.transpose() * signed_slacks;
}

double ConvexProblem::objective(const Eigen::MatrixXd& blocks) const {
  return loss_value(loss, predict(blocks), y) + beta * blocks.colwise().norm().sum();
}

double ConvexProblem::max_cone_violation(const Eigen::MatrixXd& blocks) const {
  if (blocks.size() == 0) return 0.0;
  return std::max(0.0, -cone_values(blocks).minCoeff());
}

}  // namespace convexnn
