#include "convexnn/dual_certificate.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

namespace convexnn {

namespace {

// Charges, in multiply-add equivalents, for the allocations and bookkeeping of a call and of a
// least-squares step; with them the count tracks measured solve times at small m.
constexpr std::int64_t kNnlsCallOperations = 1000;
constexpr std::int64_t kNnlsStepOperations = 500;

}  // namespace

Eigen::VectorXd nonnegative_least_squares(const Eigen::MatrixXd& A, const Eigen::VectorXd& c,
                                          std::int64_t* operations) {
  const Eigen::Index m = A.rows();
  const Eigen::Index k = A.cols();
  std::int64_t count = kNnlsCallOperations;
  Eigen::VectorXd x = Eigen::VectorXd::Zero(k);
  std::vector<bool> passive(static_cast<std::size_t>(k), false);
  const double tolerance = 1e-12 * std::max(1.0, A.cwiseAbs().maxCoeff() * c.norm());
  // A basic optimal solution has at most m positive entries, so the active-set method needs
  // O(m) outer steps in practice; capping it keeps a certificate cheap when k = n is large
  // (n = 2000: uncapped, one certificate took minutes). Any x >= 0 gives a valid bound, so
  // stopping early only weakens it.
  const int max_outer = static_cast<int>(std::min<Eigen::Index>(3 * k + 10, 4 * m + 20));
  for (int outer = 0; outer < max_outer; ++outer) {
    count += 2 * m * k;
    const Eigen::VectorXd gradient = A.transpose() * (c - A * x);
    Eigen::Index best = -1;
    double best_value = tolerance;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (!passive[static_cast<std::size_t>(j)] && gradient[j] > best_value) {
        best_value = gradient[j];
        best = j;
      }
    }
    if (best < 0) break;
    passive[static_cast<std::size_t>(best)] = true;
    for (int inner = 0; inner < max_outer; ++inner) {
      std::vector<Eigen::Index> indices;
      for (Eigen::Index j = 0; j < k; ++j) {
        if (passive[static_cast<std::size_t>(j)]) indices.push_back(j);
      }
      Eigen::MatrixXd sub(A.rows(), static_cast<Eigen::Index>(indices.size()));
      for (std::size_t t = 0; t < indices.size(); ++t)
        sub.col(static_cast<Eigen::Index>(t)) = A.col(indices[t]);
      const Eigen::VectorXd z = sub.completeOrthogonalDecomposition().solve(c);
      const auto p = static_cast<std::int64_t>(indices.size());
      count += kNnlsStepOperations + k + 2 * m * p * p;  // passive-set scan, decomposition
      bool feasible = true;
      for (Eigen::Index t = 0; t < z.size(); ++t) feasible = feasible && z[t] > 0;
      if (feasible) {
        x.setZero();
        for (std::size_t t = 0; t < indices.size(); ++t)
          x[indices[t]] = z[static_cast<Eigen::Index>(t)];
        break;
      }
      // Step towards z until a passive variable hits zero, then drop it.
      double step = 1.0;
      for (std::size_t t = 0; t < indices.size(); ++t) {
        const double zt = z[static_cast<Eigen::Index>(t)];
        const double xt = x[indices[t]];
        if (zt <= 0) step = std::min(step, xt / std::max(xt - zt, 1e-300));
      }
      for (std::size_t t = 0; t < indices.size(); ++t) {
        const Eigen::Index j = indices[t];
        x[j] += step * (z[static_cast<Eigen::Index>(t)] - x[j]);
        if (x[j] <= 1e-15) {
          x[j] = 0.0;
          passive[static_cast<std::size_t>(j)] = false;
        }
      }
    }
  }
  if (operations) *operations += count;
  return x;
}

Eigen::VectorXd dual_candidate(const ConvexProblem& problem, const Eigen::VectorXd& prediction,
                               const Eigen::VectorXd* subgradient_hint) {
  return clip_to_conjugate_domain(problem,
                                  (problem.loss == LossKind::kHinge && subgradient_hint)
                                      ? *subgradient_hint
                                      : loss_gradient(problem.loss, prediction, problem.y));
}

Eigen::VectorXd clip_to_conjugate_domain(const ConvexProblem& problem, Eigen::VectorXd lambda) {
  if (problem.loss != LossKind::kSquared) {
    // Domain of the conjugate: y_k lambda_k in [-1, 0].
    for (Eigen::Index k = 0; k < lambda.size(); ++k) {
      const double t = std::clamp(problem.y[k] * lambda[k], -1.0, 0.0);
      lambda[k] = t * problem.y[k];
    }
  }
  return lambda;
}

