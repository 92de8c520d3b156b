#pragma once
// The gated ReLU program (C-GReLU, science.md 3.4), one block per pattern and no cone constraints:
//   min_u  l(sum_i D_i X u_i, y) + beta sum_i ||u_i||,
// solved by R-FISTA (10.2) with the duality-gap certificate of 11.2 as the stopping rule. Its
// optimum is a lower bound on the ReLU program over the same patterns (p*_G <= p*_C); the cone
// decomposition (cone_decomposition.h) turns its solution into a ReLU network.
#include <Eigen/Dense>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/convex_problem.h"
#include "convexnn/rfista.h"
#include "convexnn/solver_observer.h"
#include "convexnn/solver_summary.h"

namespace convexnn {

// The gated program's products, through the ReLU program's F (ConvexProblem::predict and
// predict_adjoint) with the w-blocks zero, so that F is defined in one place.
// sum_i D_i X u_i for a d x P block matrix.
Eigen::VectorXd gated_prediction(const ConvexProblem& problem, const Eigen::MatrixXd& gated_blocks);
// d x P: column i is X^T D_i r.
Eigen::MatrixXd gated_prediction_adjoint(const ConvexProblem& problem, const Eigen::VectorXd& r);
// l(sum_i D_i X u_i, y) + beta sum_i ||u_i||.
double gated_objective(const ConvexProblem& problem, const Eigen::MatrixXd& gated_blocks);
// The gated network on other samples Z (bias-augmented and standardized like X): the gates are the
// patterns' generators h_i, f(z) = sum_i 1(z^T h_i >= 0) z^T u_i (scnn recomputes D the same way).
Eigen::VectorXd gated_network_prediction(const ConvexProblem& problem,
                                         const Eigen::MatrixXd& gated_blocks,
                                         const Eigen::MatrixXd& Z);

// Lower bound on p*_G from a dual candidate lambda (science.md 11.2): c_max = max_i ||X^T D_i
// lambda||, theta in [0, min(domain, beta / c_max)], L = -l*(theta lambda).
struct GatedDualBound {
  double lower_bound = 0.0;
  double theta = 0.0;
  double max_constraint_norm = 0.0;
};
GatedDualBound gated_dual_lower_bound(const ConvexProblem& problem, const Eigen::VectorXd& lambda);
// The same with gated_prediction_adjoint(problem, lambda) already computed.
GatedDualBound gated_dual_lower_bound(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                                      const Eigen::MatrixXd& adjoint);

struct GatedReluOptions {
  // R-FISTA settings. Its subgradient tolerance (squared min-norm subgradient of the sum-form
  // objective) is a second stopping rule; the default is tight so that the gap decides.
  RFistaOptions rfista = [] {
    RFistaOptions options;
    options.subgradient_tolerance = 1e-20;
    options.max_iterations = 20000;
    return options;
  }();
  double relative_gap_tolerance = 1e-6;  // stop when (U - L) / max(1, |U|) is below this
  int certificate_interval = 1;          // iterations between certificates (no product: cheap)
  int report_every = 1;
  double max_seconds = 0.0;  // 0: no time limit

  // Empty when valid, else a message naming the first invalid field.
  std::string validate() const;
};

struct GatedReluSolution {
  Eigen::MatrixXd blocks;  // d x P, the point with the lowest objective seen
  RFistaState state;       // last R-FISTA state, for warm starts (used when its shape matches)
};

// Empty when `loss` can be used by the R-FISTA solvers (gated and augmented Lagrangian), else a
// message naming the field: they need a smooth loss (squared or logistic).
std::string smooth_loss_error(LossKind loss, const char* solver_name);

// Summary: convex_objective and network_objective are the gated objective at the best point
// (the gated network's training objective, U), lower_bound L of 11.2, dual_residual the norm of
// the min-norm subgradient (R-FISTA's optimality measure), final_rho the last step size. The
// observer's view recovers a ReLU network through the cone decomposition (on request only).
SolverSummary solve_gated_relu(const ConvexProblem& problem, const GatedReluOptions& options,
                               GatedReluSolution* solution, const SolveContext& context = {});

}  // namespace convexnn
