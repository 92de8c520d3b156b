#include "convexnn/block_linear_system.h"

namespace convexnn {

BlockLinearSystem::BlockLinearSystem(const ConvexProblem& problem, LinearSolverKind requested)
    : problem_(problem), kind_(requested) {
  const Eigen::Index n = problem.num_samples();
  const Eigen::Index d = problem.dim();
  const Eigen::Index P = problem.num_patterns();
  if (kind_ == LinearSolverKind::kAutomatic) {
    kind_ = n < 2 * d * P ? LinearSolverKind::kWoodbury : LinearSolverKind::kDirect;
  }
  const Eigen::MatrixXd gram = problem.X.transpose() * problem.X;
  if (kind_ == LinearSolverKind::kWoodbury) {
    const Eigen::MatrixXd shifted = Eigen::MatrixXd::Identity(d, d) + gram;
    block_inverse_ = shifted.llt().solve(Eigen::MatrixXd::Identity(d, d));
    const Eigen::MatrixXd kernel = problem.X * block_inverse_ * problem.X.transpose();
    // sum_i s_i s_i^T (science.md 8.1); D D^T for ReLU.
    const Eigen::MatrixXd& diagonals = problem.activation_diagonals();
    const Eigen::MatrixXd overlap = diagonals * diagonals.transpose();
    core_without_diagonal_ = 2.0 * kernel.cwiseProduct(overlap);
  } else {
    Eigen::MatrixXd stacked(n, d * P);
    for (Eigen::Index i = 0; i < P; ++i) {
      stacked.middleCols(i * d, d) =
          problem.X.array().colwise() * problem.activation_diagonals().col(i).array();
    }
    pattern_gram_ = stacked.transpose() * stacked;
  }
}

bool BlockLinearSystem::factorize(double c) {
  c_ = c;
  const Eigen::Index n = problem_.num_samples();
  const Eigen::Index d = problem_.dim();
  const Eigen::Index P = problem_.num_patterns();
  if (kind_ == LinearSolverKind::kWoodbury) {
    Eigen::MatrixXd core = core_without_diagonal_;
    core.diagonal().array() += 1.0 / c;
    core_factor_.compute(core);
    return core_factor_.info() == Eigen::Success;
  }
  // Unknowns ordered block after block (column-major d x 2P): v_1..v_P then w_1..w_P.
  const Eigen::Index half = d * P;
  Eigen::MatrixXd system(2 * half, 2 * half);
  system.topLeftCorner(half, half) = c * pattern_gram_;
  system.bottomRightCorner(half, half) = c * pattern_gram_;
  system.topRightCorner(half, half) = -c * pattern_gram_;
  system.bottomLeftCorner(half, half) = -c * pattern_gram_;
  const Eigen::MatrixXd diagonal_block =
      Eigen::MatrixXd::Identity(d, d) + problem_.X.transpose() * problem_.X;
  for (Eigen::Index b = 0; b < 2 * P; ++b) system.block(b * d, b * d, d, d) += diagonal_block;
  full_factor_.compute(system);
  (void)n;
  return full_factor_.info() == Eigen::Success;
}

Eigen::MatrixXd BlockLinearSystem::solve(const Eigen::MatrixXd& rhs) const {
  if (kind_ == LinearSolverKind::kWoodbury) {
    // A^{-1} r = M^{-1} r - M^{-1} F^T C^{-1} F M^{-1} r, M^{-1} = I (x) S.
    const Eigen::MatrixXd scaled = block_inverse_ * rhs;
    const Eigen::VectorXd core_rhs = problem_.predict(scaled);
    const Eigen::VectorXd core_solution = core_factor_.solve(core_rhs);
    return scaled - block_inverse_ * problem_.predict_adjoint(core_solution);
  }
  const Eigen::Map<const Eigen::VectorXd> flat(rhs.data(), rhs.size());
  Eigen::VectorXd solution = full_factor_.solve(flat);
  return Eigen::Map<Eigen::MatrixXd>(solution.data(), rhs.rows(), rhs.cols());
}

}  // namespace convexnn
