#pragma once
// The ADMM u-update system (science.md 4.2, 4.4, 4.6):
//   (I_{2P} (x) (I + X^T X) + c F^T F) U = R,
// with c = 1/rho for the squared-loss update and c = 1 when the prediction is split off.
// Factored once per value of c; the direct form factors the 2dP x 2dP matrix, the Woodbury
// form only an n x n core, whichever is smaller.
#include <Eigen/Dense>

#include "convexnn/convex_problem.h"
#include "convexnn/solver_options.h"

namespace convexnn {

class BlockLinearSystem {
 public:
  BlockLinearSystem(const ConvexProblem& problem, LinearSolverKind requested);

  // Returns false if the factorization failed (not positive definite in floating point).
  bool factorize(double c);
  // Solves for a d x 2P right-hand side.
  Eigen::MatrixXd solve(const Eigen::MatrixXd& rhs) const;

  LinearSolverKind kind() const { return kind_; }
  double coefficient() const { return c_; }

 private:
  const ConvexProblem& problem_;
  LinearSolverKind kind_;
  double c_ = 0.0;
  // Woodbury: S = (I + X^T X)^{-1}, K o (Sm Sm^T) with K = X S X^T and Sm = [s_1, ..., s_P] the
  // activation diagonals (the masks for ReLU), and chol(1/c I + 2 K o Sm Sm^T).
  Eigen::MatrixXd block_inverse_;
  Eigen::MatrixXd core_without_diagonal_;
  Eigen::LLT<Eigen::MatrixXd> core_factor_;
  // Direct: chol of the full system.
  Eigen::MatrixXd pattern_gram_;  // Y^T Y with Y = [S_1 X, ..., S_P X]
  Eigen::LLT<Eigen::MatrixXd> full_factor_;
};

}  // namespace convexnn
