#include "convexnn/convex_problem.h"

namespace convexnn {

Eigen::MatrixXd with_bias_column(const Eigen::MatrixXd& X) {
  Eigen::MatrixXd augmented(X.rows(), X.cols() + 1);
  augmented.leftCols(X.cols()) = X;
  augmented.col(X.cols()).setOnes();
  return augmented;
}

void ConvexProblem::finalize() { pattern_signs_ = 2.0 * patterns.masks.array() - 1.0; }

const Eigen::MatrixXd& ConvexProblem::pattern_signs() const { return pattern_signs_; }

Eigen::VectorXd ConvexProblem::predict(const Eigen::MatrixXd& blocks) const {
  const Eigen::Index P = num_patterns();
  // D_i X (v_i - w_i) summed over i: one GEMM on the block differences, then mask and reduce.
  const Eigen::MatrixXd products = X * (blocks.leftCols(P) - blocks.rightCols(P));
  return (products.array() * patterns.masks.array()).rowwise().sum();
}

Eigen::MatrixXd ConvexProblem::predict_adjoint(const Eigen::VectorXd& r) const {
  const Eigen::Index P = num_patterns();
  Eigen::MatrixXd result(dim(), 2 * P);
  result.leftCols(P).noalias() = X.transpose() * (patterns.masks.array().colwise() * r.array()).matrix();
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
