#pragma once
// The one-way pipeline used by the CLI and the GUI: dataset -> convex problem -> ADMM -> network.
#include <cstdint>
#include <optional>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/augmented_lagrangian.h"
#include "convexnn/cone_decomposition.h"
#include "convexnn/dataset.h"
#include "convexnn/gated_relu.h"
#include "convexnn/robust_solver.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

// Exact enumeration creates O(n^2) patterns; above this many samples the problem gets too large
// for interactive use.
inline constexpr Eigen::Index kMaxExactSamples = 120;

struct TrainingConfig {
  PatternMode pattern_mode = PatternMode::kSampled;
  int pattern_samples = 200;  // P: Gaussian draws for sampled patterns
  std::uint64_t seed = 1;     // pattern sampling seed
  LossKind loss = LossKind::kSquared;
  double beta = 1e-2;
  bool standardize = false;
  // l_inf radius of adversarial training, in the units of the training data (before any
  // standardization). 0 trains the standard program (C); > 0 the robust program (RC,
  // science.md 6.2) with the robust solver, whose options are derived from `admm`.
  double epsilon = 0.0;
  // The algorithm: ADMM (default), the augmented Lagrangian (same program, same certificate), or
  // R-FISTA on the gated ReLU relaxation followed by the cone decomposition (its certificate
  // covers the relaxation only). The last two need a smooth loss and epsilon = 0.
  SolverKind solver = SolverKind::kAdmm;
  // Hidden-layer activation: relu, leaky-relu or abs (science.md 8.1); robust training needs relu.
  // Absolute-value problems keep one pattern per complementary pair.
  Activation activation;
  AdmmOptions admm;
  AugmentedLagrangianOptions augmented_lagrangian;
  GatedReluOptions gated;
  ConeDecompositionOptions cone_decomposition;

  // Empty when valid, else a message naming the field.
  std::string validate() const;
};

struct PreparedProblem {
  ConvexProblem problem;
  std::optional<EvaluationSet> test_set;
};

// Builds the convex program (bias column, optional z-score fitted on `train`, patterns). Throws
// InputError with a message naming the field for invalid settings or data.
PreparedProblem prepare_problem(const Dataset& train, const Dataset* test,
                                const TrainingConfig& config);

struct TrainingResult {
  SolverSummary summary;
  TwoLayerNetwork network;
  // solution.blocks is the ReLU program's solution for every solver (for the gated solver: its
  // cone decomposition); solution.state is only filled by standard ADMM training and
  // robust_state only by robust training (epsilon > 0).
  AdmmSolution solution;
  RobustAdmmState robust_state;
  AugmentedLagrangianState augmented_lagrangian_state;  // solver al
  GatedReluSolution gated_solution;                     // solver gated: d x P gated blocks
  ConeDecomposition decomposition;                      // solver gated
};

// `warm_start` (optional) is a previous standard ADMM run's state on the same patterns; robust runs
// (config.epsilon > 0) and the al and gated solvers ignore it (they warm-start through their own
// solve_* functions and state structs).
TrainingResult train_network(const PreparedProblem& prepared, const TrainingConfig& config,
                             SolverObserver* observer = nullptr, std::stop_token stop = {},
                             const AdmmState* warm_start = nullptr);

}  // namespace convexnn
