#pragma once
// ADMM for the convex ReLU program (Bai, Gautam & Sojoudi, Algorithm 1; science.md 4), with a
// duality-gap certificate (11.1) as the stopping rule and optional polishing on the active blocks.
//
// Squared loss uses the closed-form u-update (4.2). Hinge and logistic loss split the prediction
// off as a third block (4.6), whose update is the loss's proximal map.
#include <Eigen/Dense>
#include <stop_token>

#include "convexnn/convex_problem.h"
#include "convexnn/solver_observer.h"
#include "convexnn/solver_options.h"
#include "convexnn/solver_summary.h"

namespace convexnn {

// The full ADMM iterate; pass a previous run's state back in to warm-start (for a changed beta or
// rho: the scaled duals are rescaled to the new rho).
struct AdmmState {
  Eigen::MatrixXd u;       // d x 2P primal blocks
  Eigen::MatrixXd v;       // d x 2P copy carrying the group penalty (exact zeros)
  Eigen::MatrixXd lambda;  // d x 2P scaled dual of u = v
  Eigen::MatrixXd s;       // n x 2P cone slacks
  Eigen::MatrixXd nu;      // n x 2P scaled dual of G u = s
  Eigen::VectorXd prediction;       // n, split prediction (hinge, logistic)
  Eigen::VectorXd prediction_dual;  // n, its scaled dual
  double rho = 0.0;

  bool matches(const ConvexProblem& problem) const;
};

// Samples on which accuracy is reported besides the training set (bias-augmented, standardized
// like the problem's X).
struct EvaluationSet {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};

struct SolveContext {
  SolverObserver* observer = nullptr;
  std::stop_token stop_token;
  const EvaluationSet* test_set = nullptr;
};

struct AdmmSolution {
  Eigen::MatrixXd blocks;  // best certified point (lowest network objective seen), d x 2P
  AdmmState state;         // last iterate, for warm starts
};

// Solves `problem`; `solution->state` is used as a warm start when it matches the problem.
SolverSummary solve_admm(const ConvexProblem& problem, const AdmmOptions& options,
                         AdmmSolution* solution, const SolveContext& context = {});

}  // namespace convexnn
