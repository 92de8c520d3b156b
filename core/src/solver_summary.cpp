#include "convexnn/solver_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace convexnn {

double relative_gap(double upper, double lower) {
  return (upper - lower) / std::max(1.0, std::abs(upper));
}

const char* to_string(SolverStatus status) {
  switch (status) {
    case SolverStatus::kConverged:
      return "converged";
    case SolverStatus::kIterationLimit:
      return "iteration limit";
    case SolverStatus::kCancelled:
      return "cancelled";
    case SolverStatus::kNumericalFailure:
      return "numerical failure";
    case SolverStatus::kKktCriterion:
      return "KKT criterion met";
    case SolverStatus::kInvalidOptions:
      return "invalid options";
  }
  return "unknown";
}

std::string SolverSummary::certificate_statement() const {
  char gap_text[64];
  std::snprintf(gap_text, sizeof gap_text, "%.2e", relative_gap);
  if (semidefinite) {
    return status == SolverStatus::kConverged
               ? std::string(
                     "Certified globally optimal: the semidefinite program is exact, so "
                     "the relative duality gap ") +
                     gap_text +
                     " proves this network is a global minimizer of the non-convex training "
                     "objective (unit-norm neurons, l1 output penalty, any width; to that "
                     "tolerance)."
               : std::string("Not certified: the relative gap is ") + gap_text +
                     ", above the tolerance.";
  }
  if (robust) {
    char text[512];
    std::snprintf(text, sizeof text,
                  "Robust program (epsilon %g): %s to KKT residuals %.2e / %.2e; not certified "
                  "globally optimal. The objective is the network's adversarial training loss "
                  "(inner maximization in closed form, exact where no neuron can switch on a "
                  "training ball); the lower bound is only the weak bound of the standard "
                  "program (relative gap %s).",
                  epsilon, status == SolverStatus::kConverged ? "converged" : "stopped",
                  primal_residual, dual_residual, gap_text);
    return text;
  }
  if (solver == SolverKind::kRandomFeatures) {
    return std::string(status == SolverStatus::kConverged ? "Certified optimal" : "Not certified") +
           " among networks whose neurons point along the " + std::to_string(num_patterns) +
           " sampled directions (lasso relative gap " + gap_text +
           "); this is not a certificate of global optimality.";
  }
  if (solver == SolverKind::kGated) {
    std::string text =
        status == SolverStatus::kConverged
            ? std::string("Certified optimal for the gated ReLU program (relative gap ") +
                  gap_text + ")"
            : std::string("Gated ReLU program not certified (relative gap ") + gap_text + ")";
    text +=
        "; it relaxes the ReLU program over the same patterns, so its lower bound is also a "
        "lower bound for that program";
    if (!std::isnan(decomposed_objective)) {
      char tail[200];
      std::snprintf(tail, sizeof tail,
                    ", but the ReLU network from the cone decomposition (objective %.10g, "
                    "approximation gap %.3e) is not certified.",
                    decomposed_objective, decomposed_objective - network_objective);
      text += tail;
    } else {
      text += ".";
    }
    return text;
  }
  if (certifies_global_optimum()) {
    return std::string(
               "Certified globally optimal: with all activation patterns enumerated, the "
               "relative duality gap ") +
           gap_text +
           " proves this network is a global minimizer of the non-convex training objective "
           "(to that tolerance).";
  }
  if (status == SolverStatus::kConverged) {
    return std::string("Certified optimal for the sampled convex program (relative gap ") +
           gap_text + "); with sampled patterns this does not certify the non-convex problem.";
  }
  return std::string("Not certified: the relative gap is ") + gap_text + ", above the tolerance.";
}

std::string SolverSummary::brief_report() const {
  char text[256];
  std::snprintf(text, sizeof text, "%s after %lld iterations (%.3f s): objective %.10g, gap %.2e",
                to_string(status), static_cast<long long>(iterations), total_seconds,
                network_objective, relative_gap);
  return text;
}

namespace {

// The polynomial-activation SDP (science.md 9) has no patterns, linear solver or rho.
std::string semidefinite_report(const SolverSummary& s) {
  std::ostringstream out;
  char line[256];
  out << "Solver summary (FISTA on the semidefinite program)\n";
  std::snprintf(line, sizeof line, "  status                %s (%s)\n", to_string(s.status),
                s.message.c_str());
  out << line;
  std::snprintf(line, sizeof line, "  iterations            %lld\n",
                static_cast<long long>(s.iterations));
  out << line;
  std::snprintf(line, sizeof line, "  time                  %.3f s (setup %.3f s, solve %.3f s)\n",
                s.total_seconds, s.setup_seconds, s.solve_seconds);
  out << line;
  std::snprintf(line, sizeof line, "  network objective U   %.12g\n", s.network_objective);
  out << line;
  std::snprintf(line, sizeof line, "  SDP objective         %.12g\n", s.convex_objective);
  out << line;
  std::snprintf(line, sizeof line, "  lower bound L         %.12g\n", s.lower_bound);
  out << line;
  std::snprintf(line, sizeof line, "  relative gap          %.3e\n", s.relative_gap);
  out << line;
  std::snprintf(line, sizeof line, "  residuals             |<J, Z>| %.3e, gradient mapping %.3e\n",
                s.primal_residual, s.dual_residual);
  out << line;
  std::snprintf(line, sizeof line, "  neurons               %lld\n",
                static_cast<long long>(s.active_neurons));
  out << line;
  out << "  " << s.certificate_statement() << "\n";
  return out.str();
}

}  // namespace

