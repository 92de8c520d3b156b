#pragma once
// The one-way pipeline used by the CLI and the GUI: dataset -> convex problem -> ADMM -> network.
#include <cstdint>
#include <optional>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/dataset.h"
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
  AdmmSolution solution;
};

// `warm_start` (optional) is a previous run's state on the same patterns.
TrainingResult train_network(const PreparedProblem& prepared, const TrainingConfig& config,
                             SolverObserver* observer = nullptr, std::stop_token stop = {},
                             const AdmmState* warm_start = nullptr);

}  // namespace convexnn
