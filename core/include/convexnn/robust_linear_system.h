#pragma once
// The u-update system of the robust ADMM (robust_solver.h): with the linear map
//   A u = (u, G u, E u, F u, Q u)
// (identity; cone values; the perturbed features of every block; prediction; sensitivities
// q_k), the update solves A^T A U = R, where
//   A^T A = I_{2P} (x) (I + X^T X + E^T E) + W^T W,   W = [F; Q].
// It does not depend on rho, so it is factored once. The direct form factors the 2dP x 2dP
// matrix; the Woodbury form an n(1 + d') x n(1 + d') core (d' perturbed features), whichever is
// smaller (cf. science.md 4.4).
#include <Eigen/Dense>

#include "convexnn/convex_problem.h"
#include "convexnn/solver_options.h"

namespace convexnn {

class RobustLinearSystem {
 public:
  // `features`: the number of leading columns of X that are perturbed.
  RobustLinearSystem(const ConvexProblem& problem, Eigen::Index features,
                     LinearSolverKind requested);

  // Returns false if the factorization failed.
  bool factorize();
  // Solves for a d x 2P right-hand side.
  Eigen::MatrixXd solve(const Eigen::MatrixXd& rhs) const;

  LinearSolverKind kind() const { return kind_; }

 private:
  const ConvexProblem& problem_;
  Eigen::Index features_;
  LinearSolverKind kind_;
  Eigen::MatrixXd block_inverse_;            // S = (I + X^T X + E^T E)^{-1}
  Eigen::LLT<Eigen::MatrixXd> core_factor_;  // Woodbury: I + W (I (x) S) W^T
  Eigen::LLT<Eigen::MatrixXd> full_factor_;  // direct: A^T A
};

}  // namespace convexnn
