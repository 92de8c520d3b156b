#pragma once
// Small problem builders shared by the tests.
#include <cstdint>

#include "convexnn/admm_solver.h"
#include "convexnn/generators.h"
#include "convexnn/random.h"
#include "convexnn/training.h"

namespace convexnn::testing {

// n points uniform in [-1, 1]^2 with XOR labels.
inline Dataset random_xor(int n, std::uint64_t seed) {
  Rng rng(seed);
  Dataset data;
  data.X.resize(n, 2);
  data.y.resize(n);
  for (int i = 0; i < n; ++i) {
    data.X(i, 0) = rng.uniform(-1, 1);
    data.X(i, 1) = rng.uniform(-1, 1);
    data.y[i] = data.X(i, 0) * data.X(i, 1) >= 0 ? 1.0 : -1.0;
  }
  data.feature_names = {"x1", "x2"};
  return data;
}

// ADMM options for solving to a tight relative gap (reference optima in the tests).
inline AdmmOptions tight_admm_options(double relative_gap_tolerance) {
  AdmmOptions options;
  options.relative_gap_tolerance = relative_gap_tolerance;
  options.max_iterations = 20000;
  return options;
}

// Random-feature (SCP) lasso options for solving to a tight relative gap.
inline RandomFeatureOptions tight_random_feature_options(int features,
                                                         std::int64_t max_iterations = 100000) {
  RandomFeatureOptions options;
  options.features = features;
  options.relative_gap_tolerance = 1e-9;
  options.rfista.max_iterations = max_iterations;
  return options;
}

inline TrainingConfig exact_config(LossKind loss, double beta, double tolerance = 1e-6) {
  TrainingConfig config;
  config.pattern_mode = PatternMode::kExact;
  config.loss = loss;
  config.beta = beta;
  config.admm.relative_gap_tolerance = tolerance;
  config.admm.max_iterations = 20000;
  return config;
}

// A problem with given X (no bias added) and every non-zero subset of samples as a pattern
// (valid when every subset is realisable, e.g. X = I).
inline ConvexProblem all_subsets_problem(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                                         double beta, LossKind loss = LossKind::kSquared) {
  ConvexProblem problem;
  problem.X = X;
  problem.y = y;
  problem.beta = beta;
  problem.loss = loss;
  problem.has_bias_column = false;
  const auto n = X.rows();
  const Eigen::Index count = (Eigen::Index{1} << n) - 1;
  problem.patterns.masks.resize(n, count);
  problem.patterns.generators = Eigen::MatrixXd::Zero(X.cols(), count);
  problem.patterns.mode = PatternMode::kExact;
  for (Eigen::Index mask = 1; mask <= count; ++mask) {
    for (Eigen::Index k = 0; k < n; ++k)
      problem.patterns.masks(k, mask - 1) = ((mask >> k) & 1) ? 1.0 : 0.0;
  }
  problem.finalize();
  return problem;
}

// n x d Gaussian data (bias column last) and P random 0/1 patterns, for the product kernels'
// tests; pick n not a multiple of the chunk size so that the last chunk is partial.
inline ConvexProblem random_pattern_problem(Eigen::Index n, Eigen::Index d, Eigen::Index P,
                                            Activation activation, std::uint64_t seed) {
  Rng rng(seed);
  ConvexProblem problem;
  problem.X.resize(n, d);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j + 1 < d; ++j) problem.X(i, j) = rng.normal();
    problem.X(i, d - 1) = 1.0;
  }
  problem.y = Eigen::VectorXd::Ones(n);
  problem.patterns.masks.resize(n, P);
  for (Eigen::Index k = 0; k < problem.patterns.masks.size(); ++k) {
    problem.patterns.masks(k) = rng.uniform(0, 1) < 0.5 ? 1.0 : 0.0;
  }
  problem.patterns.generators = Eigen::MatrixXd::Zero(d, P);
  problem.activation = activation;
  problem.finalize();
  return problem;
}

// A rows x cols matrix of standard normal entries.
inline Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index k = 0; k < matrix.size(); ++k) matrix(k) = rng.normal();
  return matrix;
}

}  // namespace convexnn::testing
