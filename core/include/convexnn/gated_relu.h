#pragma once
// The gated ReLU program (C-GReLU, science.md 3.4), one block per pattern and no cone constraints:
//   min_u  l(sum_i D_i X u_i, y) + beta sum_i ||u_i||,
// solved by R-FISTA (10.2) with the duality-gap certificate of 11.2 as the stopping rule. Its
// optimum is a lower bound on the ReLU program over the same patterns (p*_G <= p*_C); the cone
// decomposition (cone_decomposition.h) turns its solution into a ReLU network.
#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/convex_problem.h"
#include "convexnn/pattern_products.h"
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

// Float copies of X and of the diagonals s_i for the single precision products, made once per
// solve (n x (d + P) floats beside the problem's doubles): R-FISTA's --float32 and the Nystrom
// ADMM's sketch and loose CG solves.
struct SinglePrecisionProducts {
  explicit SinglePrecisionProducts(const ConvexProblem& problem);
  Eigen::MatrixXf X;
  Eigen::MatrixXf diagonals;
  CompactMasks masks;
  ActivationDiagonal diagonal;
};

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

enum class GatedMethod {
  // Nystrom ADMM for the squared loss when d >= kNystromAdmmMinDimension (image data, where
  // R-FISTA's first-order steps crawl: Fashion-MNIST's X^T X spans six decades), else R-FISTA.
  kAuto,
  kRFista,       // accelerated proximal gradient (science.md 10.2)
  kNystromAdmm,  // ADMM with a Nystrom-preconditioned CG u-update (CRONOS); squared loss only
};
inline constexpr Eigen::Index kNystromAdmmMinDimension = 200;
const char* to_string(GatedMethod method);
// "auto", "rfista" or "admm"; throws InputError naming the value otherwise.
GatedMethod parse_gated_method(const std::string& name);

// ADMM on min l(F u) + beta sum_i ||z_i|| s.t. u = z (the CRONOS splitting): the u-update solves
// (F^T F + rho I) u = F^T y + rho (z - lambda) by conjugate gradients preconditioned with a
// rank-s Nystrom sketch of F^T F; the z-update is the group soft-threshold.
struct GatedAdmmOptions {
  int sketch_rank = 128;          // s: one product with s columns to build the preconditioner
  double rho = 0.0;               // initial penalty; 0: lambda_s / 25 (lambda_s: the sketch's last)
  double relaxation = 1.6;        // over-relaxation alpha in [1, 2)
  double penalty_balance = 10.0;  // rho doubles / halves when one residual exceeds the other
  int penalty_update_interval = 5;  // by this factor, at most once every this many iterations
  // CG's relative residual for the k-th u-update: max(min_cg_tolerance, cg_tolerance / k^2)
  // (summable errors keep inexact ADMM convergent); CG starts from the last u.
  double cg_tolerance = 1e-2;
  double min_cg_tolerance = 1e-10;
  int max_cg_iterations = 50;
  std::uint64_t seed = 1;  // of the sketch

  // Empty when valid, else a message naming the first invalid field.
  std::string validate() const;
};

struct GatedReluOptions {
  GatedMethod method = GatedMethod::kAuto;
  GatedAdmmOptions admm;
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
  // Single precision for R-FISTA's products F u and F^T r (float GEMMs, pattern_products.h):
  // about twice as fast per product; the iterates stay double (the Nystrom ADMM ignores it). The
  // certificates stay honest: the upper and lower bounds that decide convergence, and every
  // reported objective, bound and gap, come from double products. Float rounding (~1e-7 relative in
  // the predictions) stalls R-FISTA's line search near the optimum, so the run goes on with double
  // products (mixed precision) once the certified relative gap is below 1e-5, stops shrinking, or
  // the line search hits its minimum step.
  bool single_precision = false;
  // Iterations between certificates while the float products run: each costs one double F u and
  // one double F^T r (about two float iterations' worth), so not every iteration.
  int single_precision_certificate_interval = 10;

  // Empty when valid, else a message naming the first invalid field.
  std::string validate() const;
};

// The observer's network: the ReLU network of the cone decomposition, built only on request.
class GatedBlocksView : public IterateView {
 public:
  GatedBlocksView(const ConvexProblem& problem, const Eigen::MatrixXd& gated_blocks)
      : problem_(problem), gated_blocks_(gated_blocks) {}
  TwoLayerNetwork network() const override;

 private:
  const ConvexProblem& problem_;
  const Eigen::MatrixXd& gated_blocks_;
};

// The observer's report of a gated iterate with prediction F u: objective, best bounds, active
// blocks and accuracies (test accuracy of the gated network on context.test_set, else NaN). The
// algorithm fills in residuals, rho and the elapsed time.
IterationReport gated_iteration_report(const ConvexProblem& problem, std::int64_t iteration,
                                       const Eigen::MatrixXd& blocks,
                                       const Eigen::VectorXd& prediction, double best_upper,
                                       double best_lower, const SolveContext& context);

// The method `options.method` resolves to on `problem`.
GatedMethod resolved_gated_method(const ConvexProblem& problem, const GatedReluOptions& options);

struct GatedReluSolution {
  Eigen::MatrixXd blocks;  // d x P, the point with the lowest objective seen
  RFistaState state;       // last R-FISTA state, for warm starts (used when its shape matches)
  double admm_rho = 0.0;   // the Nystrom ADMM's last penalty, reused by a warm start
  // The dual candidate (n) of the best lower bound: a warm start certifies with it again, so a
  // converged run stays converged (any candidate bounds the program, so it stays valid when beta
  // or the labels change; used when its length matches).
  Eigen::VectorXd best_dual;
};

// Empty when `loss` can be used by the R-FISTA solvers (gated and augmented Lagrangian), else a
// message naming the field: they need a smooth loss (squared or logistic).
std::string smooth_loss_error(LossKind loss, const char* solver_name);

// Summary: convex_objective and network_objective are the gated objective at the best point
// (the gated network's training objective, U), lower_bound L of 11.2; for R-FISTA dual_residual
// is the norm of the min-norm subgradient and final_rho the last step size, for the Nystrom ADMM
// they are ADMM's residuals and penalty. The
// observer's view recovers a ReLU network through the cone decomposition (on request only).
SolverSummary solve_gated_relu(const ConvexProblem& problem, const GatedReluOptions& options,
                               GatedReluSolution* solution, const SolveContext& context = {});

}  // namespace convexnn
