#pragma once
// Augmented Lagrangian method for the ReLU program (science.md 10.3; scnn's AL solver): the cone
// constraints g_b(u) = -(2 D_i - I) X u_b <= 0 enter through
//   L_delta(u; gamma) = l(F u) + beta sum_b ||u_b|| + (delta/2) sum_b ||(g_b(u) +
//   gamma_b/delta)_+||^2,
// each subproblem solved by R-FISTA, then gamma_b <- (gamma_b + delta g_b(u))_+. The penalty delta
// is first moved into a window of constraint violation, then the multipliers are updated.
// Certified like ADMM (11.1): U from the iterate projected onto the cones, L from the dual
// candidate with the multipliers gamma as cone multipliers (and NNLS), so U, L and gap are
// comparable with ADMM's.
#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/convex_problem.h"
#include "convexnn/rfista.h"
#include "convexnn/solver_summary.h"

namespace convexnn {

struct AugmentedLagrangianOptions {
  // Initial penalty delta. scnn uses 1000 / n with a mean loss; this program sums the loss over
  // samples, which multiplies the equivalent delta by n.
  double initial_penalty = 100.0;
  double penalty_factor = 2.0;  // tau: delta and tolerances change by this factor
  // Window of constraint violation sum_b ||(g_b)_+||^2 the penalty is tuned into before the
  // multiplier updates start (scnn's use_delta_init).
  bool tune_penalty = true;
  double window_upper = 1e-2;
  double window_lower = 1e-3;
  int max_window_steps = 30;
  // Subproblem tolerances on the squared min-norm subgradient per sample (the sum-form gradient
  // divided by n, i.e. scnn's mean-loss scale): while tuning the penalty, then afterwards.
  double initial_subproblem_tolerance = 1e-3;
  double subproblem_tolerance = 1e-6;
  RFistaOptions inner;  // its subgradient_tolerance and max_iterations are set per subproblem
  // As ADMM: after a subproblem, re-solve the program restricted to the iterate's largest blocks
  // by the interior-point method (restricted_interior_point.h), first after polish_interval
  // inner iterations, then with doubling spacing. The first-order tail alone is slow at 1e-6.
  bool polish = true;
  int polish_interval = 200;

  std::int64_t max_iterations = 20000;        // R-FISTA iterations in total
  std::int64_t max_outer_iterations = 10000;  // subproblems
  double relative_gap_tolerance = 1e-6;       // stop when (U - L) / max(1, |U|) is below this
  // When positive, also stop by scnn's outer criterion (its ConstrainedHeuristic): after an outer
  // update, sum_b ||(g_b)_+||^2 <= kkt_tolerance and the squared min-norm subgradient of the
  // augmented Lagrangian at the new multipliers, per-sample scale (divided by n^2), <=
  // kkt_tolerance. Status kKktCriterion: comparable with scnn's runs, but not a certificate.
  double kkt_tolerance = 0.0;
  // Fewest inner iterations between certificates; they are spaced further by their estimated
  // cost (at most about a tenth of the run), and one ends every run that is not certified.
  int certificate_interval = 50;
  int report_every = 1;      // observer every k-th inner iteration
  double max_seconds = 0.0;  // 0: no time limit

  std::string validate() const;
};

// The method's state; pass it back to warm-start (used when its shapes match the problem).
struct AugmentedLagrangianState {
  Eigen::MatrixXd blocks;       // d x 2P iterate
  Eigen::MatrixXd multipliers;  // n x 2P, gamma >= 0
  double penalty = 0.0;         // delta
  double subproblem_tolerance = 0.0;
  bool window_reached = false;  // multiplier updates have started
  double step = 0.0;            // R-FISTA step size

  bool matches(const ConvexProblem& problem) const;
};

struct AugmentedLagrangianSolution {
  Eigen::MatrixXd blocks;  // best certified point (projected onto the cones: feasible), d x 2P
  AugmentedLagrangianState state;
  std::int64_t outer_iterations = 0;
};

// Summary: iterations counts R-FISTA iterations; primal_residual is sqrt(sum_b ||(g_b)_+||^2)
// at the last iterate, dual_residual the last subproblem's min-norm subgradient norm, final_rho
// the penalty delta.
SolverSummary solve_augmented_lagrangian(const ConvexProblem& problem,
                                         const AugmentedLagrangianOptions& options,
                                         AugmentedLagrangianSolution* solution,
                                         const SolveContext& context = {});

}  // namespace convexnn
