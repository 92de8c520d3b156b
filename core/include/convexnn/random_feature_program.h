#pragma once
// The "sampled convex program" (SCP) of Bai, Gautam & Sojoudi, Algorithm 2, in the reading of
// science.md 5 that is stated there: sample N neuron directions u_j uniformly on the unit sphere
// (of the bias-augmented input space), fix them, and train only the output layer,
//   min_alpha  l(H alpha, y) + beta ||alpha||_1,   H = [sigma(X u_1), ..., sigma(X u_N)],
// an unconstrained lasso, solved by R-FISTA (10.2) with scalar groups. The balanced network
// (first layer sqrt|alpha_j| u_j, output sign(alpha_j) sqrt|alpha_j|) has exactly this objective
// under weight decay, so U is a network's training objective; the lasso's duality gap (lambda =
// l'(H alpha), feasible when ||H^T lambda||_inf <= beta) certifies optimality among networks
// whose neurons point along the sampled directions only -- not the global optimum. (The other
// "unconstrained" reading, the gated ReLU program, is solver `gated`.)
#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/convex_problem.h"
#include "convexnn/rfista.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

struct RandomFeatureOptions {
  int features = 500;      // N sampled directions
  std::uint64_t seed = 1;  // draws are sequential: the first N of a larger N are the same
  RFistaOptions rfista = [] {
    RFistaOptions options;
    options.subgradient_tolerance = 1e-20;  // the gap decides
    options.max_iterations = 20000;
    return options;
  }();
  double relative_gap_tolerance = 1e-6;
  int certificate_interval = 1;  // iterations between gaps (one n x N product each)
  int report_every = 1;
  double max_seconds = 0.0;  // 0: no limit

  std::string validate() const;  // names the field
};

// N unit directions (dim x N) drawn from N(0, I) and normalised.
Eigen::MatrixXd sample_unit_directions(Eigen::Index dim, int count, std::uint64_t seed);

struct RandomFeatureSolution {
  Eigen::MatrixXd directions;  // dim x N
  Eigen::VectorXd weights;     // alpha, the best point seen
  RFistaState state;           // for warm starts (1 x N)
};

// The balanced network of (directions, alpha): zero weights dropped.
TwoLayerNetwork random_feature_network(const ConvexProblem& problem,
                                       const Eigen::MatrixXd& directions,
                                       const Eigen::VectorXd& weights);

// Solves over `problem`'s data, loss (squared or logistic: R-FISTA needs a smooth loss), beta and
// activation (positively homogeneous ones); patterns are not used. Summary: U = lasso objective =
// network objective, L = the lasso's dual bound, dual_residual = min-norm subgradient norm.
// `solution->directions` are sampled unless they already have the right shape (warm start).
SolverSummary solve_random_features(const ConvexProblem& problem,
                                    const RandomFeatureOptions& options,
                                    RandomFeatureSolution* solution,
                                    const SolveContext& context = {});

}  // namespace convexnn
