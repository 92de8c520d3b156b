#pragma once
// What a solve produced, in the spirit of Ceres' Solver::Summary.
#include <cstdint>
#include <limits>
#include <string>

#include "convexnn/activation_patterns.h"
#include "convexnn/solver_options.h"

namespace convexnn {

enum class SolverStatus {
  kConverged,  // relative gap below tolerance: certified
  // The augmented Lagrangian's kkt_tolerance (scnn's stopping rule): small constraint violation
  // and stationarity, which does not bound the gap; the summary's gap says how far it is.
  kKktCriterion,
  kIterationLimit,    // max_iterations or max_seconds reached first
  kCancelled,         // observer or stop token
  kNumericalFailure,  // non-finite values or a failed factorization
  kInvalidOptions,
};

const char* to_string(SolverStatus status);

// (U - L) / max(1, |U|): the gap every solver reports and stops on.
double relative_gap(double upper, double lower);

struct SolverSummary {
  SolverStatus status = SolverStatus::kInvalidOptions;
  std::string message;
  std::int64_t iterations = 0;
  double setup_seconds = 0.0;
  double solve_seconds = 0.0;
  double total_seconds = 0.0;

  double convex_objective = 0.0;
  double network_objective = 0.0;  // U
  double lower_bound = 0.0;        // L
  double gap = 0.0;                // U - L
  double relative_gap = 0.0;
  double primal_residual = 0.0;
  double dual_residual = 0.0;
  double final_rho = 0.0;
  double max_cone_violation = 0.0;
  std::int64_t active_neurons = 0;
  std::int64_t num_patterns = 0;
  // The program has no activation patterns when `semidefinite` is set; its pattern_mode is then
  // kExact, since the semidefinite program is exact.
  PatternMode pattern_mode = PatternMode::kSampled;
  // Polynomial activation (science.md 9): the semidefinite program solved by FISTA. A converged
  // gap certifies the non-convex problem (unit-norm neurons, l1 output penalty, any width).
  bool semidefinite = false;
  LinearSolverKind linear_solver = LinearSolverKind::kAutomatic;  // the one actually used
  std::int64_t polish_successes = 0;

  // The algorithm. For kGated the objective, bound and gap certify the gated ReLU program
  // (science.md 3.4), a relaxation of the ReLU program over the same patterns: network_objective
  // is the gated network's objective, and `decomposed_objective` the ReLU program's objective
  // after the cone decomposition (10.4), i.e. the trained ReLU network's objective (>= the gated
  // one; the difference is the approximation gap). NaN until a decomposition was made.
  SolverKind solver = SolverKind::kAdmm;
  // For a solver kind with several algorithms, the one that ran (gated: "R-FISTA" or
  // "Nystrom ADMM"); empty otherwise.
  std::string algorithm;
  double decomposed_objective = std::numeric_limits<double>::quiet_NaN();

  // Robust (adversarial) training, science.md 6.2: the program is (RC) with l_inf radius
  // `epsilon`. Then network_objective is the recovered network's adversarial training objective
  // (exact when every training ball is stable), convex_objective the (RC) objective, lower_bound
  // only the weak bound of the standard program (11.4), status kConverged means the KKT residuals
  // (primal_residual, dual_residual, relative) fell below the tolerance, and max_cone_violation
  // measures the robust cone constraints.
  bool robust = false;
  double epsilon = 0.0;

  // True when the gap certifies the global optimum of the non-convex network training problem
  // (exact patterns and converged). Never for gated runs (the bound is the relaxation's) nor for
  // robust runs: (RC) only bounds the adversarial
  // training problem from above, and its lower bound is weak.
  bool certifies_global_optimum() const {
    return !robust && solver != SolverKind::kGated && solver != SolverKind::kRandomFeatures &&
           status == SolverStatus::kConverged && pattern_mode == PatternMode::kExact;
  }
  // One sentence on what the certificate means, e.g. "Certified globally optimal ...".
  std::string certificate_statement() const;
  std::string brief_report() const;
  std::string full_report() const;
};

}  // namespace convexnn
