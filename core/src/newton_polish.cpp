#include "convexnn/newton_polish.h"

#include <cmath>
#include <vector>

namespace convexnn {
namespace {

Eigen::VectorXd loss_curvature(LossKind kind, const Eigen::VectorXd& prediction,
                               const Eigen::VectorXd& y) {
  if (kind == LossKind::kSquared) return Eigen::VectorXd::Ones(y.size());
  Eigen::VectorXd curvature(y.size());
  for (Eigen::Index k = 0; k < y.size(); ++k) {
    const double p = 1.0 / (1.0 + std::exp(-y[k] * prediction[k]));
    curvature[k] = p * (1.0 - p);
  }
  return curvature;
}

// refine_by_newton; `count` accumulates the operations as the products below go: the cone values
// n d 2P, each SVD k d^2, each Newton step n r^2 for the Hessian and r^3 / 3 for its
// factorization, each trial point n r + n d 2P.
Eigen::MatrixXd refine(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                       std::int64_t& count) {
  if (problem.loss == LossKind::kHinge || blocks.cols() == 0) return blocks;
  const Eigen::Index P = problem.num_patterns();
  const Eigen::Index d = problem.dim();
  const Eigen::Index n = problem.num_samples();
  count += n * d * blocks.cols();
  const Eigen::VectorXd norms = blocks.colwise().norm().transpose();
  const double max_norm = norms.maxCoeff();
  if (!(max_norm > 0)) return blocks;

  // Active blocks and, per block, an orthonormal basis of the null space of its active rows.
  struct ActiveBlock {
    Eigen::Index column;
    Eigen::MatrixXd basis;  // d x k
    Eigen::Index offset;    // position in the reduced variable vector
  };
  std::vector<ActiveBlock> active;
  Eigen::Index reduced_size = 0;
  const Eigen::MatrixXd cone = problem.cone_values(blocks);
  const Eigen::VectorXd row_norms = problem.X.rowwise().norm();
  for (Eigen::Index b = 0; b < blocks.cols(); ++b) {
    if (!(norms[b] > 1e-6 * max_norm)) continue;
    std::vector<Eigen::Index> rows;
    for (Eigen::Index k = 0; k < n; ++k) {
      if (std::abs(cone(k, b)) <= 1e-5 * row_norms[k] * norms[b]) rows.push_back(k);
    }
    Eigen::MatrixXd basis = Eigen::MatrixXd::Identity(d, d);
    if (!rows.empty()) {
      Eigen::MatrixXd constraint(static_cast<Eigen::Index>(rows.size()), d);
      for (std::size_t r = 0; r < rows.size(); ++r) {
        constraint.row(static_cast<Eigen::Index>(r)) = problem.X.row(rows[r]);
      }
      Eigen::JacobiSVD<Eigen::MatrixXd> svd(constraint, Eigen::ComputeFullV);
      count += constraint.rows() * d * d;
      const Eigen::VectorXd& singular = svd.singularValues();
      Eigen::Index rank = 0;
      for (Eigen::Index t = 0; t < singular.size(); ++t) {
        if (singular[t] > 1e-9 * std::max(1.0, singular[0])) ++rank;
      }
      if (rank >= d) continue;  // the block is pinned to zero
      basis = svd.matrixV().rightCols(d - rank);
    }
    active.push_back({b, basis, reduced_size});
    reduced_size += basis.cols();
  }
  if (active.empty()) return blocks;

  auto assemble = [&](const Eigen::VectorXd& z) {
    Eigen::MatrixXd result = Eigen::MatrixXd::Zero(d, blocks.cols());
    for (const ActiveBlock& block : active) {
      result.col(block.column) = block.basis * z.segment(block.offset, block.basis.cols());
    }
    return result;
  };
  Eigen::VectorXd z(reduced_size);
  for (const ActiveBlock& block : active) {
    z.segment(block.offset, block.basis.cols()) =
        block.basis.transpose() * blocks.col(block.column);
  }
  // Columns of the reduced prediction map: F restricted to the active blocks' null spaces.
  count += n * d * reduced_size;
  Eigen::MatrixXd reduced_map(n, reduced_size);
  for (const ActiveBlock& block : active) {
    const Eigen::Index i = block.column % P;
    const double sign = block.column < P ? 1.0 : -1.0;
    reduced_map.middleCols(block.offset, block.basis.cols()) =
        sign * (problem.activation_diagonals().col(i).asDiagonal() * (problem.X * block.basis));
  }
  auto objective = [&](const Eigen::VectorXd& point) {
    double penalty = 0.0;
    for (const ActiveBlock& block : active)
      penalty += point.segment(block.offset, block.basis.cols()).norm();
    return loss_value(problem.loss, reduced_map * point, problem.y) + problem.beta * penalty;
  };

  double value = objective(z);
  const double start_value = value;
  for (int iteration = 0; iteration < 30; ++iteration) {
    count += n * reduced_size * reduced_size + reduced_size * reduced_size * reduced_size / 3;
    const Eigen::VectorXd prediction = reduced_map * z;
    Eigen::VectorXd gradient =
        reduced_map.transpose() * loss_gradient(problem.loss, prediction, problem.y);
    Eigen::MatrixXd hessian = reduced_map.transpose() *
                              loss_curvature(problem.loss, prediction, problem.y).asDiagonal() *
                              reduced_map;
    bool degenerate = false;
    for (const ActiveBlock& block : active) {
      const Eigen::Index k = block.basis.cols();
      const Eigen::VectorXd part = z.segment(block.offset, k);
      const double norm = part.norm();
      if (!(norm > 0)) {
        degenerate = true;
        break;
      }
      const Eigen::VectorXd unit = part / norm;
      gradient.segment(block.offset, k) += problem.beta * unit;
      hessian.block(block.offset, block.offset, k, k) +=
          problem.beta / norm * (Eigen::MatrixXd::Identity(k, k) - unit * unit.transpose());
    }
    if (degenerate) break;
    if (gradient.norm() <= 1e-13 * std::max(1.0, value)) break;
    hessian.diagonal().array() += 1e-14 * std::max(1.0, hessian.diagonal().maxCoeff());
    const Eigen::VectorXd step = -hessian.ldlt().solve(gradient);
    if (!step.allFinite()) break;
    // Backtracking: decrease the objective and keep every cone constraint of the full program.
    double t = 1.0;
    bool accepted = false;
    for (int trial = 0; trial < 40; ++trial, t *= 0.5) {
      count += n * reduced_size + n * d * blocks.cols();
      const Eigen::VectorXd candidate = z + t * step;
      const double candidate_value = objective(candidate);
      if (candidate_value <= value &&
          problem.cone_values(assemble(candidate)).minCoeff() >= -1e-12 * max_norm) {
        accepted = candidate_value < value || t == 1.0;
        z = candidate;
        value = candidate_value;
        break;
      }
    }
    if (!accepted) break;
  }
  if (!(value < start_value)) return blocks;
  return assemble(z);
}

}  // namespace

Eigen::MatrixXd refine_by_newton(const ConvexProblem& problem, const Eigen::MatrixXd& blocks,
                                 std::int64_t* operations) {
  std::int64_t count = 0;
  Eigen::MatrixXd refined = refine(problem, blocks, count);
  if (operations) *operations += count;
  return refined;
}

}  // namespace convexnn
