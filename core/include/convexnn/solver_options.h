#pragma once
// Options of the ADMM solver (science.md 4), validated with messages that name the field.
#include <cstdint>
#include <string>

namespace convexnn {

enum class LinearSolverKind {
  kAutomatic,  // Woodbury when n < 2 d P, direct otherwise
  kDirect,     // Cholesky of the 2dP x 2dP system
  kWoodbury,   // Cholesky of an n x n core matrix
};

enum class PenaltyMode { kFixed, kAdaptive };

// Which algorithm trains the network (CLI --solver, TrainingConfig::solver).
enum class SolverKind {
  kAdmm,                 // ADMM on the ReLU program (science.md 4)
  kAugmentedLagrangian,  // augmented Lagrangian with R-FISTA subproblems (10.3)
  kGated,                // R-FISTA on the gated ReLU program (3.4, 10.2) + cone decomposition
  kRandomFeatures,       // SCP: lasso over sampled ReLU features (BGS Algorithm 2, science.md 5)
};

struct AdmmOptions {
  double rho = 1.0;  // initial ADMM penalty
  PenaltyMode penalty_mode = PenaltyMode::kAdaptive;
  // Residual balancing: rho is scaled by `penalty_scale` when one residual exceeds the other by
  // `penalty_balance`; at most once every `penalty_update_interval` iterations.
  double penalty_balance = 10.0;
  double penalty_scale = 2.0;
  int penalty_update_interval = 50;
  double min_rho = 1e-6;
  double max_rho = 1e6;

  // Over-relaxation factor in (0, 2); 1 is plain ADMM. Measured on exact 2-D problems (n = 40),
  // 1.6 slowed the tail down, so plain ADMM is the default.
  double relaxation = 1.0;

  std::int64_t max_iterations = 20000;
  double relative_gap_tolerance = 1e-6;  // stop when (U - L) / max(1, |U|) is below this
  int certificate_interval = 25;         // iterations between duality-gap evaluations
  int report_every = 1;                  // observer is called every k-th iteration
  double max_seconds = 0.0;              // 0: no time limit

  LinearSolverKind linear_solver = LinearSolverKind::kAutomatic;
  // Re-solves the program restricted to the active blocks to high accuracy once ADMM has found
  // them (sound: the certificate is always evaluated on the full pattern set).
  bool polish = true;
  int polish_interval = 200;  // iterations between polishing attempts

  // Returns an empty string when valid, otherwise a message naming the first invalid field.
  std::string validate() const;
};

const char* to_string(LinearSolverKind kind);
const char* to_string(SolverKind kind);                       // "admm", "al", "gated"
SolverKind solver_kind_from_string(const std::string& name);  // throws InputError naming the solver

}  // namespace convexnn
