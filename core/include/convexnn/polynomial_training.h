#pragma once
// Dataset -> semidefinite program -> network, for the polynomial activations (science.md 9):
// the counterpart of prepare_problem / train_network (training.h) for sigma(t) = a t^2 + b t + c.
#include <optional>
#include <stop_token>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/dataset.h"
#include "convexnn/polynomial_solver.h"
#include "convexnn/training.h"

namespace convexnn {

struct PolynomialTrainingConfig {
  Activation activation = Activation::quadratic();  // quadratic or poly2
  LossKind loss = LossKind::kSquared;               // squared or logistic (hinge is rejected)
  double beta = 1e-2;
  bool standardize = false;
  // Append a column of ones: neurons are sigma(w . x + b) with ||[w; b]|| = 1, so the bias counts
  // in the unit norm (as it is weight-decayed in the ReLU program). Without it, sigma(w . x).
  bool bias = true;
  PolynomialSolverOptions solver;

  // Empty when valid, else a message naming the field.
  std::string validate() const;
};

// Throws InputError naming the field for invalid settings or data (e.g. the hinge loss).
PreparedPolynomialProblem prepare_polynomial_problem(const Dataset& train, const Dataset* test,
                                                     const PolynomialTrainingConfig& config);

struct PolynomialTrainingResult {
  SolverSummary summary;
  TwoLayerNetwork network;  // with the activation, standardization and bias folded in
  PolynomialSolution solution;
};

// `warm_start` (optional): a previous run's solution.state on the same data.
PolynomialTrainingResult train_polynomial_network(const PreparedPolynomialProblem& prepared,
                                                  const PolynomialTrainingConfig& config,
                                                  SolverObserver* observer = nullptr,
                                                  std::stop_token stop = {},
                                                  const PolynomialIterate* warm_start = nullptr);

// The settings of the ReLU pipeline's TrainingConfig (training.h) that apply here, for the given
// activation: loss, beta, standardization, and from `admm` the iteration and time limits, gap
// tolerance and report interval. Always with a bias column, like prepare_problem. Pattern
// settings do not apply; adversarial training (epsilon > 0) is rejected with InputError.
PolynomialTrainingConfig polynomial_config_from(const TrainingConfig& config,
                                                const Activation& activation);

// Both steps at once.
PolynomialTrainingResult train_polynomial_network(const Dataset& train, const Dataset* test,
                                                  const PolynomialTrainingConfig& config,
                                                  SolverObserver* observer = nullptr,
                                                  std::stop_token stop = {});

}  // namespace convexnn
