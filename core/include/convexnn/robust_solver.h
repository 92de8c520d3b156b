#pragma once
// Solver for the robust convex program (RC, science.md 6.2): convex adversarial training.
//
// Method: two-block ADMM on min_u g(A u) with
//   A u = (u, G u, E u, F u, Q u)   (copy; cone values; perturbed features of each block;
//                                    prediction; per-sample sensitivities q_k),
// where g separates into the group-l2 penalty on the copy, the indicator of the robust cone
// {c >= ||a||_r 1} per block on (G u_b, E u_b), and the worst-case loss per sample on
// (yhat_k, q_k). Why this and not the smoothed augmented Lagrangian of 6.2: every prox is exact
// (closed form up to one monotone scalar equation, robust_prox.h), the u-update is a least-squares
// solve with a fixed matrix (robust_linear_system.h, factored once, also when rho adapts), and it
// is a genuine two-block ADMM (A has full column rank, g is closed proper convex), so it converges
// to an optimum of (RC) for every rho > 0 (Boyd et al. 2011, 3.2) with no mu -> 0 continuation
// and exact zeros in the group copy, which is the point returned.
//
// Certificates (11.4): the program has no cheap tight dual; the summary reports the (RC)
// objective, the recovered network's adversarial objective, relative KKT residuals, the robust
// cone violation and only the weak lower bound of the standard program (eps = 0). It never claims
// global optimality (SolverSummary::robust).
#include <Eigen/Dense>

#include "convexnn/admm_solver.h"
#include "convexnn/robust_problem.h"
#include "convexnn/robust_solver_options.h"
#include "convexnn/solver_summary.h"

namespace convexnn {

// The full iterate (scaled duals); pass it back to warm-start a run on the same patterns, e.g.
// along an epsilon path.
struct RobustAdmmState {
  Eigen::MatrixXd u;                              // d x 2P
  Eigen::MatrixXd copy, copy_dual;                // d x 2P: group-penalty copy of u
  Eigen::MatrixXd cone, cone_dual;                // n x 2P: G u
  Eigen::MatrixXd features, features_dual;        // d' x 2P: perturbed features of u
  Eigen::VectorXd prediction, prediction_dual;    // n: F u
  Eigen::MatrixXd sensitivity, sensitivity_dual;  // d' x n: q_k as columns
  double rho = 0.0;

  bool matches(const RobustProblem& problem) const;
};

struct RobustSolution {
  Eigen::MatrixXd blocks;  // d x 2P, the group copy of the last iterate
  RobustAdmmState state;
};

// Solves `problem`; `solution->state` is a warm start when it matches. The observer's reports
// carry the (RC) objective (convex_objective), the recovered network's adversarial objective
// (network_objective), the weak lower bound, relative residuals, clean and certified robust
// training accuracy.
SolverSummary solve_robust(const RobustProblem& problem, const RobustSolverOptions& options,
                           RobustSolution* solution, const SolveContext& context = {});

// The recovered network's regularized adversarial training objective on the problem's samples,
// sum_k worst_case_loss_bound + beta * weight decay: exact when every training ball is stable
// (always at (RC)-feasible points, where it equals the (RC) objective), an upper bound otherwise.
double network_adversarial_objective(const RobustProblem& problem, const TwoLayerNetwork& network);

// The problem's inputs in the user's units (standardization undone, bias column dropped).
Eigen::MatrixXd raw_inputs(const ConvexProblem& problem);

}  // namespace convexnn
