#include "convexnn/restricted_interior_point.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "convexnn/dual_certificate.h"

namespace convexnn {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Largest barrier parameter t for the hinge (see RestrictedBarrier::follow_path).
constexpr double kMaxHingeBarrierParameter = 1e13;

// One block b of S with everything the barrier needs.
struct RestrictedBlock {
  Eigen::Index column = 0;         // in the d x 2P block matrix
  Eigen::MatrixXd prediction_map;  // n x d: sigma_b S_i X, so yhat = sum_b map_b u_b
  Eigen::MatrixXd cone_rows;       // r x d: the non-zero rows of (2 D_i - I) X
  Eigen::VectorXd interior;        // unit vector strictly inside the cone
};

// A unit vector u with cone_rows * u > 0 (strictly), or nothing when the cone has an empty
// interior. Least-distance programming (Lawson & Hanson ch. 23): min ||u|| s.t. G u >= 1, with G
// the normalized rows, via one NNLS; the minimizer is also a well-centered direction (it maximizes
// the smallest normalized margin), a good starting point for the barrier.
std::optional<Eigen::VectorXd> strictly_interior_direction(const Eigen::MatrixXd& cone_rows,
                                                           Eigen::Index dim,
                                                           std::int64_t* operations) {
  if (cone_rows.rows() == 0) return Eigen::VectorXd::Unit(dim, 0);
  const Eigen::MatrixXd normalized = cone_rows.rowwise().normalized();
  Eigen::MatrixXd system(dim + 1, normalized.rows());
  system.topRows(dim) = normalized.transpose();
  system.row(dim).setOnes();
  const Eigen::VectorXd target = Eigen::VectorXd::Unit(dim + 1, dim);
  const Eigen::VectorXd weights = nonnegative_least_squares(system, target, operations);
  const Eigen::VectorXd residual = system * weights - target;
  // residual[dim] = sum(weights) - 1 < 0 when the constraints are feasible; a zero residual means
  // 0 is a non-negative combination of the rows: no strictly interior point.
  if (!(residual[dim] < -1e-12)) return std::nullopt;
  Eigen::VectorXd direction = -residual.head(dim) / residual[dim];
  const double norm = direction.norm();
  if (!(norm > 0) || !std::isfinite(norm)) return std::nullopt;
  direction /= norm;
  // Nearly degenerate cones would give a barrier with huge curvature; treat them as empty.
  if (!((normalized * direction).minCoeff() > 1e-9)) return std::nullopt;
  return direction;
}

// Smallest alpha > 0 with a alpha^2 + b alpha + c = 0 for c > 0 (infinity if none).
double first_positive_root(double a, double b, double c) {
  if (std::abs(a) <= 1e-300) return b < 0 ? -c / b : kInfinity;
  const double discriminant = b * b - 4.0 * a * c;
  if (discriminant < 0) return kInfinity;  // a > 0 and no real root: stays positive
  // Numerically stable roots.
  const double q = -0.5 * (b + std::copysign(std::sqrt(discriminant), b));
  double best = kInfinity;
  for (const double root : {q / a, q != 0 ? c / q : kInfinity}) {
    if (root > 0) best = std::min(best, root);
  }
  return best;
}

// The restricted program's variables: u_b (columns of `u`), tau_b (conic phase only; in the norm
// phase the penalty is beta ||u_b|| directly) and, for the hinge, the slacks xi.
struct Point {
  Eigen::MatrixXd u;    // d x m
  Eigen::VectorXd tau;  // m, or empty
  Eigen::VectorXd xi;   // n (hinge only)
  // Hinge only: the rows c = xi - 1 + y yhat, kept as a variable of their own (updated by the
  // same linear steps) rather than recomputed: at the kink both xi and c are ~1/t, and c
  // recomputed from margins ~1 would carry an absolute rounding error ~1e-16, i.e. a relative
  // one ~1e-16 t, into the barrier and the multipliers z = 1 / (t c).
  Eigen::VectorXd margin_slack;
};

// Derivatives of the loss part of t f0 + barrier with respect to the prediction; for the hinge
// the slacks xi are eliminated (their Hessian block is diagonal), so in both cases the Hessian's
// loss part is C^T diag(weights) C and the gradient's is C^T prediction_gradient.
struct LossTerms {
  Eigen::VectorXd prediction_gradient;
  Eigen::VectorXd weights;
  // Hinge only: the rows c = xi - 1 + y yhat, the xi gradient and curvature, and the unreduced
  // prediction gradient (for the Newton decrement).
  Eigen::VectorXd hinge_values, xi_gradient, xi_curvature, unreduced_prediction_gradient;
};

class RestrictedBarrier {
 public:
  RestrictedBarrier(const ConvexProblem& problem, const std::vector<RestrictedBlock>& blocks,
                    bool conic)
      : problem_(problem),
        blocks_(blocks),
        conic_(conic),
        hinge_(problem.loss == LossKind::kHinge),
        n_(problem.num_samples()),
        d_(problem.dim()),
        m_(static_cast<Eigen::Index>(blocks.size())) {
    // Barrier parameter: 2 per second-order cone, 1 per linear inequality.
    barrier_terms_ = conic_ ? 2.0 * static_cast<double>(m_) : 0.0;
    for (const RestrictedBlock& block : blocks_) {
      barrier_terms_ += static_cast<double>(block.cone_rows.rows());
      total_rows_ += block.cone_rows.rows();
    }
    if (hinge_) barrier_terms_ += 2.0 * static_cast<double>(n_);
  }

