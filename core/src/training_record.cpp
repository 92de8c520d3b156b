#include "convexnn/training_record.h"

#include <algorithm>
#include <cmath>

namespace convexnn {

TrainingRecord make_training_record(const SolverSummary& summary, const TrainingConfig& config) {
  TrainingRecord record;
  record.formulation = to_string(config.pattern_mode);
  record.loss = to_string(config.loss);
  record.beta = config.beta;
  record.epsilon = config.epsilon;
  record.activation = config.activation.name();
  record.patterns = summary.num_patterns;
  record.rho = summary.final_rho;
  record.rho_mode = config.admm.penalty_mode == PenaltyMode::kAdaptive ? "auto" : "fixed";
  record.seed = config.seed;
  record.objective = summary.network_objective;
  record.lower_bound = summary.lower_bound;
  record.gap = summary.relative_gap;
  record.iterations = summary.iterations;
  record.status = to_string(summary.status);
  record.certified_global_optimum = summary.certifies_global_optimum();
  if (summary.semidefinite) {
    // No patterns and no penalty parameter: the exact semidefinite program, solved by FISTA.
    record.formulation = "semidefinite";
    record.patterns = 0;
    record.rho = 0.0;
    record.rho_mode = "";
  }
  if (summary.solver == SolverKind::kGated && std::isfinite(summary.decomposed_objective)) {
    // The saved network is the cone decomposition's ReLU network; the gated lower bound still
    // bounds the ReLU program (p*_G <= p*_C), so the gap is an honest (weak) one.
    record.objective = summary.decomposed_objective;
    record.gap = (summary.decomposed_objective - summary.lower_bound) /
                 std::max(1.0, std::abs(summary.decomposed_objective));
  }
  return record;
}

}  // namespace convexnn
