#pragma once
// The cone part of one ADMM iteration (science.md 4.2, steps 3-4, over-relaxed), fused into one
// pass over the samples.
//
// The slacks s and the scaled cone duals nu are stored as one n x 2P matrix w = s + nu: the
// s-update s = (relaxed G u + nu)_+ and the dual update nu += relaxed G u - s leave
// w = relaxed G u + nu_old with s = w_+ and nu = w_- (complementary, so w determines both). One
// matrix instead of two halves the memory traffic of the largest arrays, and G^T (s - nu), which
// the next u-update needs, is G^T |w|.
//
// Per chunk of rows (pattern_products.h): X_c u (one GEMM), F u, the projection, the dual update,
// the residual terms and X_c^T (...) for the next right-hand side, while the chunk is in cache.
// Deterministic for any thread count (partials added in chunk order).
#include <Eigen/Dense>

#include "convexnn/convex_problem.h"

namespace convexnn {

struct ConeStepResult {
  Eigen::VectorXd fitted;         // F u at the new u (n)
  Eigen::MatrixXd next_cone_rhs;  // G^T (s - nu) = G^T |w| at the updated w (d x 2P)
  // Only when residuals are requested:
  Eigen::MatrixXd slack_change_adjoint;  // G^T (s_new - s_old) (d x 2P), for the dual residual
  double cone_residual_squared = 0.0;    // ||G u - s_new||^2, for the primal residual
};

// Updates `cone_state` (w, n x 2P) in place for the new u (d x 2P) with relaxation alpha.
ConeStepResult admm_cone_step(const ConvexProblem& problem, const Eigen::MatrixXd& u,
                              double relaxation, bool with_residuals, Eigen::MatrixXd* cone_state);

// G^T |w|: the u-update's cone term G^T (s - nu) for a state w = s + nu.
Eigen::MatrixXd cone_rhs_of_state(const ConvexProblem& problem, const Eigen::MatrixXd& cone_state);

}  // namespace convexnn