  double barrier_terms() const { return barrier_terms_; }
  // Multiply-adds spent so far (an estimate from the sizes; the same on every run).
  std::int64_t operations() const { return operations_; }

  Eigen::VectorXd prediction(const Eigen::MatrixXd& u) const {
    Eigen::VectorXd yhat = Eigen::VectorXd::Zero(n_);
    for (Eigen::Index j = 0; j < m_; ++j) {
      yhat.noalias() += blocks_[static_cast<std::size_t>(j)].prediction_map * u.col(j);
    }
    return yhat;
  }
  Eigen::VectorXd hinge_rows(const Point& x, const Eigen::VectorXd& yhat) const {
    return (x.xi.array() - 1.0 + problem_.y.array() * yhat.array()).matrix();
  }
  // Sets xi (keeping `previous` values where still strictly feasible) and the rows c.
  void initialize_slacks(Point* x, const Eigen::VectorXd* previous) const {
    const Eigen::VectorXd yhat = prediction(x->u);
    const Eigen::ArrayXd shortfall = (1.0 - problem_.y.cwiseProduct(yhat).array()).max(0.0);
    x->xi = previous ? Eigen::VectorXd(previous->cwiseMax((shortfall + 1e-3).matrix()))
                     : Eigen::VectorXd((shortfall + 1.0).matrix());
    x->margin_slack = hinge_rows(*x, yhat);
  }
  double objective(const Point& x) const {
    const Eigen::VectorXd yhat = prediction(x.u);
    const double penalty = problem_.beta * (conic_ ? x.tau.sum() : x.u.colwise().norm().sum());
    return (hinge_ ? x.xi.sum() : loss_value(problem_.loss, yhat, problem_.y)) + penalty;
  }

  // Follows the central path from x at parameter *t (growing it by `growth`) until
  // barrier_terms / t <= target * max(1, |f0|). Returns false when it stopped early (step budget
  // or a Newton system too ill-conditioned to give a descent direction); x is the last accepted
  // point either way.
  std::stop_token stop_token;  // checked before every Newton step, like the deadline
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  bool follow_path(Point* x, double* t, double target, double growth, int max_steps,
                   int* steps) const;

  // The dual point lambda = d l / d yhat at x (for the hinge the barrier multipliers).
  Eigen::VectorXd dual(const Point& x, double t) const {
    const Eigen::VectorXd yhat = prediction(x.u);
    if (!hinge_) return loss_gradient(problem_.loss, yhat, problem_.y);
    // Multipliers of the hinge rows on the central path: z = 1 / (t c) = 1 - 1 / (t xi). The
    // row value c = xi - 1 + y yhat loses digits to cancellation when it is tiny (margin ~ 1),
    // xi does not: use whichever of the two is larger.
    const Eigen::VectorXd& rows = x.margin_slack;
    Eigen::VectorXd z(n_);
    for (Eigen::Index k = 0; k < n_; ++k) {
      const double value = rows[k] >= x.xi[k] ? 1.0 / (t * rows[k]) : 1.0 - 1.0 / (t * x.xi[k]);
      z[k] = std::clamp(value, 0.0, 1.0);
    }
    return -problem_.y.cwiseProduct(z);
  }

 private:
  LossTerms loss_terms(const Point& x, const Eigen::VectorXd& yhat, double t) const;
  double barrier_objective(const Point& x, double t) const;
  // Newton direction of t f0 + barrier at x; returns the squared Newton decrement (NaN if the
  // system could not be solved).
  double newton_direction(const Point& x, double t, Point* step) const;
  double conic_direction(const Point& x, double t, const LossTerms& terms, Point* step) const;
  double norm_direction(const Point& x, double t, const LossTerms& terms, Point* step) const;
  // The hinge's xi step and its part of the decrement, from the u step.
  double finish_hinge_step(const LossTerms& terms, Point* step) const;
  // Largest step keeping x + alpha step strictly inside the domain (may be infinite).
  double max_step(const Point& x, const Point& step) const;

