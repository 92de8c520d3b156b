#include "convexnn/robust_linear_system.h"

namespace convexnn {

RobustLinearSystem::RobustLinearSystem(const ConvexProblem& problem, Eigen::Index features,
                                       LinearSolverKind requested)
    : problem_(problem), features_(features), kind_(requested) {
  if (kind_ == LinearSolverKind::kAutomatic) {
    const Eigen::Index core_size = problem.num_samples() * (1 + features);
    kind_ = core_size < problem.dim() * problem.num_blocks() ? LinearSolverKind::kWoodbury
                                                             : LinearSolverKind::kDirect;
  }
}

bool RobustLinearSystem::factorize() {
  const Eigen::Index n = problem_.num_samples();
  const Eigen::Index d = problem_.dim();
  const Eigen::Index P = problem_.num_patterns();
  const Eigen::MatrixXd& X = problem_.X;
  const Eigen::MatrixXd& masks = problem_.patterns.masks;
  Eigen::MatrixXd block = Eigen::MatrixXd::Identity(d, d) + X.transpose() * X;
  block.diagonal().head(features_).array() += 1.0;
  block_inverse_ = block.llt().solve(Eigen::MatrixXd::Identity(d, d));

  if (kind_ == LinearSolverKind::kWoodbury) {
    // Rows of W for sample k: x_k^T (prediction) and e_j^T (sensitivity to feature j), each
    // masked by d_bk and signed by sigma_b. Stacked as [X; E_1; ...; E_d'] (row r * n + k).
    const Eigen::Index rows = n * (1 + features_);
    Eigen::MatrixXd stacked = Eigen::MatrixXd::Zero(rows, d);
    stacked.topRows(n) = X;
    for (Eigen::Index j = 0; j < features_; ++j) stacked.block((1 + j) * n, j, n, 1).setOnes();
    const Eigen::MatrixXd kernel = stacked * block_inverse_ * stacked.transpose();
    const Eigen::MatrixXd overlap = masks * masks.transpose();  // (D D^T)_kl
    Eigen::MatrixXd core(rows, rows);
    for (Eigen::Index r = 0; r <= features_; ++r) {
      for (Eigen::Index s = 0; s <= features_; ++s) {
        core.block(r * n, s * n, n, n) =
            2.0 * kernel.block(r * n, s * n, n, n).cwiseProduct(overlap);
      }
    }
    core.diagonal().array() += 1.0;
    core_factor_.compute(core);
    return core_factor_.info() == Eigen::Success;
  }

  const Eigen::Index size = d * 2 * P;
  Eigen::MatrixXd W = Eigen::MatrixXd::Zero(n * (1 + features_), size);
  for (Eigen::Index b = 0; b < 2 * P; ++b) {
    const double sign = b < P ? 1.0 : -1.0;
    const auto mask = masks.col(b % P).array();
    W.block(0, b * d, n, d) = sign * (X.array().colwise() * mask).matrix();
    for (Eigen::Index j = 0; j < features_; ++j) {
      W.block((1 + j) * n, b * d + j, n, 1) = sign * mask.matrix();
    }
  }
  Eigen::MatrixXd normal = W.transpose() * W;
  const Eigen::MatrixXd block_matrix = block;
  for (Eigen::Index b = 0; b < 2 * P; ++b) normal.block(b * d, b * d, d, d) += block_matrix;
  full_factor_.compute(normal);
  return full_factor_.info() == Eigen::Success;
}

Eigen::MatrixXd RobustLinearSystem::solve(const Eigen::MatrixXd& rhs) const {
  const Eigen::Index n = problem_.num_samples();
  const Eigen::Index P = problem_.num_patterns();
  if (kind_ == LinearSolverKind::kDirect) {
    Eigen::MatrixXd result(rhs.rows(), rhs.cols());
    Eigen::Map<Eigen::VectorXd>(result.data(), result.size()) =
        full_factor_.solve(Eigen::Map<const Eigen::VectorXd>(rhs.data(), rhs.size()));
    return result;
  }
  const Eigen::MatrixXd& masks = problem_.patterns.masks;
  Eigen::MatrixXd result = block_inverse_ * rhs;  // M^{-1} R
  const Eigen::MatrixXd difference = result.leftCols(P) - result.rightCols(P);
  // W M^{-1} R, then the core solve, then M^{-1} W^T of the result.
  Eigen::VectorXd projected(n * (1 + features_));
  projected.head(n) = ((problem_.X * difference).array() * masks.array()).rowwise().sum().matrix();
  for (Eigen::Index j = 0; j < features_; ++j) {
    projected.segment((1 + j) * n, n) = masks * difference.row(j).transpose();
  }
  const Eigen::VectorXd core = core_factor_.solve(projected);
  Eigen::MatrixXd adjoint =
      problem_.X.transpose() * (masks.array().colwise() * core.head(n).array()).matrix();
  for (Eigen::Index j = 0; j < features_; ++j) {
    adjoint.row(j) += core.segment((1 + j) * n, n).transpose() * masks;
  }
  const Eigen::MatrixXd correction = block_inverse_ * adjoint;
  result.leftCols(P) -= correction;
  result.rightCols(P) += correction;
  return result;
}

}  // namespace convexnn
