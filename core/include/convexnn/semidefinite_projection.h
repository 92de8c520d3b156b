#pragma once
// Euclidean projections onto the positive semidefinite cone and onto its slice
// C = { Z psd : <J, Z> = 0 }, J = diag(1, ..., 1, -1) (science.md 9.5), the feasible set of the
// polynomial-activation SDP.
#include <Eigen/Dense>

namespace convexnn {

// P_{S+}(Y) for symmetric Y: negative eigenvalues set to 0.
Eigen::MatrixXd project_psd(const Eigen::MatrixXd& Y);

struct TraceBalancedProjection {
  Eigen::MatrixXd Z;    // P_C(Y)
  double theta = 0.0;   // multiplier: Z = P_{S+}(Y - theta J)
  double residual = 0;  // |<J, Z>|, at most tolerance * max(1, tr Z)
  int eigen_solves = 0;
};

// P_C(Y) = P_{S+}(Y - theta J) where theta solves phi(theta) = <J, P_{S+}(Y - theta J)> = 0.
// phi is non-increasing and piecewise smooth, so safeguarded Newton (the derivative comes from
// the eigendecomposition) inside a bisection bracket converges in a few eigendecompositions;
// `theta_hint` (e.g. the previous iteration's multiplier) centres the initial bracket.
TraceBalancedProjection project_trace_balanced_psd(const Eigen::MatrixXd& Y,
                                                   double theta_hint = 0.0,
                                                   double tolerance = 1e-13);

}  // namespace convexnn