  const ConvexProblem& problem_;
  const std::vector<RestrictedBlock>& blocks_;
  bool conic_;
  bool hinge_;
  Eigen::Index n_, d_, m_;
  double barrier_terms_ = 0.0;
  std::int64_t total_rows_ = 0;
  mutable std::int64_t operations_ = 0;
};

LossTerms RestrictedBarrier::loss_terms(const Point& x, const Eigen::VectorXd& yhat,
                                        double t) const {
  LossTerms terms;
  terms.weights.resize(n_);
  if (hinge_) {
    terms.hinge_values = x.margin_slack;
    const Eigen::ArrayXd c = terms.hinge_values.array();
    const Eigen::ArrayXd xi = x.xi.array();
    const Eigen::ArrayXd y = problem_.y.array();
    terms.xi_gradient = (t - 1.0 / xi - 1.0 / c).matrix();
    terms.xi_curvature = (1.0 / xi.square() + 1.0 / c.square()).matrix();
    // Schur complement of the xi block: w = y^2 / (c^2 + xi^2), written without cancellation.
    terms.weights = (y.square() / (c.square() + xi.square())).matrix();
    terms.unreduced_prediction_gradient = (-y / c).matrix();
    terms.prediction_gradient =
        terms.unreduced_prediction_gradient -
        (y * terms.xi_gradient.array() / (c.square() * terms.xi_curvature.array())).matrix();
    return terms;
  }
  terms.prediction_gradient = t * loss_gradient(problem_.loss, yhat, problem_.y);
  if (problem_.loss == LossKind::kSquared) {
    terms.weights.setConstant(t);
  } else {
    for (Eigen::Index k = 0; k < n_; ++k) {
      const double p = 1.0 / (1.0 + std::exp(-problem_.y[k] * yhat[k]));
      terms.weights[k] = t * problem_.y[k] * problem_.y[k] * p * (1.0 - p);
    }
  }
  return terms;
}

double RestrictedBarrier::barrier_objective(const Point& x, double t) const {
  operations_ += (total_rows_ + 2 * n_ * m_) * d_;
  double barrier = 0.0;
  for (Eigen::Index j = 0; j < m_; ++j) {
    if (conic_) {
      const double norm = x.u.col(j).norm();
      const double tau = x.tau[j];
      if (!(tau > norm)) return kInfinity;
      // (tau - ||u||)(tau + ||u||) avoids the cancellation in tau^2 - ||u||^2.
      barrier -= std::log((tau - norm) * (tau + norm));
    }
    const Eigen::VectorXd rows = blocks_[static_cast<std::size_t>(j)].cone_rows * x.u.col(j);
    if (rows.size() > 0) {
      if (!(rows.minCoeff() > 0)) return kInfinity;
      barrier -= rows.array().log().sum();
    }
  }
  if (hinge_) {
    if (!(x.xi.minCoeff() > 0) || !(x.margin_slack.minCoeff() > 0)) return kInfinity;
    barrier -= x.xi.array().log().sum() + x.margin_slack.array().log().sum();
  }
  const double value = t * objective(x) + barrier;
  return std::isfinite(value) ? value : kInfinity;
}

double RestrictedBarrier::newton_direction(const Point& x, double t, Point* step) const {
  // Conic: per block the row Hessian, an LDLT and n + 1 solves of size d + 1, the n x n core;
  // norm: the same row terms, the rank-n update and Cholesky of the (m d) x (m d) Hessian.
  const std::int64_t size = m_ * d_;
  operations_ += conic_ ? total_rows_ * d_ * d_ + m_ * (d_ + 1) * (d_ + 1) * (3 * n_ + d_) +
                              n_ * n_ * (m_ * d_ + n_)
                        : total_rows_ * d_ * d_ + n_ * size * size / 2 + size * size * size / 3;
  const LossTerms terms = loss_terms(x, prediction(x.u), t);
  return conic_ ? conic_direction(x, t, terms, step) : norm_direction(x, t, terms, step);
}

double RestrictedBarrier::finish_hinge_step(const LossTerms& terms, Point* step) const {
  const Eigen::ArrayXd c = terms.hinge_values.array();
  const Eigen::VectorXd step_prediction = prediction(step->u);
  step->xi =
      ((-terms.xi_gradient.array() - problem_.y.array() / c.square() * step_prediction.array()) /
       terms.xi_curvature.array())
          .matrix();
  step->margin_slack = step->xi + problem_.y.cwiseProduct(step_prediction);
  // The reduced gradient carries the Schur part of xi; the decrement needs the unreduced one.
  return -(terms.unreduced_prediction_gradient - terms.prediction_gradient).dot(step_prediction) -
         terms.xi_gradient.dot(step->xi);
}

// Conic phase: variables (u_b, tau_b). The Hessian is block-diagonal plus C^T W C, solved in
// O(m) by Woodbury through an n x n core. Accurate while the cones are not nearly tight; near
// the optimum the SOC Hessian's rounding grows like 1/(tau^2 - ||u||^2), which is why the norm
// phase takes over.
double RestrictedBarrier::conic_direction(const Point& x, double t, const LossTerms& terms,
                                          Point* step) const {
  const Eigen::Index size = d_ + 1;
  const auto count = static_cast<std::size_t>(m_);
  Eigen::MatrixXd gradient(size, m_);
  std::vector<Eigen::LDLT<Eigen::MatrixXd>> factors(count);
  std::vector<Eigen::VectorXd> scales(count);
  std::vector<Eigen::MatrixXd> solved_maps(count);  // H_b^{-1} [C_b^T; 0]
  // The core C B^{-1} C^T is formed by one GEMM over all blocks: m rank-d updates of an n x n
  // matrix would stream it through memory m times.
  Eigen::MatrixXd stacked_maps(n_, m_ * d_);         // [C_1 ... C_m]
  Eigen::MatrixXd stacked_solved_maps(m_ * d_, n_);  // [H_1^{-1} C_1^T; ...] (u rows)
  for (Eigen::Index j = 0; j < m_; ++j) {
    const auto index = static_cast<std::size_t>(j);
    const RestrictedBlock& block = blocks_[index];
    const Eigen::VectorXd u = x.u.col(j);
    const double tau = x.tau[j];
    const double norm = u.norm();
    const double s = (tau - norm) * (tau + norm);
    const Eigen::VectorXd inverse_rows = (block.cone_rows * u).cwiseInverse();
    gradient.col(j).head(d_) = block.prediction_map.transpose() * terms.prediction_gradient +
                               (2.0 / s) * u - block.cone_rows.transpose() * inverse_rows;
    gradient(d_, j) = t * problem_.beta - 2.0 * tau / s;
    // Hessian of -log(tau^2 - ||u||^2): (2/s) diag(I, -1) + (4/s^2) z z^T with z = (u, -tau).
    Eigen::VectorXd z(size);
    z.head(d_) = u;
    z[d_] = -tau;
    Eigen::MatrixXd hessian = (4.0 / (s * s)) * z * z.transpose();
    hessian.diagonal().head(d_).array() += 2.0 / s;
    hessian(d_, d_) -= 2.0 / s;
    hessian.topLeftCorner(d_, d_).noalias() +=
        block.cone_rows.transpose() * inverse_rows.cwiseAbs2().asDiagonal() * block.cone_rows;
    if (!hessian.allFinite()) return std::numeric_limits<double>::quiet_NaN();
    // Jacobi scaling: tiny inactive blocks sit next to large active ones.
    scales[index] = hessian.diagonal().cwiseSqrt().cwiseInverse();
    factors[index].compute(scales[index].asDiagonal() * hessian * scales[index].asDiagonal());
    if (factors[index].info() != Eigen::Success) return std::numeric_limits<double>::quiet_NaN();
    Eigen::MatrixXd map_transpose = Eigen::MatrixXd::Zero(size, n_);
    map_transpose.topRows(d_) = block.prediction_map.transpose();
    solved_maps[index] = scales[index].asDiagonal() *
                         factors[index].solve(scales[index].asDiagonal() * map_transpose);
    stacked_maps.middleCols(j * d_, d_) = block.prediction_map;
    stacked_solved_maps.middleRows(j * d_, d_) = solved_maps[index].topRows(d_);
  }
  Eigen::MatrixXd core(n_, n_);
  core.noalias() = stacked_maps * stacked_solved_maps;
  // (B + C^T W C)^{-1} r = B^{-1} r - B^{-1} C^T S K^{-1} S C B^{-1} r with S = W^{1/2} and
  // K = I + S C B^{-1} C^T S (well defined also where w = 0).
  const Eigen::VectorXd root_weights = terms.weights.cwiseSqrt();
  Eigen::MatrixXd woodbury = root_weights.asDiagonal() * core * root_weights.asDiagonal();
  woodbury.diagonal().array() += 1.0;
  // K is positive definite (B is), so the blocked Cholesky applies; Eigen's LDLT is unblocked and
  // was most of a conic step at n = 2000. Rounding can break symmetry slightly: symmetrize first.
  woodbury = 0.5 * (woodbury + woodbury.transpose()).eval();
  const Eigen::LLT<Eigen::MatrixXd> woodbury_factor(woodbury);
  if (woodbury_factor.info() != Eigen::Success) return std::numeric_limits<double>::quiet_NaN();
  Eigen::MatrixXd direction(size, m_);
  Eigen::VectorXd mapped = Eigen::VectorXd::Zero(n_);
  for (Eigen::Index j = 0; j < m_; ++j) {
    const auto index = static_cast<std::size_t>(j);
    direction.col(j) = -(scales[index].asDiagonal() *
                         factors[index].solve(scales[index].cwiseProduct(gradient.col(j))));
    mapped.noalias() += blocks_[index].prediction_map * direction.col(j).head(d_);
  }
  const Eigen::VectorXd correction =
      root_weights.cwiseProduct(woodbury_factor.solve(root_weights.cwiseProduct(mapped)));
  for (Eigen::Index j = 0; j < m_; ++j) {
    direction.col(j).noalias() -= solved_maps[static_cast<std::size_t>(j)] * correction;
  }
  step->u = direction.topRows(d_);
  step->tau = direction.row(d_).transpose();
  double decrement = -(gradient.array() * direction.array()).sum();
  if (hinge_) decrement += finish_hinge_step(terms, step);
  return decrement;
}

// Norm phase: variables u_b only, penalty beta ||u_b|| (smooth: the barrier keeps u_b off 0).
// Only linear inequalities remain, whose barrier Hessian is a sum of positive rank-one terms;
// a dense Cholesky of the whole (m d) x (m d) Hessian stays accurate however tight they get.
double RestrictedBarrier::norm_direction(const Point& x, double t, const LossTerms& terms,
                                         Point* step) const {
  const Eigen::Index size = m_ * d_;
  Eigen::VectorXd gradient(size);
  Eigen::MatrixXd weighted_map(n_, size);  // W^{1/2} C
  Eigen::MatrixXd hessian = Eigen::MatrixXd::Zero(size, size);
  const Eigen::VectorXd root_weights = terms.weights.cwiseSqrt();
  for (Eigen::Index j = 0; j < m_; ++j) {
    const RestrictedBlock& block = blocks_[static_cast<std::size_t>(j)];
    const Eigen::VectorXd u = x.u.col(j);
    const double norm = u.norm();
    const Eigen::VectorXd unit = u / norm;
    const Eigen::VectorXd inverse_rows = (block.cone_rows * u).cwiseInverse();
    gradient.segment(j * d_, d_) = block.prediction_map.transpose() * terms.prediction_gradient +
                                   t * problem_.beta * unit -
                                   block.cone_rows.transpose() * inverse_rows;
    auto diagonal_block = hessian.block(j * d_, j * d_, d_, d_);
    diagonal_block = (-t * problem_.beta / norm) * unit * unit.transpose();
    diagonal_block.diagonal().array() += t * problem_.beta / norm;
    diagonal_block.noalias() +=
        block.cone_rows.transpose() * inverse_rows.cwiseAbs2().asDiagonal() * block.cone_rows;
    weighted_map.middleCols(j * d_, d_) = root_weights.asDiagonal() * block.prediction_map;
  }
  hessian.selfadjointView<Eigen::Lower>().rankUpdate(weighted_map.transpose());
  hessian.triangularView<Eigen::StrictlyUpper>() = hessian.transpose();
  if (!hessian.allFinite()) return std::numeric_limits<double>::quiet_NaN();
  // Jacobi scaling, then Cholesky. Where the objective is flat (blocks that can trade off
  // against each other) only the barrier curves, and the scaled matrix can be singular to
  // working precision; a tiny ridge there just damps the step along flat directions.
  const Eigen::VectorXd scale = hessian.diagonal().cwiseSqrt().cwiseInverse();
  Eigen::MatrixXd scaled = scale.asDiagonal() * hessian * scale.asDiagonal();
  Eigen::LLT<Eigen::MatrixXd> cholesky(scaled);
  for (double ridge = 1e-13; cholesky.info() != Eigen::Success && ridge < 1e-5; ridge *= 100.0) {
    scaled.diagonal().array() += ridge;
    cholesky.compute(scaled);
  }
  if (cholesky.info() != Eigen::Success) return std::numeric_limits<double>::quiet_NaN();
  const Eigen::VectorXd direction =
      -(scale.asDiagonal() * cholesky.solve(scale.cwiseProduct(gradient)));
  step->u = direction.reshaped(d_, m_);
  step->tau.resize(0);
  double decrement = -gradient.dot(direction);
  if (hinge_) decrement += finish_hinge_step(terms, step);
  return decrement;
}

double RestrictedBarrier::max_step(const Point& x, const Point& step) const {
  double alpha = kInfinity;
  for (Eigen::Index j = 0; j < m_; ++j) {
    const RestrictedBlock& block = blocks_[static_cast<std::size_t>(j)];
    const Eigen::VectorXd rows = block.cone_rows * x.u.col(j);
    const Eigen::VectorXd row_steps = block.cone_rows * step.u.col(j);
    for (Eigen::Index k = 0; k < rows.size(); ++k) {
      if (row_steps[k] < 0) alpha = std::min(alpha, -rows[k] / row_steps[k]);
    }
    if (!conic_) continue;
    // (tau + a dtau)^2 - ||u + a du||^2 > 0 and tau + a dtau > 0.
    const double tau = x.tau[j];
    const double dtau = step.tau[j];
    const double norm = x.u.col(j).norm();
    const double a = dtau * dtau - step.u.col(j).squaredNorm();
    const double b = 2.0 * (tau * dtau - x.u.col(j).dot(step.u.col(j)));
    alpha = std::min(alpha, first_positive_root(a, b, (tau - norm) * (tau + norm)));
    if (dtau < 0) alpha = std::min(alpha, -tau / dtau);
  }
  if (hinge_) {
    for (Eigen::Index k = 0; k < n_; ++k) {
      if (step.xi[k] < 0) alpha = std::min(alpha, -x.xi[k] / step.xi[k]);
      if (step.margin_slack[k] < 0) {
        alpha = std::min(alpha, -x.margin_slack[k] / step.margin_slack[k]);
      }
    }
  }
  return alpha;
}

bool RestrictedBarrier::follow_path(Point* x, double* t, double target, double growth,
                                    int max_steps, int* steps) const {
  Point step;
  Point trial;
  while (true) {
    // Centering: damped Newton on t f0 + barrier.
    // The conic phase only has to find the active blocks: loose centering suffices there.
    const double centered = conic_ ? 1e-2 : 1e-5;
    double previous_decrement = kInfinity;
    for (int inner = 0; inner < (conic_ ? 30 : 100); ++inner) {
      if (*steps >= max_steps || stop_token.stop_requested() ||
          std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
      const double decrement = newton_direction(*x, *t, &step);
      // Rounding can make a tiny decrement slightly negative; a clearly negative one means the
      // system is too ill-conditioned to trust.
      if (!std::isfinite(decrement) || decrement < -1e-6) return false;
      if (decrement < 1e-9) break;
      ++*steps;
      const double value = barrier_objective(*x, *t);
      double alpha = std::min(1.0, 0.99 * max_step(*x, step));
      bool accepted = false;
      for (int search = 0; search < 60 && !accepted; ++search) {
        trial.u = x->u + alpha * step.u;
        if (conic_) trial.tau = x->tau + alpha * step.tau;
        if (hinge_) {
          trial.xi = x->xi + alpha * step.xi;
          trial.margin_slack = x->margin_slack + alpha * step.margin_slack;
        }
        // Armijo, with an allowance for rounding in the large values t f0 at high t.
        accepted = barrier_objective(trial, *t) <=
                   value - 0.01 * alpha * decrement + 1e-14 * std::abs(value);
        if (!accepted) alpha *= 0.5;
      }
      if (!accepted) break;  // rounding dominates: as centered as double precision allows
      std::swap(*x, trial);
      // Centered enough: the remaining decrement changes f0 by ~decrement / t. (Near the
      // optimum rounding keeps it from falling much lower.)
      if (decrement < centered && alpha == 1.0) break;
      // Full steps no longer shrink a small decrement: the remainder lies along flat directions
      // (blocks that trade off against each other, curved only by the barrier and damped by the
      // ridge), which do not change f0. Within the quadratic region (decrement < 1) that is
      // centered enough: f0 is within ~1 / t of the central point's.
      if (decrement < 1.0 && alpha == 1.0 && decrement > 0.5 * previous_decrement) break;
      previous_decrement = decrement;
    }
    if (barrier_terms_ / *t <= target * std::max(1.0, std::abs(objective(*x)))) return true;
    // Hinge rows at the kink have c ~ 1/t; although c is carried as a variable of its own, the
    // relation c = xi - 1 + y yhat drifts by rounding (~1e-16 absolute per step), so beyond
    // t ~ 1e13 the multipliers z = 1 / (t c) would lose most digits. Stop there.
    if (hinge_ && *t * growth > kMaxHingeBarrierParameter) return true;
    *t *= growth;
  }
}

// q_b(lambda) = min_{a >= 0} || sigma_b X^T S_i lambda - A_b^T a || for the given columns (NNLS).
Eigen::VectorXd exact_constraint_values(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                                        const std::vector<Eigen::Index>& columns,
                                        std::int64_t* operations) {
  std::atomic<std::int64_t> total{0};  // an integer sum: the same in any thread order
  const Eigen::Index P = problem.num_patterns();
  const Eigen::MatrixXd& signs = problem.pattern_signs();
  Eigen::VectorXd values(static_cast<Eigen::Index>(columns.size()));
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, columns.size(), 8), [&](const auto& range) {
    std::int64_t range_operations = 0;
    for (std::size_t r = range.begin(); r != range.end(); ++r) {
      const Eigen::Index b = columns[r];
      const double sign = b < P ? 1.0 : -1.0;
      const Eigen::VectorXd target =
          sign *
          (problem.X.transpose() * problem.activation_diagonals().col(b % P).cwiseProduct(lambda));
      // A_b^T = X^T diag(2 d_i - 1).
      const Eigen::MatrixXd cone_rows_transpose =
          (problem.X.array().colwise() * signs.col(b % P).array()).matrix().transpose();
      const Eigen::VectorXd alpha =
          nonnegative_least_squares(cone_rows_transpose, target, &range_operations);
      values[static_cast<Eigen::Index>(r)] =
          std::min(target.norm(), (target - cone_rows_transpose * alpha).norm());
    }
    total += range_operations;
  });
  if (operations) *operations += total;
  return values;
}

}  // namespace

