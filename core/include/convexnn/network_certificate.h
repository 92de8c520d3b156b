#pragma once
// "Certify an SGD solution" (science.md 8.3). A trained two-layer network with a piecewise-linear
// activation is a feasible point of the convex program restricted to its own patterns
// D_j = 1(X u_j >= 0): neuron (u_j, a_j) becomes the block |a_j| u_j (v-block for a_j > 0, w-block
// for a_j < 0; neurons sharing pattern and sign are summed). With lambda = grad l(f(X)), the dual
// certificate of science.md 11 then says
//   * whether the network is (numerically) a global optimum of that restricted program (the
//     duality gap on its own patterns), and
//   * which freshly sampled patterns violate q_i(lambda) <= beta: each one is a descent direction
//     of the convex program, so the network is not globally optimal on own + fresh patterns.
// When it is not optimal, ADMM re-solves from the network's blocks on own + violating patterns.
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "convexnn/admm_solver.h"
#include "convexnn/convex_problem.h"
#include "convexnn/dataset.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

struct NetworkCertificateOptions {
  int fresh_patterns = 200;  // Gaussian draws of fresh patterns (fewer distinct ones may result)
  std::uint64_t seed = 1;    // for the fresh patterns
  // The network counts as optimal on its own patterns when its relative duality gap there is at
  // most this; a fresh pattern violates when q_i(lambda) > beta (1 + violation_tolerance).
  double gap_tolerance = 1e-4;
  double violation_tolerance = 1e-6;

  // Empty when valid, else a message naming the field.
  std::string validate() const;
};

struct PatternViolation {
  Eigen::Index fresh_index = 0;  // column of NetworkCertificate::fresh_patterns
  double value = 0.0;            // q_i(lambda) (the larger of the v- and w-block values)
};

struct NetworkCertificate {
  // The network's own program: the data with the network's standardization and a bias column,
  // the network's activation, its distinct neuron patterns; `blocks` is the network on it.
  ConvexProblem own_problem;
  Eigen::MatrixXd blocks;
  Eigen::Index neurons_mapped = 0;  // neurons with a non-zero contribution
  double network_objective = 0.0;   // TwoLayerNetwork::objective (weight decay)
  double convex_objective = 0.0;    // objective of `blocks` (<= network objective; equal when
                                    // every neuron is balanced, |u_j| = |a_j|, and unshared)
  // grad l(f(X)), clipped into the conjugate's domain; for the hinge (set-valued at margin 1)
  // the dual of the own program, found by the restricted interior-point method.
  Eigen::VectorXd lambda;
  double own_lower_bound = 0.0;     // dual bound on the own program
  double own_relative_gap = 0.0;    // (convex_objective - own_lower_bound) / max(1, |U|)
  double own_max_constraint = 0.0;  // max_b q_b(lambda) over own blocks
  bool optimal_on_own_patterns = false;
  // Fresh patterns not among the own ones (for abs: nor their complements), and those violated.
  PatternSet fresh_patterns;
  std::vector<PatternViolation> violations;  // worst first
  double fresh_max_constraint = 0.0;
  // Dual bound on own + fresh patterns: the best any network on those patterns can do.
  double combined_lower_bound = 0.0;
  // Optimal on own patterns and no fresh pattern violated.
  bool globally_optimal_on_tested_patterns() const {
    return optimal_on_own_patterns && violations.empty();
  }
};

// Standardizes `data` with the network's own standardization. Throws InputError for a network
// whose activation is not piecewise linear, an output bias (the convex program has none), a
// dimension mismatch or invalid options.
NetworkCertificate certify_network(const TwoLayerNetwork& network, const Dataset& data,
                                   LossKind loss, double beta,
                                   const NetworkCertificateOptions& options = {});

struct NetworkResolveResult {
  ConvexProblem problem;  // own + violating patterns
  SolverSummary summary;
  AdmmSolution solution;
  TwoLayerNetwork network;       // recovered from the best point; its objective is the summary's U
  double start_objective = 0.0;  // convex objective of the warm start (the certified network)
};

// ADMM on own + violating patterns, warm-started from the network's blocks (zero on the added
// patterns). The start is feasible, so the result is never worse than the certified network.
NetworkResolveResult resolve_from_certificate(const NetworkCertificate& certificate,
                                              const AdmmOptions& options,
                                              const SolveContext& context = {});

}  // namespace convexnn