ScaledDualValue best_scaled_dual_value(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                                       double max_constraint_norm) {
  double theta_max = conjugate_domain_scale(problem.loss, lambda, problem.y);
  if (max_constraint_norm > 0) {
    theta_max = std::min(theta_max, problem.beta / max_constraint_norm);
  }
  auto dual_value = [&](double theta) {
    return -loss_conjugate(problem.loss, theta * lambda, problem.y);
  };
  double theta = theta_max;
  if (problem.loss == LossKind::kSquared) {
    const double lambda_norm = lambda.squaredNorm();
    const double unconstrained = lambda_norm > 0 ? -lambda.dot(problem.y) / lambda_norm : 0.0;
    theta = std::clamp(unconstrained, 0.0, theta_max);
  } else if (problem.loss == LossKind::kLogistic) {
    // The dual value is concave in theta: golden-section search on [0, theta_max].
    double low = 0.0;
    double high = theta_max;
    const double ratio = 0.5 * (std::sqrt(5.0) - 1.0);
    for (int iteration = 0; iteration < 100 && high - low > 1e-14; ++iteration) {
      const double a = high - ratio * (high - low);
      const double b = low + ratio * (high - low);
      if (dual_value(a) < dual_value(b))
        low = a;
      else
        high = b;
    }
    theta = 0.5 * (low + high);
    if (dual_value(theta_max) > dual_value(theta)) theta = theta_max;
  }
  return {dual_value(theta), theta};
}

DualBound dual_lower_bound(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                           const Eigen::MatrixXd* cone_multipliers) {
  const Eigen::Index P = problem.num_patterns();
  const Eigen::Index B = 2 * P;
  const Eigen::MatrixXd& signs = problem.pattern_signs();
  // c_b = sigma_b X^T S_i lambda; cheap bound per block: the better of alpha = 0 and the solver's
  // multipliers, both computed with one GEMM.
  const Eigen::MatrixXd targets = problem.predict_adjoint(lambda);
  Eigen::VectorXd norms = targets.colwise().norm().transpose();
  if (cone_multipliers) {
    const Eigen::MatrixXd residual = targets - problem.cone_adjoint(*cone_multipliers);
    norms = norms.cwiseMin(residual.colwise().norm().transpose());
  }
  // Only the largest norms matter (they set the scale theta), so the exact NNLS multipliers are
  // computed lazily: blocks in decreasing order of their cheap norm, in parallel batches, until
  // the next cheap norm cannot exceed the largest refined one.
  std::vector<Eigen::Index> order(static_cast<std::size_t>(B));
  for (Eigen::Index b = 0; b < B; ++b) order[static_cast<std::size_t>(b)] = b;
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return norms[a] > norms[b]; });
  double refined_max = 0.0;
  std::size_t next = 0;
  constexpr std::size_t kBatch = 32;
  std::atomic<std::int64_t> operations{0};  // an integer sum: the same in any thread order
  while (next < order.size() && norms[order[next]] > refined_max) {
    const std::size_t end = std::min(order.size(), next + kBatch);
    tbb::parallel_for(tbb::blocked_range<std::size_t>(next, end), [&](const auto& range) {
      Eigen::MatrixXd cone_rows(problem.dim(), problem.num_samples());
      std::int64_t range_operations = 0;
      for (std::size_t t = range.begin(); t != range.end(); ++t) {
        const Eigen::Index b = order[t];
        if (!(norms[b] > 0)) continue;
        // A_b^T = X^T diag(2 d_i - 1).
        cone_rows = (problem.X.array().colwise() * signs.col(b % P).array()).matrix().transpose();
        const Eigen::VectorXd alpha =
            nonnegative_least_squares(cone_rows, targets.col(b), &range_operations);
        norms[b] = std::min(norms[b], (targets.col(b) - cone_rows * alpha).norm());
      }
      operations += range_operations;
    });
    for (std::size_t t = next; t < end; ++t) refined_max = std::max(refined_max, norms[order[t]]);
    next = end;
  }
  DualBound bound;
  bound.block_constraint_norms = norms;
  bound.nnls_operations = operations;
  bound.max_constraint_norm = B > 0 ? norms.maxCoeff() : 0.0;
  const ScaledDualValue scaled = best_scaled_dual_value(problem, lambda, bound.max_constraint_norm);
  bound.theta = scaled.theta;
  bound.lower_bound = scaled.lower_bound;
  return bound;
}

}  // namespace convexnn
