#pragma once
// The one-way pipeline used by the CLI and the GUI: dataset -> convex problem -> solver -> network.
// Piecewise-linear activations go through the convex program (C-sigma) and ADMM / AL / gated; the
// degree-2 activations (quadratic, poly2) through their semidefinite program (science.md 9),
// solved by FISTA (polynomial_solver.h), behind the same prepare_problem / train_network calls.
#include <cstdint>
#include <optional>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/augmented_lagrangian.h"
#include "convexnn/cone_decomposition.h"
#include "convexnn/dataset.h"
#include "convexnn/gated_relu.h"
#include "convexnn/pattern_generation.h"
#include "convexnn/polynomial_solver.h"
#include "convexnn/random_feature_program.h"
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
  // Absolute-value problems keep one pattern per complementary pair. quadratic and poly2 train
  // the semidefinite program (science.md 9) instead: pattern settings do not apply, epsilon must
  // be 0 and solver admm (the default; the SDP has its own FISTA solver, whose iteration and time
  // limits, gap tolerance and report interval come from `admm`, see polynomial_config_from).
  Activation activation;
  AdmmOptions admm;
  AugmentedLagrangianOptions augmented_lagrangian;
  GatedReluOptions gated;
  ConeDecompositionOptions cone_decomposition;
  RandomFeatureOptions random_features;  // solver scp
  // Pattern column generation (science.md 11.1) around ADMM on sampled patterns: fresh patterns
  // that violate the dual constraint are added until a batch finds none. With solver scp, neuron
  // directions are generated instead (neuron_generation.h): the lasso's dictionary grows.
  bool generate_patterns = false;
  PatternGenerationOptions pattern_generation;

  // Sets the iteration limit, relative-gap tolerance and time limit of every solver alike.
  void set_stopping_rule(std::int64_t max_iterations, double relative_gap_tolerance,
                         double max_seconds);

  // Empty when valid, else a message naming the field.
  std::string validate() const;
};

struct PreparedProblem {
  // For the piecewise-linear activations, the convex program. For quadratic / poly2 it holds only
  // the data of the objective (X bias-augmented and standardized exactly like
  // polynomial->problem.X, y, loss, beta, activation, standardization) and no patterns; it is not
  // finalized, so everything that needs patterns (predict, cone_values, ...) throws instead of
  // silently using a ReLU program, and callers that need the C-sigma program (e.g. the non-convex
  // baseline) reject the activation by name.
  ConvexProblem problem;
  std::optional<EvaluationSet> test_set;
  // Set exactly when the activation is quadratic or poly2: the semidefinite program solved.
  std::optional<PreparedPolynomialProblem> polynomial;

  bool semidefinite() const { return polynomial.has_value(); }
};

// True for the activations trained as a semidefinite program (quadratic, poly2).
bool trains_semidefinite_program(const Activation& activation);

// Builds the convex program (bias column, optional z-score fitted on `train`, patterns), or for
// quadratic / poly2 the semidefinite program. Throws InputError with a message naming the field
// for invalid settings or data.
PreparedProblem prepare_problem(const Dataset& train, const Dataset* test,
                                const TrainingConfig& config);

struct TrainingResult {
  SolverSummary summary;
  TwoLayerNetwork network;
  // solution.blocks is the ReLU program's solution for every solver (for the gated solver: its
  // cone decomposition); solution.state is only filled by standard ADMM training and
  // robust_state only by robust training (epsilon > 0). For semidefinite runs (quadratic, poly2)
  // solution.blocks is empty (d x 0): the network comes from the neural decomposition of the SDP
  // solution, which is in polynomial_solution (its `state` warm-starts the next run).
  AdmmSolution solution;
  RobustAdmmState robust_state;
  AugmentedLagrangianState augmented_lagrangian_state;  // solver al
  GatedReluSolution gated_solution;                     // solver gated: d x P gated blocks
  ConeDecomposition decomposition;                      // solver gated
  PolynomialSolution polynomial_solution;               // quadratic, poly2
  RandomFeatureSolution random_features;                // solver scp (solution.blocks empty)
  // With generate_patterns: the rounds, and the grown pattern set that solution.blocks refer to.
  std::optional<PatternGenerationSummary> pattern_generation;
  std::optional<PatternSet> generated_patterns;
};

// `warm_start` (optional) is a previous standard ADMM run's state on the same patterns; robust runs
// (config.epsilon > 0) and the al and gated solvers ignore it (they warm-start through their own
// solve_* functions and state structs). `polynomial_warm_start` (optional) is a previous
// semidefinite run's polynomial_solution.state on the same data (e.g. at another beta); it is used
// when its shape matches, and only by semidefinite runs. Throws InputError when `prepared` was
// built for a different kind of activation than config.activation.
TrainingResult train_network(const PreparedProblem& prepared, const TrainingConfig& config,
                             SolverObserver* observer = nullptr, std::stop_token stop = {},
                             const AdmmState* warm_start = nullptr,
                             const PolynomialIterate* polynomial_warm_start = nullptr);

}  // namespace convexnn