RestrictedSolveResult solve_restricted_interior_point(
    const ConvexProblem& problem, const std::vector<Eigen::Index>& block_columns,
    const RestrictedSolveOptions& options) {
  const Eigen::Index P = problem.num_patterns();
  const Eigen::Index d = problem.dim();
  const Eigen::Index n = problem.num_samples();
  const bool hinge = problem.loss == LossKind::kHinge;
  const Eigen::MatrixXd& signs = problem.pattern_signs();
  const Eigen::VectorXd row_norms = problem.X.rowwise().norm();
  const double row_cutoff = 1e-12 * std::max(1.0, row_norms.maxCoeff());

  std::vector<Eigen::Index> columns = block_columns;
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());

  std::vector<std::optional<RestrictedBlock>> prepared(columns.size());
  std::atomic<std::int64_t> setup_operations{0};
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, columns.size(), 16), [&](const auto& range) {
    std::int64_t range_operations = 0;
    for (std::size_t t = range.begin(); t != range.end(); ++t) {
      const Eigen::Index column = columns[t];
      const Eigen::Index pattern = column % P;
      RestrictedBlock block;
      block.column = column;
      const double sign = column < P ? 1.0 : -1.0;
      block.prediction_map =
          sign * (problem.X.array().colwise() * problem.activation_diagonals().col(pattern).array())
                     .matrix();
      // Rows of X that are zero give the constraint 0 >= 0: always satisfied, no barrier term.
      Eigen::Index kept = 0;
      block.cone_rows.resize(n, d);
      for (Eigen::Index k = 0; k < n; ++k) {
        if (row_norms[k] > row_cutoff) {
          block.cone_rows.row(kept++) = signs(k, pattern) * problem.X.row(k);
        }
      }
      block.cone_rows.conservativeResize(kept, d);
      std::optional<Eigen::VectorXd> interior =
          strictly_interior_direction(block.cone_rows, d, &range_operations);
      if (!interior) continue;
      block.interior = std::move(*interior);
      prepared[t] = std::move(block);
    }
    setup_operations += range_operations;
  });
  RestrictedSolveResult result;
  result.operations = setup_operations;
  result.blocks = Eigen::MatrixXd::Zero(d, problem.num_blocks());
  std::vector<RestrictedBlock> blocks;
  for (std::size_t t = 0; t < columns.size(); ++t) {
    if (prepared[t]) {
      blocks.push_back(std::move(*prepared[t]));
    } else {
      result.dropped_blocks.push_back(columns[t]);
    }
  }
  const auto m = static_cast<Eigen::Index>(blocks.size());
  if (m == 0) {
    result.dual = loss_gradient(problem.loss, Eigen::VectorXd::Zero(n), problem.y);
    result.objective = problem.objective(result.blocks);
    result.converged = true;
    return result;
  }

  // Conic phase over all of S, from small neurons along the well-centered interior directions,
  // to moderate accuracy: enough to tell the active blocks from the ones heading to zero.
  Point x;
  const double start_scale = 1e-2 / std::max(1.0, row_norms.maxCoeff());
  x.u.resize(d, m);
  for (Eigen::Index j = 0; j < m; ++j) {
    x.u.col(j) = start_scale * blocks[static_cast<std::size_t>(j)].interior;
  }
  x.tau = Eigen::VectorXd::Constant(m, 2.0 * start_scale);
  int steps = 0;
  double t = 0.0;
  {
    RestrictedBarrier conic(problem, blocks, true);
    conic.stop_token = options.stop_token;
    conic.deadline = options.deadline;
    if (hinge) conic.initialize_slacks(&x, nullptr);
    t = conic.barrier_terms() / std::max(1.0, std::abs(conic.objective(x)));
    constexpr double kConicPhaseGap = 1e-6;
    conic.follow_path(&x, &t, std::max(options.relative_gap_tolerance, kConicPhaseGap),
                      options.barrier_growth, options.max_newton_steps / 2, &steps);
    result.operations += conic.operations();
  }

  // Norm phase on the active blocks; blocks of S left out whose dual constraint the result
  // violates are added back (a few rounds), so the result is optimal over all of S.
  const Eigen::VectorXd norms = x.u.colwise().norm().transpose();
  constexpr double kActiveCutoff = 1e-4;
  constexpr std::size_t kMaxDenseBlocks = 400;  // bounds the dense Newton system
  std::vector<Eigen::Index> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::sort(order.begin(), order.end(),
            [&](Eigen::Index a, Eigen::Index b) { return norms[a] > norms[b]; });
  std::vector<bool> active(static_cast<std::size_t>(m), false);
  for (std::size_t r = 0; r < order.size() && r < kMaxDenseBlocks; ++r) {
    if (norms[order[r]] > kActiveCutoff * norms.maxCoeff()) {
      active[static_cast<std::size_t>(order[r])] = true;
    }
  }
  const double restart_scale = 1e-3 * norms.maxCoeff();
  Eigen::VectorXd lambda;
  double gap_bound = 0.0;
  for (int round = 0; round < 6; ++round) {
    std::vector<RestrictedBlock> working;
    std::vector<Eigen::Index> positions;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (active[static_cast<std::size_t>(j)]) {
        working.push_back(blocks[static_cast<std::size_t>(j)]);
        positions.push_back(j);
      }
    }
    RestrictedBarrier norm_phase(problem, working, false);
    norm_phase.stop_token = options.stop_token;
    norm_phase.deadline = options.deadline;
    Point y;
    y.u.resize(d, static_cast<Eigen::Index>(positions.size()));
    for (std::size_t r = 0; r < positions.size(); ++r) {
      y.u.col(static_cast<Eigen::Index>(r)) = x.u.col(positions[r]);
    }
    if (hinge) norm_phase.initialize_slacks(&y, &x.xi);
    // Re-added blocks start off the central path: step back to let Newton absorb them.
    if (round > 0) t /= 1e3;
    result.converged =
        norm_phase.follow_path(&y, &t, options.relative_gap_tolerance, options.barrier_growth,
                               options.max_newton_steps, &steps);
    result.operations += norm_phase.operations();
    for (std::size_t r = 0; r < positions.size(); ++r) {
      x.u.col(positions[r]) = y.u.col(static_cast<Eigen::Index>(r));
    }
    if (hinge) x.xi = y.xi;
    lambda = norm_phase.dual(y, t);
    gap_bound = norm_phase.barrier_terms() / t;

    std::vector<Eigen::Index> left_out;
    std::vector<Eigen::Index> left_out_columns;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (!active[static_cast<std::size_t>(j)]) {
        left_out.push_back(j);
        left_out_columns.push_back(blocks[static_cast<std::size_t>(j)].column);
      }
    }
    const Eigen::VectorXd values =
        exact_constraint_values(problem, lambda, left_out_columns, &result.operations);
    bool added = false;
    for (std::size_t r = 0; r < left_out.size(); ++r) {
      if (values[static_cast<Eigen::Index>(r)] > problem.beta * (1.0 + 1e-9)) {
        const Eigen::Index j = left_out[r];
        active[static_cast<std::size_t>(j)] = true;
        x.u.col(j) = restart_scale * blocks[static_cast<std::size_t>(j)].interior;
        added = true;
      }
    }
    if (!added) break;
    result.converged = false;
  }
  result.newton_steps = steps;
  result.gap_bound = gap_bound;
  result.dual = lambda;
  for (Eigen::Index j = 0; j < m; ++j) {
    if (active[static_cast<std::size_t>(j)]) {
      result.blocks.col(blocks[static_cast<std::size_t>(j)].column) = x.u.col(j);
    }
  }
  // Blocks heading to zero are left at norm ~ 1/t rather than zeroed: the dual point belongs to
  // this exact point, and zeroing blocks of relative size 1e-7 would move the prediction, and
  // with it the certificate, by as much (network recovery drops them at 1e-8 anyway).
  result.objective = problem.objective(result.blocks);
  return result;
}

