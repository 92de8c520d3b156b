#pragma once
// Lower bounds on the convex program's optimum from a dual candidate (science.md 11.1).
// Any lambda gives a valid bound after scaling; the closer lambda is to grad l(yhat*), the tighter.
#include <Eigen/Dense>
#include <cstdint>

#include "convexnn/convex_problem.h"

namespace convexnn {

struct DualBound {
  double lower_bound = 0.0;          // L <= p*(patterns of the problem)
  double theta = 0.0;                // scale applied to lambda
  double max_constraint_norm = 0.0;  // max_b || sigma_b X^T S_i lambda - A_b^T alpha_b ||
  // Per block, before scaling: exact (NNLS multipliers) for every block that could attain the
  // maximum, an upper bound for the others.
  Eigen::VectorXd block_constraint_norms;
  // Operation count of the NNLS solves (see nonnegative_least_squares); with the sizes it lets
  // callers estimate the cost of a bound without a clock.
  std::int64_t nnls_operations = 0;
};

// The best scale theta in [0, min(domain scale, beta / max_constraint_norm)] of a dual candidate
// lambda whose largest dual constraint norm is `max_constraint_norm`, and the dual value
// -l*(theta lambda) there (science.md 11.1 steps 4-5). Shared by the ReLU certificate below and
// the gated one (11.2), which differ only in how the constraint norms are computed.
struct ScaledDualValue {
  double lower_bound = 0.0;
  double theta = 0.0;
};
ScaledDualValue best_scaled_dual_value(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                                       double max_constraint_norm);

// lambda: dual candidate (n). cone_multipliers: optional n x 2P non-negative alpha from the
// solver (e.g. (-rho nu)_+ from ADMM); the bound uses, per block, the better of these and the
// exact non-negative least-squares multipliers.
DualBound dual_lower_bound(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                           const Eigen::MatrixXd* cone_multipliers);

// A dual candidate from the loss at prediction yhat: grad l for smooth losses; for the hinge,
// `subgradient_hint` (e.g. rho mu from a prediction-split ADMM) when given, else grad l. The
// result is clipped into the conjugate's domain.
Eigen::VectorXd dual_candidate(const ConvexProblem& problem, const Eigen::VectorXd& prediction,
                               const Eigen::VectorXd* subgradient_hint);
// A (sub)gradient of the loss clipped into the conjugate's domain.
Eigen::VectorXd clip_to_conjugate_domain(const ConvexProblem& problem, Eigen::VectorXd lambda);

// min_{a >= 0} || c - A a ||_2 by Lawson-Hanson; A is m x k with small m. If `operations` is
// given, an estimate of the work done is added to it: multiply-adds plus a fixed charge per call
// and per least-squares step (their allocations cost about as much as the arithmetic when m is
// small). It depends only on the sizes and the steps taken, so it is the same on every run.
Eigen::VectorXd nonnegative_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& c,
                                          std::int64_t* operations = nullptr);

}  // namespace convexnn
