#include "convexnn/gated_admm.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>

#include "convexnn/admm_building_blocks.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"
#include "convexnn/network_recovery.h"
#include "convexnn/nystrom_preconditioner.h"
#include "convexnn/pattern_products.h"
#include "convexnn/preconditioned_conjugate_gradient.h"
#include "convexnn/solver_clock.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

Eigen::Map<const Eigen::MatrixXd> as_blocks(const Eigen::VectorXd& flat, Eigen::Index d) {
  return {flat.data(), d, flat.size() / d};
}

constexpr double kFloatCgTolerance = 1e-5;
constexpr double kFloatAccuracy = 1e-6;  // relative rounding of the float products

Eigen::VectorXd flatten(const Eigen::MatrixXd& blocks) {
  return Eigen::Map<const Eigen::VectorXd>(blocks.data(), blocks.size());
}

}  // namespace

SolverSummary solve_gated_admm(const ConvexProblem& problem, const GatedReluOptions& options,
                               GatedReluSolution* solution, const SolveContext& context) {
  const Clock::time_point start = Clock::now();
  SolverSummary summary;
  summary.solver = SolverKind::kGated;
  summary.algorithm = "Nystrom ADMM";
  summary.num_patterns = problem.num_patterns();
  summary.pattern_mode = problem.patterns.mode;
  if (problem.loss != LossKind::kSquared) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = std::string(
                          "the gated ADMM solves a linear system per step and needs the "
                          "squared loss (got '") +
                      to_string(problem.loss) + "'); use the R-FISTA method";
    return summary;
  }
  const GatedAdmmOptions& admm = options.admm;
  const Eigen::Index d = problem.dim();
  const Eigen::Index P = problem.num_patterns();
  const Eigen::Index N = d * P;

  // A v = F^T F v on flattened d x P blocks.
  auto normal_product = [&](const Eigen::VectorXd& v) {
    return flatten(problem.normal_product(as_blocks(v, d)));
  };
  // Float copies for the products that need no double precision (twice the GEMM rate): the
  // sketch, which only shapes the preconditioner, and CG solves asked for a relative residual of
  // kFloatCgTolerance or more (float's ~1e-7 rounding is far below). Certificates stay double.
  const bool float_range = problem.X.allFinite() && problem.X.cwiseAbs().maxCoeff() < 1e30;
  std::optional<SinglePrecisionProducts> single;
  if (float_range) single.emplace(problem);
  auto float_normal_product = [&](const Eigen::VectorXd& v) {
    if (!single) return normal_product(v);
    return flatten(pattern_normal_product(single->X, single->diagonals, as_blocks(v, d)));
  };
  // Should the sketch fail (an operator rounding made indefinite), CG runs unpreconditioned.
  NystromPreconditioner preconditioner;
  try {
    preconditioner = NystromPreconditioner(
        N, admm.sketch_rank,
        [&](const Eigen::MatrixXd& columns) {
          Eigen::MatrixXd images(columns.rows(), columns.cols());
          for (Eigen::Index c = 0; c < columns.cols(); ++c) {
            images.col(c) = float_normal_product(columns.col(c));
          }
          return images;
        },
        admm.seed, float_range ? kFloatAccuracy : 0.0);
  } catch (const InputError&) {
    preconditioner = NystromPreconditioner();
  }
  const Eigen::VectorXd& eigenvalues = preconditioner.eigenvalues();
  // rho = lambda_s / 25: the preconditioned condition number (lambda_s + rho) / rho is then
  // about 26, a few more CG steps per update than at rho = lambda_s for much faster ADMM progress
  // (Fashion-MNIST, rank 128: gap 1e-3 after 854 products against 1077 starting at lambda_s;
  // residual balancing adapts rho from there). A floor keeps it positive when the sketch
  // captured all of A's range.
  double rho = admm.rho;
  if (!(rho > 0) && eigenvalues.size() > 0) {
    rho = std::max(eigenvalues[eigenvalues.size() - 1] / 25.0, 1e-6 * eigenvalues[0]);
  }
  if (!(rho > 0)) rho = 1.0;
  const bool warm = solution->state.matches(d, P);
  if (warm && admm.rho == 0 && solution->admm_rho > 0) rho = solution->admm_rho;
  const Eigen::VectorXd adjoint_y = flatten(gated_prediction_adjoint(problem, problem.y));

  RFistaState& state = solution->state;
  Eigen::VectorXd z = warm ? flatten(state.iterate) : Eigen::VectorXd::Zero(N);
  Eigen::VectorXd u = z;
  // The scaled dual that makes u = z a fixed point of the u-update, lambda = -F^T (F z - y) / rho
  // (the optimality condition): a warm start at the optimum then stays there.
  Eigen::VectorXd scaled_dual = (adjoint_y - normal_product(z)) / rho;

  double best_upper = std::numeric_limits<double>::infinity();
  double best_lower = -std::numeric_limits<double>::infinity();
  solution->blocks = as_blocks(z, d);
  // Objective at z (upper bound) and the dual bound from lambda = grad l(F z) (lower bound).
  auto certify = [&](const Eigen::VectorXd& point, Eigen::VectorXd* prediction) {
    const Eigen::Map<const Eigen::MatrixXd> blocks = as_blocks(point, d);
    *prediction = gated_prediction(problem, blocks);
    const double upper = loss_value(problem.loss, *prediction, problem.y) +
                         problem.beta * blocks.colwise().norm().sum();
    if (upper < best_upper) {
      best_upper = upper;
      solution->blocks = blocks;
    }
    const Eigen::VectorXd lambda = dual_candidate(problem, *prediction, nullptr);
    best_lower = std::max(best_lower, gated_dual_lower_bound(problem, lambda).lower_bound);
  };
  auto converged = [&] {
    return relative_gap(best_upper, best_lower) <= options.relative_gap_tolerance;
  };
  double primal_residual = 0.0;
  double dual_residual = 0.0;
  auto make_report = [&](std::int64_t iteration, const Eigen::VectorXd& point,
                         const Eigen::VectorXd& prediction) {
    IterationReport report = gated_iteration_report(problem, iteration, as_blocks(point, d),
                                                    prediction, best_upper, best_lower, context);
    report.primal_residual = primal_residual;
    report.dual_residual = dual_residual;
    report.rho = rho;
    report.elapsed_seconds = seconds_since(start);
    return report;
  };

  Eigen::VectorXd prediction;
  certify(z, &prediction);
  summary.setup_seconds = seconds_since(start);

  bool cancelled_by_observer = false;
  bool time_limit = false;
  bool certified = converged();
  std::int64_t iteration = 0;
  std::int64_t last_reported = -1;
  std::int64_t last_penalty_update = 0;
  std::int64_t cg_products = 0;
  const std::int64_t max_iterations = options.rfista.max_iterations;
  while (!certified && iteration < max_iterations) {
    if (context.stop_token.stop_requested()) break;
    ++iteration;
    // u-update: (A + rho I) u = F^T y + rho (z - lambda), warm-started at the last u.
    const Eigen::VectorXd rhs = adjoint_y + rho * (z - scaled_dual);
    // Inexact u-updates: CG stops once u's error (at most ||CG residual|| / rho) is a tenth of
    // ADMM's own residuals, or at the summable schedule cg_tolerance / k^2, whichever is looser;
    // exactness early on buys nothing.
    double tolerance = admm.cg_tolerance / static_cast<double>(iteration * iteration);
    if (iteration > 1) {
      tolerance = std::max(tolerance, 0.1 * std::min(rho * primal_residual, dual_residual) /
                                          std::max(rhs.norm(), 1e-300));
    }
    tolerance = std::clamp(tolerance, admm.min_cg_tolerance, admm.cg_tolerance);
    const ConjugateGradientResult cg = preconditioned_conjugate_gradient(
        [&](const Eigen::VectorXd& v) {
          return Eigen::VectorXd(
              (tolerance >= kFloatCgTolerance ? float_normal_product(v) : normal_product(v)) +
              rho * v);
        },
        [&](const Eigen::VectorXd& v) { return preconditioner.apply_inverse(v, rho); }, rhs,
        tolerance, admm.max_cg_iterations, &u);
    cg_products += cg.iterations + 1;
    if (!u.allFinite()) break;
    // z- and dual updates with over-relaxation.
    const Eigen::VectorXd relaxed = admm.relaxation * u + (1.0 - admm.relaxation) * z;
    const Eigen::VectorXd previous_z = z;
    z = flatten(group_soft_threshold(as_blocks(Eigen::VectorXd(relaxed + scaled_dual), d),
                                     problem.beta / rho));
    scaled_dual += relaxed - z;
    primal_residual = (u - z).norm();
    dual_residual = rho * (z - previous_z).norm();

    const bool certify_now = iteration % options.certificate_interval == 0;
    const bool report_now = context.observer && iteration % options.report_every == 0;
    if (certify_now || report_now) {
      Eigen::VectorXd u_prediction;
      certify(u, &u_prediction);
      certify(z, &prediction);
      certified = converged();
    }
    if (context.observer && (report_now || certified)) {
      last_reported = iteration;
      if (context.observer->on_iteration(make_report(iteration, z, prediction),
                                         GatedBlocksView(problem, solution->blocks)) ==
          ObserverAction::kStop) {
        cancelled_by_observer = true;
        break;
      }
    }
    if (options.max_seconds > 0 && seconds_since(start) > options.max_seconds) {
      time_limit = true;
      break;
    }
    // Residual balancing (Boyd et al. 3.4.1); the scaled dual rescales with rho.
    if (iteration - last_penalty_update >= admm.penalty_update_interval) {
      double factor = 1.0;
      if (primal_residual > admm.penalty_balance * dual_residual) factor = 2.0;
      if (dual_residual > admm.penalty_balance * primal_residual) factor = 0.5;
      if (factor != 1.0) {
        rho *= factor;
        scaled_dual /= factor;
        last_penalty_update = iteration;
      }
    }
  }
  certify(z, &prediction);
  certified = converged();

  state.iterate = solution->blocks;  // warm starts resume from the best point
  solution->admm_rho = rho;
  state.reset_momentum();
  state.step = 0.0;
  if (cancelled_by_observer) {
    summary.status = SolverStatus::kCancelled;
    summary.message = "stopped by the observer";
  } else if (certified) {
    summary.status = SolverStatus::kConverged;
    summary.message = "relative gap below tolerance";
  } else if (context.stop_token.stop_requested()) {
    summary.status = SolverStatus::kCancelled;
    summary.message = "cancelled";
  } else if (!u.allFinite()) {
    summary.status = SolverStatus::kNumericalFailure;
    summary.message = "non-finite values in the ADMM u-update";
  } else {
    summary.status = SolverStatus::kIterationLimit;
    summary.message = time_limit ? "time limit reached" : "iteration limit reached";
  }
  summary.message += " (rank " + std::to_string(preconditioner.eigenvalues().size()) +
                     " Nystrom sketch, " + std::to_string(cg_products) + " CG products)";
  if (context.observer && !cancelled_by_observer && last_reported != iteration) {
    if (context.observer->on_iteration(make_report(iteration, z, prediction),
                                       GatedBlocksView(problem, solution->blocks)) ==
            ObserverAction::kStop &&
        summary.status != SolverStatus::kConverged) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "stopped by the observer";
    }
  }
  summary.iterations = iteration;
  summary.network_objective = best_upper;
  summary.convex_objective = best_upper;
  summary.lower_bound = best_lower;
  summary.gap = best_upper - best_lower;
  summary.relative_gap = relative_gap(best_upper, best_lower);
  summary.primal_residual = primal_residual;
  summary.dual_residual = dual_residual;
  summary.final_rho = rho;
  summary.max_cone_violation = 0.0;
  summary.active_neurons = count_active_blocks(solution->blocks);
  summary.total_seconds = seconds_since(start);
  summary.solve_seconds = summary.total_seconds - summary.setup_seconds;
  return summary;
}

}  // namespace convexnn