Eigen::VectorXd dual_constraint_values(const ConvexProblem& problem, const Eigen::VectorXd& lambda,
                                       double threshold, std::int64_t* operations) {
  const Eigen::MatrixXd targets = problem.predict_adjoint(lambda);
  Eigen::VectorXd values = targets.colwise().norm().transpose();
  std::vector<Eigen::Index> candidates;
  for (Eigen::Index b = 0; b < values.size(); ++b) {
    if (values[b] > threshold) candidates.push_back(b);
  }
  const Eigen::VectorXd exact = exact_constraint_values(problem, lambda, candidates, operations);
  for (std::size_t r = 0; r < candidates.size(); ++r) {
    values[candidates[r]] = exact[static_cast<Eigen::Index>(r)];
  }
  return values;
}

RestrictedSolveResult solve_by_column_generation(const ConvexProblem& problem,
                                                 const std::vector<Eigen::Index>& initial_columns,
                                                 int max_rounds, Eigen::Index columns_per_round,
                                                 const RestrictedSolveOptions& options,
                                                 std::vector<Eigen::Index>* final_columns) {
  const Eigen::Index B = problem.num_blocks();
  std::vector<bool> selected(static_cast<std::size_t>(B), false);
  std::vector<Eigen::Index> columns;
  for (const Eigen::Index b : initial_columns) {
    if (b >= 0 && b < B && !selected[static_cast<std::size_t>(b)]) {
      selected[static_cast<std::size_t>(b)] = true;
      columns.push_back(b);
    }
  }
  RestrictedSolveResult result;
  std::int64_t operations = 0;
  for (int round = 0; round < std::max(1, max_rounds); ++round) {
    result = solve_restricted_interior_point(problem, columns, options);
    operations += result.operations;
    if (round + 1 >= max_rounds || options.stop_token.stop_requested() ||
        std::chrono::steady_clock::now() >= options.deadline) {
      break;
    }
    const double limit = problem.beta * (1.0 + 1e-9);
    const Eigen::VectorXd values = dual_constraint_values(problem, result.dual, limit, &operations);
    std::vector<std::pair<double, Eigen::Index>> violated;
    for (Eigen::Index b = 0; b < B; ++b) {
      if (!selected[static_cast<std::size_t>(b)] && values[b] > limit) {
        violated.emplace_back(values[b], b);
      }
    }
    if (violated.empty()) break;
    std::sort(violated.begin(), violated.end(), std::greater<>());
    const auto add = std::min<std::size_t>(
        violated.size(), static_cast<std::size_t>(std::max<Eigen::Index>(1, columns_per_round)));
    for (std::size_t t = 0; t < add; ++t) {
      selected[static_cast<std::size_t>(violated[t].second)] = true;
      columns.push_back(violated[t].second);
    }
  }
  result.operations = operations;
  if (final_columns) *final_columns = columns;
  return result;
}

}  // namespace convexnn