std::string SolverSummary::full_report() const {
  if (semidefinite) return semidefinite_report(*this);
  std::ostringstream out;
  char line[256];
  if (robust) {
    std::snprintf(line, sizeof line, "Solver summary (robust ADMM, epsilon %g)\n", epsilon);
    out << line;
  } else if (solver == SolverKind::kRandomFeatures) {
    out << "Solver summary (SCP: lasso over sampled ReLU features, R-FISTA)\n";
  } else if (solver == SolverKind::kGated) {
    out << "Solver summary (gated ReLU, " << (algorithm.empty() ? "R-FISTA" : algorithm) << ")\n";
  } else if (solver == SolverKind::kAugmentedLagrangian) {
    out << "Solver summary (augmented Lagrangian, R-FISTA subproblems)\n";
  } else {
    out << "Solver summary (ADMM)\n";
  }
  std::snprintf(line, sizeof line, "  status                %s (%s)\n", to_string(status),
                message.c_str());
  out << line;
  if (solver == SolverKind::kRandomFeatures) {
    std::snprintf(line, sizeof line, "  random neurons        %lld (sampled directions)\n",
                  static_cast<long long>(num_patterns));
  } else {
    std::snprintf(line, sizeof line, "  patterns              %lld (%s)\n",
                  static_cast<long long>(num_patterns), to_string(pattern_mode));
  }
  out << line;
  if (solver == SolverKind::kAdmm) {
    std::snprintf(line, sizeof line, "  linear solver         %s\n", to_string(linear_solver));
    out << line;
  }
  std::snprintf(line, sizeof line, "  iterations            %lld\n",
                static_cast<long long>(iterations));
  out << line;
  std::snprintf(line, sizeof line, "  time                  %.3f s (setup %.3f s, solve %.3f s)\n",
                total_seconds, setup_seconds, solve_seconds);
  out << line;
  if (robust) {
    std::snprintf(line, sizeof line, "  adversarial objective %.12g\n", network_objective);
    out << line;
    std::snprintf(line, sizeof line, "  robust program value  %.12g\n", convex_objective);
    out << line;
    std::snprintf(line, sizeof line, "  weak lower bound L    %.12g (standard program, eps = 0)\n",
                  lower_bound);
    out << line;
    std::snprintf(line, sizeof line, "  relative gap          %.3e (weak: not a certificate)\n",
                  relative_gap);
    out << line;
    std::snprintf(line, sizeof line,
                  "  KKT residuals         primal %.3e, dual %.3e (relative), rho %.4g\n",
                  primal_residual, dual_residual, final_rho);
    out << line;
    std::snprintf(line, sizeof line, "  robust cone violation %.3e\n", max_cone_violation);
    out << line;
  } else if (solver == SolverKind::kGated) {
    std::snprintf(line, sizeof line, "  gated objective U     %.12g\n", network_objective);
    out << line;
    std::snprintf(line, sizeof line, "  lower bound L         %.12g (gated program)\n",
                  lower_bound);
    out << line;
    std::snprintf(line, sizeof line, "  relative gap          %.3e\n", relative_gap);
    out << line;
    std::snprintf(line, sizeof line, "  min-norm subgradient  %.3e, step %.4g\n", dual_residual,
                  final_rho);
    out << line;
    if (!std::isnan(decomposed_objective)) {
      std::snprintf(line, sizeof line, "  ReLU objective        %.12g (after cone decomposition)\n",
                    decomposed_objective);
      out << line;
      std::snprintf(line, sizeof line, "  cone violation        %.3e\n", max_cone_violation);
      out << line;
    }
  } else {
    std::snprintf(line, sizeof line, "  network objective U   %.12g\n", network_objective);
    out << line;
    std::snprintf(line, sizeof line, "  convex objective      %.12g\n", convex_objective);
    out << line;
    std::snprintf(line, sizeof line, "  lower bound L         %.12g\n", lower_bound);
    out << line;
    std::snprintf(line, sizeof line, "  relative gap          %.3e\n", relative_gap);
    out << line;
    if (solver == SolverKind::kAugmentedLagrangian) {
      std::snprintf(line, sizeof line,
                    "  residuals             constraint %.3e, subgradient %.3e, delta %.4g\n",
                    primal_residual, dual_residual, final_rho);
    } else {
      std::snprintf(line, sizeof line, "  residuals             primal %.3e, dual %.3e, rho %.4g\n",
                    primal_residual, dual_residual, final_rho);
    }
    out << line;
  }
  std::snprintf(line, sizeof line, "  active neurons        %lld\n",
                static_cast<long long>(active_neurons));
  out << line;
  out << "  " << certificate_statement() << "\n";
  return out.str();
}

}  // namespace convexnn
