#pragma once
// Lower bounds for the polynomial-activation programs from a dual candidate lambda
// (science.md 11.5). Any lambda gives a valid bound after scaling; lambda = l'(yhat) at the
// solver's iterate makes it tight at the optimum. Because the SDP equals the non-convex training
// problem of any width (science.md 9.2, 9.4), the bound also holds for every such network.
#include <Eigen/Dense>

#include "convexnn/polynomial_problem.h"

namespace convexnn {

struct PolynomialDualBound {
  double lower_bound = 0.0;     // L <= p*
  double scale = 0.0;           // the scale t applied to lambda in L = -l*(t lambda)
  double feasible_scale = 0.0;  // largest t for which t lambda satisfies the dual constraints
  int eigen_solves = 0;         // cost, for the curious
};

// Nuclear-norm form: t lambda is dual feasible iff t ||a X^T diag(lambda) X||_2 <= beta.
PolynomialDualBound quadratic_dual_bound(const PolynomialProblem& problem,
                                         const Eigen::VectorXd& lambda);

// Lifted SDP: t lambda is feasible iff there are theta, theta' with
//   t A*(lambda) + (beta/2) I + theta J psd  and  -t A*(lambda) + (beta/2) I + theta' J psd.
// The feasible scales form an interval [0, t*] (the constraints are jointly concave in t and
// theta); t* is found by regula falsi on h(t) = max_theta lambda_min(...), each h evaluated by
// bisection on a supergradient in theta.
PolynomialDualBound lifted_dual_bound(const PolynomialProblem& problem,
                                      const Eigen::VectorXd& lambda);

// max_theta lambda_min(B + theta J) for symmetric B (concave in theta); the maximizer goes to
// `theta` when given.
double max_min_eigenvalue_over_trace_shift(const Eigen::MatrixXd& B, double* theta = nullptr,
                                           int* eigen_solves = nullptr);

}  // namespace convexnn
