#include "convexnn/solver_summary.h"
#include "convexnn/network_certificate.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"
#include "convexnn/network_recovery.h"
#include "convexnn/restricted_interior_point.h"

namespace convexnn {
namespace {

std::string mask_key(const Eigen::VectorXd& mask, bool complement) {
  std::string key(static_cast<std::size_t>(mask.size()), '0');
  for (Eigen::Index k = 0; k < mask.size(); ++k) {
    if ((mask[k] > 0.5) != complement) key[static_cast<std::size_t>(k)] = '1';
  }
  return key;
}

// Patterns (and generators) given as columns, concatenated.
PatternSet concatenate(const PatternSet& first, const PatternSet& second,
                       const std::vector<Eigen::Index>& second_columns) {
  PatternSet result;
  result.mode = PatternMode::kSampled;
  const Eigen::Index P = first.num_patterns();
  const auto extra = static_cast<Eigen::Index>(second_columns.size());
  result.masks.resize(first.masks.rows(), P + extra);
  result.generators.resize(first.generators.rows(), P + extra);
  result.masks.leftCols(P) = first.masks;
  result.generators.leftCols(P) = first.generators;
  for (Eigen::Index t = 0; t < extra; ++t) {
    const Eigen::Index column = second_columns[static_cast<std::size_t>(t)];
    result.masks.col(P + t) = second.masks.col(column);
    result.generators.col(P + t) = second.generators.col(column);
  }
  return result;
}

}  // namespace

std::string NetworkCertificateOptions::validate() const {
  std::ostringstream error;
  if (fresh_patterns < 0) {
    error << "fresh_patterns must be >= 0 (got " << fresh_patterns << ")";
  } else if (!(gap_tolerance >= 0) || !std::isfinite(gap_tolerance)) {
    error << "gap_tolerance must be a finite number >= 0 (got " << gap_tolerance << ")";
  } else if (!(violation_tolerance >= 0) || !std::isfinite(violation_tolerance)) {
    error << "violation_tolerance must be a finite number >= 0 (got " << violation_tolerance << ")";
  }
  return error.str();
}

NetworkCertificate certify_network(const TwoLayerNetwork& network, const Dataset& data,
                                   LossKind loss, double beta,
                                   const NetworkCertificateOptions& options) {
  if (const std::string error = options.validate(); !error.empty()) throw InputError(error);
  require_piecewise_linear(network.activation, "certify");
  if (!(beta > 0) || !std::isfinite(beta)) {
    throw InputError("beta must be a positive number (got " + std::to_string(beta) + ")");
  }
  if (network.second_bias != 0.0) {
    throw InputError("certify: the network has an output bias (" +
                     std::to_string(network.second_bias) +
                     "); the convex program has none, so it cannot be certified");
  }
  if (data.num_features() != network.input_dim()) {
    throw InputError("certify: the data has " + std::to_string(data.num_features()) +
                     " features but the network expects " + std::to_string(network.input_dim()));
  }
  if (data.num_samples() == 0) throw InputError("certify: the data set is empty");

  const Activation& activation = network.activation;
  const Eigen::MatrixXd standardized =
      network.standardization ? network.standardization->apply(data.X) : data.X;
  NetworkCertificate result;
  ConvexProblem& problem = result.own_problem;
  problem.X = with_bias_column(standardized);
  problem.y = data.y;
  problem.loss = loss;
  problem.beta = beta;
  problem.activation = activation;
  problem.has_bias_column = true;
  problem.standardization = network.standardization;
  const Eigen::Index n = problem.num_samples();
  const Eigen::Index dim = problem.dim();

  // Neurons -> (pattern, sign, block). sigma(X u) a = sign(a) S_D X (|a| u) on D = 1(X u >= 0).
  std::unordered_map<std::string, Eigen::Index> pattern_index;
  std::vector<Eigen::VectorXd> masks, generators, positive_blocks, negative_blocks;
  for (Eigen::Index j = 0; j < network.width(); ++j) {
    const double a = network.second_weights[j];
    Eigen::VectorXd u(dim);
    u.head(dim - 1) = network.first_weights.row(j).transpose();
    u[dim - 1] = network.first_bias[j];
    if (a == 0.0 || u.norm() == 0.0) continue;
    bool positive = a > 0;
    Eigen::VectorXd block = std::abs(a) * u;
    const Eigen::VectorXd values = problem.X * u;
    Eigen::VectorXd mask = (values.array() >= 0.0).cast<double>().matrix();
    if (mask.sum() == 0.0) {
      // Negative on every sample: ReLU gives 0; |t| is the all-ones pattern with -u; leaky ReLU
      // the linear map kappa X u, which the all-ones pattern represents with the opposite sign and
      // kappa times the norm (so the convex objective is below the network's).
      if (activation.kind == ActivationKind::kRelu) continue;
      if (activation.kind == ActivationKind::kLeakyRelu) {
        if (activation.leaky_slope == 0.0) continue;
        positive = !positive;
        block *= -activation.leaky_slope;
      } else {
        block = -block;
      }
      mask.setOnes();
    } else if (activation.kind == ActivationKind::kAbsolute &&
               pattern_index.count(mask_key(mask, true)) != 0) {
      // (D, v) and (I - D, -v) are the same term for |t|; one pattern per complementary pair.
      block = -block;
      mask = (1.0 - mask.array()).matrix();
    }
    const std::string key = mask_key(mask, false);
    auto [entry, inserted] =
        pattern_index.try_emplace(key, static_cast<Eigen::Index>(masks.size()));
    if (inserted) {
      masks.push_back(mask);
      generators.push_back(block / block.norm());
      positive_blocks.push_back(Eigen::VectorXd::Zero(dim));
      negative_blocks.push_back(Eigen::VectorXd::Zero(dim));
    }
    auto& target = positive ? positive_blocks : negative_blocks;
    target[static_cast<std::size_t>(entry->second)] += block;
    ++result.neurons_mapped;
  }
  if (masks.empty()) {
    throw InputError("certify: the network has no neuron that is non-zero on the data");
  }
  const auto P = static_cast<Eigen::Index>(masks.size());
  problem.patterns.mode = PatternMode::kSampled;
  problem.patterns.masks.resize(n, P);
  problem.patterns.generators.resize(dim, P);
  result.blocks.resize(dim, 2 * P);
  for (Eigen::Index i = 0; i < P; ++i) {
    const auto t = static_cast<std::size_t>(i);
    problem.patterns.masks.col(i) = masks[t];
    problem.patterns.generators.col(i) = generators[t];
    result.blocks.col(i) = positive_blocks[t];
    result.blocks.col(P + i) = negative_blocks[t];
  }
  problem.finalize();

  result.network_objective = network.objective(standardized, data.y, loss, beta);
  result.convex_objective = problem.objective(result.blocks);
  const Eigen::VectorXd prediction = problem.predict(result.blocks);
  if (loss == LossKind::kHinge) {
    // The hinge's gradient is set-valued at margin 1, where optimal networks put many samples, and
    // the conventional choice is rarely dual feasible. The own program's interior-point dual is
    // the subgradient that certifies its optimum; if the network is optimal it is a subgradient at
    // the network's prediction too, and as a dual candidate it gives a valid bound either way.
    std::vector<Eigen::Index> columns;
    for (Eigen::Index b = 0; b < result.blocks.cols(); ++b) {
      if (result.blocks.col(b).norm() > 0.0) columns.push_back(b);
    }
    const RestrictedSolveResult restricted = solve_restricted_interior_point(problem, columns);
    result.lambda = dual_candidate(problem, prediction, &restricted.dual);
  } else {
    result.lambda = dual_candidate(problem, prediction, nullptr);
  }
  const DualBound own = dual_lower_bound(problem, result.lambda, nullptr);
  result.own_lower_bound = own.lower_bound;
  result.own_max_constraint = own.max_constraint_norm;
  result.own_relative_gap = relative_gap(result.convex_objective, own.lower_bound);
  result.optimal_on_own_patterns = result.own_relative_gap <= options.gap_tolerance;

  // Fresh patterns that are new (for |t| up to complement).
  PatternSet sampled = options.fresh_patterns > 0
                           ? sample_patterns(problem.X, options.fresh_patterns, options.seed)
                           : PatternSet{};
  if (activation.kind == ActivationKind::kAbsolute && sampled.num_patterns() > 0) {
    sampled = drop_complementary_patterns(sampled);
  }
  std::vector<Eigen::Index> fresh_columns;
  for (Eigen::Index i = 0; i < sampled.num_patterns(); ++i) {
    const Eigen::VectorXd mask = sampled.masks.col(i);
    if (pattern_index.count(mask_key(mask, false)) != 0) continue;
    if (activation.kind == ActivationKind::kAbsolute &&
        pattern_index.count(mask_key(mask, true)) != 0) {
      continue;
    }
    fresh_columns.push_back(i);
  }
  PatternSet empty;
  empty.masks.resize(n, 0);
  empty.generators.resize(dim, 0);
  result.fresh_patterns = concatenate(empty, sampled, fresh_columns);
  result.combined_lower_bound = own.lower_bound;
  if (result.fresh_patterns.num_patterns() > 0) {
    ConvexProblem fresh = problem;
    fresh.patterns = result.fresh_patterns;
    fresh.finalize();
    const double limit = beta * (1.0 + options.violation_tolerance);
    const Eigen::VectorXd values = dual_constraint_values(fresh, result.lambda, limit);
    const Eigen::Index F = fresh.num_patterns();
    for (Eigen::Index i = 0; i < F; ++i) {
      const double q = std::max(values[i], values[F + i]);
      result.fresh_max_constraint = std::max(result.fresh_max_constraint, q);
      if (q > limit) result.violations.push_back({i, q});
    }
    std::sort(
        result.violations.begin(), result.violations.end(),
        [](const PatternViolation& a, const PatternViolation& b) { return a.value > b.value; });
    ConvexProblem combined = problem;
    combined.patterns = concatenate(problem.patterns, sampled, fresh_columns);
    combined.finalize();
    result.combined_lower_bound = dual_lower_bound(combined, result.lambda, nullptr).lower_bound;
  }
  return result;
}

NetworkResolveResult resolve_from_certificate(const NetworkCertificate& certificate,
                                              const AdmmOptions& options,
                                              const SolveContext& context) {
  NetworkResolveResult result;
  const ConvexProblem& own = certificate.own_problem;
  std::vector<Eigen::Index> violating;
  for (const PatternViolation& violation : certificate.violations) {
    violating.push_back(violation.fresh_index);
  }
  std::sort(violating.begin(), violating.end());
  result.problem = own;
  result.problem.patterns = concatenate(own.patterns, certificate.fresh_patterns, violating);
  result.problem.finalize();
  const ConvexProblem& problem = result.problem;
  const Eigen::Index P_own = own.num_patterns();
  const Eigen::Index P = problem.num_patterns();

  Eigen::MatrixXd start = Eigen::MatrixXd::Zero(problem.dim(), 2 * P);
  start.leftCols(P_own) = certificate.blocks.leftCols(P_own);
  start.middleCols(P, P_own) = certificate.blocks.rightCols(P_own);
  result.start_objective = problem.objective(start);

  // Warm start at the network: u = v = its blocks, slacks G u, prediction F u, zero duals.
  AdmmState& state = result.solution.state;
  state.u = start;
  state.v = start;
  state.lambda = Eigen::MatrixXd::Zero(start.rows(), start.cols());
  state.s = problem.cone_values(start).cwiseMax(0.0);
  state.nu = Eigen::MatrixXd::Zero(state.s.rows(), state.s.cols());
  state.prediction = problem.predict(start);
  state.prediction_dual = Eigen::VectorXd::Zero(problem.num_samples());
  state.rho = options.rho;
  result.summary = solve_admm(problem, options, &result.solution, context);
  result.network = recover_network(problem, result.solution.blocks);
  return result;
}

}  // namespace convexnn
