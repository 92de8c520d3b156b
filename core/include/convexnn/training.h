#pragma once
// The one-way pipeline used by the CLI and the GUI: dataset -> convex problem -> ADMM -> network.
#include <cstdint>
#include <optional>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/dataset.h"
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
  // Hidden-layer activation: relu, leaky-relu or abs (science.md 8.1); robust training needs relu.
  // Absolute-value problems keep one pattern per complementary pair.
  Activation activation;
  AdmmOptions admm;

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
  // solution.blocks is the solution in both cases; solution.state is only filled by standard
  // training and robust_state only by robust training (epsilon > 0).
  AdmmSolution solution;
  RobustAdmmState robust_state;
};

// `warm_start` (optional) is a previous standard run's state on the same patterns; robust runs
// (config.epsilon > 0) ignore it.
TrainingResult train_network(const PreparedProblem& prepared, const TrainingConfig& config,
                             SolverObserver* observer = nullptr, std::stop_token stop = {},
                             const AdmmState* warm_start = nullptr);

}  // namespace convexnn
