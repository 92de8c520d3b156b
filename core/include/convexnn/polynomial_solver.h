#pragma once
// First-order solvers for networks with polynomial activations (science.md 9.5): R-FISTA on the
// nuclear-norm form for sigma(t) = a t^2, projected R-FISTA on the lifted SDP for general
// a t^2 + b t + c. Both stop on the duality gap of science.md 11.5 between the recovered
// network's objective U (an upper bound) and a dual lower bound L, and report through
// SolverObserver like the ADMM solver.
#include <Eigen/Dense>
#include <optional>

#include "convexnn/admm_solver.h"
#include "convexnn/polynomial_problem.h"
#include "convexnn/polynomial_solver_options.h"
#include "convexnn/solver_summary.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

// A point of either program: W (D x D) for the nuclear-norm form; Z and Z_neg ((D+1) x (D+1),
// the positive and negative neurons) for the lifted SDP.
struct PolynomialIterate {
  PolynomialMethod method = PolynomialMethod::kAutomatic;  // which members are used
  Eigen::MatrixXd W;
  Eigen::MatrixXd Z;
  Eigen::MatrixXd Z_neg;
  double step = 0.0;  // the step size reached, reused by a warm start

  // True when this iterate has the shape `method` needs on `problem` (usable as a warm start).
  bool matches(const PolynomialProblem& problem, PolynomialMethod method) const;
};

struct PolynomialSolution {
  TwoLayerNetwork network;  // the network with the lowest objective seen (the upper bound U)
  PolynomialIterate best;   // the iterate that network was recovered from
  // The last iterate. Passed in, it warm-starts the solver when it matches the problem (e.g. the
  // previous solve at another beta).
  PolynomialIterate state;
};

// A polynomial problem with its held-out set, as prepare_polynomial_problem
// (polynomial_training.h) builds it; here so that training.h can hold one without an include cycle.
struct PreparedPolynomialProblem {
  PolynomialProblem problem;
  std::optional<EvaluationSet> test_set;  // bias-augmented and standardized like problem.X
};

// The method that kAutomatic resolves to; throws InputError (naming options.method) when the
// nuclear-norm form is asked for with b != 0 or c != 0.
PolynomialMethod resolve_polynomial_method(const PolynomialProblem& problem,
                                           PolynomialMethod requested);

// Solves `problem`. Invalid options give status kInvalidOptions with the message; an invalid
// problem (e.g. the hinge loss) throws InputError naming the field. context.test_set, if given,
// holds bias-augmented test features like the problem's X.
SolverSummary solve_polynomial(const PolynomialProblem& problem,
                               const PolynomialSolverOptions& options, PolynomialSolution* solution,
                               const SolveContext& context = {});

}  // namespace convexnn
