#include "convexnn/cone_projection.h"

#include <atomic>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "convexnn/dual_certificate.h"

namespace convexnn {

Eigen::MatrixXd project_onto_cones(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                                   std::int64_t* nnls_operations) {
  const Eigen::Index P = problem.num_patterns();
  Eigen::MatrixXd projected = blocks;
  const Eigen::MatrixXd cone = problem.cone_values(blocks);
  std::atomic<std::int64_t> operations{0};  // an integer sum: the same in any thread order
  tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, blocks.cols(), 16), [&](const auto& range) {
    std::int64_t range_operations = 0;
    for (Eigen::Index b = range.begin(); b != range.end(); ++b) {
      if (blocks.col(b).isZero(0.0) || cone.col(b).minCoeff() >= 0.0) continue;
      // min 1/2 |u - v|^2 s.t. A u >= 0 has the solution u = v + A^T alpha with
      // alpha = argmin_{alpha >= 0} |v + A^T alpha|, a non-negative least-squares problem.
      const Eigen::MatrixXd rows_transposed =
          (problem.X.array().colwise() * problem.pattern_signs().col(b % P).array()).matrix().transpose();
      const Eigen::VectorXd alpha =
          nonnegative_least_squares(-rows_transposed, blocks.col(b), &range_operations);
      projected.col(b) = blocks.col(b) + rows_transposed * alpha;
      // A rounding-level violation is harmless (the network's value moves by that much); a
      // larger one means the projection failed, and zero is always feasible.
      const double violation =
          -(problem.X * projected.col(b)).cwiseProduct(problem.pattern_signs().col(b % P)).minCoeff();
      if (violation > 1e-9 * problem.X.rowwise().norm().maxCoeff() * projected.col(b).norm()) {
        projected.col(b).setZero();
      }
    }
    operations += range_operations;
  });
  if (nnls_operations) *nnls_operations += operations;
  return projected;
}

}  // namespace convexnn
