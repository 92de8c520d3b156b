#include "convexnn/cone_decomposition.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "convexnn/dual_certificate.h"
#include "convexnn/errors.h"
#include "convexnn/gated_relu.h"

namespace convexnn {
namespace {

// (1/(2n)) ||(tau - Xt w)_+||^2 for one block (w is d x 1).
class ConeGapSmooth : public SmoothFunction {
 public:
  ConeGapSmooth(const Eigen::MatrixXd& signed_X, const Eigen::VectorXd& targets)
      : signed_X_(signed_X),
        targets_(targets),
        scale_(1.0 / static_cast<double>(signed_X.rows())) {}

  double value(const Eigen::MatrixXd& w) const override {
    return 0.5 * scale_ * excess(w).squaredNorm();
  }
  double value_and_gradient(const Eigen::MatrixXd& w, Eigen::MatrixXd* gradient) const override {
    const Eigen::VectorXd r = excess(w);
    *gradient = -scale_ * (signed_X_.transpose() * r);
    return 0.5 * scale_ * r.squaredNorm();
  }

 private:
  Eigen::VectorXd excess(const Eigen::MatrixXd& w) const {
    return (targets_ - signed_X_ * w.col(0)).cwiseMax(0.0);
  }
  const Eigen::MatrixXd& signed_X_;
  const Eigen::VectorXd& targets_;
  double scale_;
};

// A direction h with Xt h > 0 in every row (strictly inside the cone), or an empty vector.
Eigen::VectorXd interior_direction(const Eigen::MatrixXd& signed_X, const Eigen::VectorXd& signs,
                                   const Eigen::MatrixXd& X, const Eigen::VectorXd& generator) {
  auto strictly_inside = [&](const Eigen::VectorXd& h) {
    return h.size() == signed_X.cols() && h.allFinite() && (signed_X * h).minCoeff() > 0;
  };
  if (strictly_inside(generator)) return generator;
  // Least-squares fit of X h to the sign vector: inside whenever the signs are realisable with
  // margin by a linear function (e.g. X = I).
  const Eigen::VectorXd fitted = X.completeOrthogonalDecomposition().solve(signs);
  if (strictly_inside(fitted)) return fitted;
  return {};
}

// min ||z|| s.t. G z >= h by NNLS (Lawson & Hanson's LDP): with E = [G^T; h^T] and f = e_{d+1},
// a = argmin_{a >= 0} ||E a - f||, r = E a - f, z = -r_{1..d} / r_{d+1}. Empty when infeasible.
Eigen::VectorXd least_distance_point(const Eigen::MatrixXd& G, const Eigen::VectorXd& h) {
  const Eigen::Index d = G.cols();
  Eigen::MatrixXd E(d + 1, G.rows());
  E.topRows(d) = G.transpose();
  E.row(d) = h.transpose();
  Eigen::VectorXd f = Eigen::VectorXd::Zero(d + 1);
  f[d] = 1.0;
  const Eigen::VectorXd a = nonnegative_least_squares(E, f);
  const Eigen::VectorXd r = E * a - f;
  if (!(std::abs(r[d]) > 1e-12)) return {};
  return -r.head(d) / r[d];
}

}  // namespace

std::string ConeDecompositionOptions::validate() const {
  std::ostringstream error;
  if (!(penalty >= 0) || !std::isfinite(penalty)) {
    error << "penalty must be a non-negative number (got " << penalty << ")";
  } else if (const std::string fista_error = fista.validate(); !fista_error.empty()) {
    error << "fista." << fista_error;
  }
  return error.str();
}

// The exact least-distance split is an NNLS in n variables whose active-set steps factor up to
// (d + 1)^2 x n matrices, up to 4 d + 20 times: for image data (d = 785, n = 12000) hours per
// block. Above this dimension only the interior-direction repair below makes a block feasible
// (sound, with a larger norm; the summary's decomposed objective shows what it costs).
constexpr Eigen::Index kMaxLeastDistanceDim = 200;

ConeDecomposition decompose_gated_solution(const ConvexProblem& problem,
                                           const Eigen::MatrixXd& gated_blocks,
                                           const ConeDecompositionOptions& options) {
  if (const std::string error = options.validate(); !error.empty()) throw InputError(error);
  const Eigen::Index P = problem.num_patterns();
  const Eigen::Index d = problem.dim();
  if (gated_blocks.rows() != d || gated_blocks.cols() != P) {
    throw InputError(
        "the gated solution must have one column per pattern and one row per "
        "feature (bias included)");
  }
  const Eigen::MatrixXd& signs = problem.pattern_signs();
  ConeDecomposition result;
  result.blocks = Eigen::MatrixXd::Zero(d, 2 * P);
  result.blocks.leftCols(P) = gated_blocks;
  std::atomic<std::int64_t> split{0}, repaired{0}, unrepaired{0}, iterations{0};
  // The blocks are independent problems.
  tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, P), [&](const auto& range) {
    Eigen::MatrixXd signed_X;
    for (Eigen::Index i = range.begin(); i != range.end(); ++i) {
      const Eigen::VectorXd u = gated_blocks.col(i);
      if (u.squaredNorm() == 0) continue;
      signed_X = problem.X.array().colwise() * signs.col(i).array();
      const Eigen::VectorXd targets = (-(signed_X * u)).cwiseMax(0.0);
      if (targets.maxCoeff() <= 0) continue;  // u_i already in K_i: v_i = u_i, w_i = 0
      ++split;
      Eigen::VectorXd w = Eigen::VectorXd::Zero(d);
      if (options.method == ConeDecompositionMethod::kMinimumNorm) {
        if (d <= kMaxLeastDistanceDim) {
          const Eigen::VectorXd z = least_distance_point(signed_X, targets + 0.5 * (signed_X * u));
          if (z.size() == d && z.allFinite()) w = z - 0.5 * u;
        }
      } else {
        const ConeGapSmooth smooth(signed_X, targets);
        RFistaState state;
        const RFistaResult fista =
            minimize_group_lasso(smooth, options.penalty, d, 1, options.fista, &state);
        iterations += fista.iterations;
        w = state.iterate.col(0);
      }
      const Eigen::VectorXd shortfall = targets - signed_X * w;
      if (options.exact_repair && shortfall.maxCoeff() > 0) {
        const Eigen::VectorXd direction =
            interior_direction(signed_X, signs.col(i), problem.X,
                               problem.patterns.generators.cols() == P
                                   ? Eigen::VectorXd(problem.patterns.generators.col(i))
                                   : Eigen::VectorXd());
        if (direction.size() == 0) {
          ++unrepaired;
        } else {
          // The smallest multiple of h that closes every row's shortfall, with a relative margin
          // so that rounding cannot reopen one.
          const Eigen::VectorXd rates = signed_X * direction;
          const double amount = (shortfall.cwiseMax(0.0).array() / rates.array()).maxCoeff();
          w += amount * (1.0 + 1e-9) * direction;
          ++repaired;
        }
      }
      result.blocks.col(i) = u + w;
      result.blocks.col(P + i) = w;
    }
  });
  result.split_blocks = split;
  result.repaired_blocks = repaired;
  result.unrepaired_blocks = unrepaired;
  result.fista_iterations = iterations;
  result.gated_objective = gated_objective(problem, gated_blocks);
  result.relu_objective = problem.objective(result.blocks);
  result.max_cone_violation = problem.max_cone_violation(result.blocks);
  return result;
}

}  // namespace convexnn
