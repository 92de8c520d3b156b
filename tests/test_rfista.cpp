// R-FISTA (science.md 10.2) on group-lasso problems with closed-form solutions.
#include <gtest/gtest.h>

#include <cmath>
#include <stop_token>
#include <vector>

#include "convexnn/admm_building_blocks.h"
#include "convexnn/errors.h"
#include "convexnn/random.h"
#include "convexnn/rfista.h"

namespace convexnn {
namespace {

// 0.5 || Q vec(U) - b ||^2 for a matrix Q (column-major vec). With Q = c Q0, Q0 orthogonal, this
// is 0.5 c^2 ||vec(U) - Q^T b / c^2||^2 + const, so the group-lasso minimizer is the group
// soft-threshold U* = shrink(Q^T b / c^2, lambda / c^2).
class OrthogonalLeastSquares : public SmoothFunction {
 public:
  OrthogonalLeastSquares(Eigen::MatrixXd Q, Eigen::VectorXd b, Eigen::Index rows, Eigen::Index cols)
      : Q_(std::move(Q)), b_(std::move(b)), rows_(rows), cols_(cols) {}
  double value(const Eigen::MatrixXd& U) const override {
    ++value_evaluations;
    return 0.5 * (Q_ * flatten(U) - b_).squaredNorm();
  }
  double value_and_gradient(const Eigen::MatrixXd& U, Eigen::MatrixXd* gradient) const override {
    const Eigen::VectorXd residual = Q_ * flatten(U) - b_;
    const Eigen::VectorXd g = Q_.transpose() * residual;
    *gradient = Eigen::Map<const Eigen::MatrixXd>(g.data(), rows_, cols_);
    ++evaluations;
    return 0.5 * residual.squaredNorm();
  }
  mutable int evaluations = 0;  // with the gradient
  mutable int value_evaluations = 0;

 private:
  static Eigen::VectorXd flatten(const Eigen::MatrixXd& U) {
    return Eigen::Map<const Eigen::VectorXd>(U.data(), U.size());
  }
  Eigen::MatrixXd Q_;
  Eigen::VectorXd b_;
  Eigen::Index rows_, cols_;
};

// The same function as a composite: outer(z) = 0.5 ||z - b||^2 of the image z = Q vec(U), and
// a count of the products, to check what the composite path saves.
class CompositeLeastSquares : public CompositeSmoothFunction {
 public:
  CompositeLeastSquares(Eigen::MatrixXd Q, Eigen::VectorXd b, Eigen::Index rows, Eigen::Index cols)
      : Q_(std::move(Q)), b_(std::move(b)), rows_(rows), cols_(cols) {}
  Eigen::VectorXd image(const Eigen::MatrixXd& U) const override {
    ++forward_products;
    return Q_ * Eigen::Map<const Eigen::VectorXd>(U.data(), U.size());
  }
  double outer_value(const Eigen::VectorXd& z) const override {
    return 0.5 * (z - b_).squaredNorm();
  }
  Eigen::VectorXd outer_gradient(const Eigen::VectorXd& z) const override { return z - b_; }
  Eigen::MatrixXd adjoint(const Eigen::VectorXd& g) const override {
    ++adjoint_products;
    const Eigen::VectorXd flat = Q_.transpose() * g;
    return Eigen::Map<const Eigen::MatrixXd>(flat.data(), rows_, cols_);
  }
  mutable int forward_products = 0;
  mutable int adjoint_products = 0;

 private:
  Eigen::MatrixXd Q_;
  Eigen::VectorXd b_;
  Eigen::Index rows_, cols_;
};

struct OrthogonalCase {
  Eigen::MatrixXd Q;
  Eigen::VectorXd b;
  Eigen::MatrixXd solution;
};

OrthogonalCase make_orthogonal_case(Eigen::Index rows, Eigen::Index cols, double curvature,
                                    double lambda, std::uint64_t seed) {
  Rng rng(seed);
  const Eigen::Index size = rows * cols;
  Eigen::MatrixXd random(size, size);
  for (Eigen::Index i = 0; i < size; ++i) {
    for (Eigen::Index j = 0; j < size; ++j) random(i, j) = rng.normal();
  }
  OrthogonalCase c;
  const Eigen::MatrixXd orthogonal = Eigen::HouseholderQR<Eigen::MatrixXd>(random).householderQ();
  c.Q = curvature * orthogonal;
  c.b.resize(size);
  for (Eigen::Index i = 0; i < size; ++i) c.b[i] = 2.0 * rng.normal();
  const Eigen::VectorXd target = c.Q.transpose() * c.b / (curvature * curvature);
  c.solution = group_soft_threshold(Eigen::Map<const Eigen::MatrixXd>(target.data(), rows, cols),
                                    lambda / (curvature * curvature));
  return c;
}

TEST(RFista, OrthogonalDesignGivesGroupSoftThreshold) {
  const Eigen::Index rows = 3, cols = 6;
  for (const double curvature : {0.3, 1.0, 4.0}) {
    for (const double lambda : {0.5, 3.0}) {
      const OrthogonalCase c = make_orthogonal_case(rows, cols, curvature, lambda, 11);
      // The threshold must zero some blocks and keep others, or the test checks less.
      const Eigen::VectorXd norms = c.solution.colwise().norm().transpose();
      if (lambda == 3.0 && curvature == 1.0) {
        ASSERT_GT((norms.array() == 0).count(), 0);
        ASSERT_GT((norms.array() > 0).count(), 0);
      }
      const OrthogonalLeastSquares smooth(c.Q, c.b, rows, cols);
      RFistaOptions options;
      options.subgradient_tolerance = 1e-24;
      RFistaState state;
      const RFistaResult result = minimize_group_lasso(smooth, lambda, rows, cols, options, &state);
      EXPECT_EQ(result.stop, RFistaStop::kConverged) << curvature << " " << lambda;
      EXPECT_LT((state.iterate - c.solution).cwiseAbs().maxCoeff(), 1e-10)
          << "curvature " << curvature << " lambda " << lambda;
      // The blocks the threshold zeroes are exact zeros (the prox), not small numbers.
      for (Eigen::Index b = 0; b < cols; ++b) {
        if (norms[b] == 0) {
          EXPECT_EQ(state.iterate.col(b).norm(), 0.0);
        }
      }
      EXPECT_NEAR(result.objective,
                  smooth.value(c.solution) + lambda * c.solution.colwise().norm().sum(), 1e-10);
    }
  }
}

// A least-squares group lasso over 2 x 8 blocks whose columns' scales grow 25-fold: ill-conditioned
// enough that momentum overshoots and R-FISTA restarts.
struct IllConditionedCase {
  static constexpr Eigen::Index rows = 2, cols = 8, m = 30;
  Eigen::MatrixXd A;
  Eigen::VectorXd b;
  Rng rng{5};  // continues after the data (for perturbations)
  IllConditionedCase() : A(m, rows * cols), b(m) {
    for (Eigen::Index i = 0; i < A.rows(); ++i) {
      for (Eigen::Index j = 0; j < A.cols(); ++j)
        A(i, j) = rng.normal() * (1.0 + 3.0 * static_cast<double>(j));
    }
    for (Eigen::Index i = 0; i < m; ++i) b[i] = rng.normal();
  }
};

// A non-orthogonal least-squares group lasso: the result satisfies the optimality conditions
// (min-norm subgradient ~ 0) and no random perturbation of it has a lower objective.
TEST(RFista, IllConditionedLeastSquaresReachesStationarity) {
  IllConditionedCase c;
  const Eigen::Index rows = c.rows, cols = c.cols;
  const Eigen::MatrixXd& A = c.A;
  const Eigen::VectorXd& b = c.b;
  Rng& rng = c.rng;
  const OrthogonalLeastSquares smooth(A, b, rows, cols);
  const double lambda = 2.0;
  RFistaOptions options;
  options.subgradient_tolerance = 1e-20;
  options.max_iterations = 50000;
  RFistaState state;
  const RFistaResult result = minimize_group_lasso(smooth, lambda, rows, cols, options, &state);
  ASSERT_EQ(result.stop, RFistaStop::kConverged);
  EXPECT_GT(result.restarts, 0);  // the ill-conditioning makes momentum overshoot
  auto objective = [&](const Eigen::MatrixXd& U) {
    return smooth.value(U) + lambda * U.colwise().norm().sum();
  };
  for (int trial = 0; trial < 50; ++trial) {
    Eigen::MatrixXd perturbed = state.iterate;
    for (Eigen::Index i = 0; i < perturbed.size(); ++i) perturbed.data()[i] += 1e-4 * rng.normal();
    EXPECT_GE(objective(perturbed), result.objective - 1e-12);
  }
}

TEST(RFista, WarmStartAtTheOptimumStopsImmediately) {
  const OrthogonalCase c = make_orthogonal_case(3, 4, 1.0, 1.0, 2);
  const OrthogonalLeastSquares smooth(c.Q, c.b, 3, 4);
  RFistaOptions options;
  options.subgradient_tolerance = 1e-20;
  RFistaState state;
  const RFistaResult cold = minimize_group_lasso(smooth, 1.0, 3, 4, options, &state);
  ASSERT_EQ(cold.stop, RFistaStop::kConverged);
  ASSERT_GT(cold.iterations, 0);
  const RFistaResult warm = minimize_group_lasso(smooth, 1.0, 3, 4, options, &state);
  EXPECT_EQ(warm.stop, RFistaStop::kConverged);
  EXPECT_EQ(warm.iterations, 0);
  // A state of the wrong shape is replaced by a cold start.
  RFistaState wrong;
  wrong.iterate = Eigen::MatrixXd::Ones(2, 2);
  const RFistaResult restarted = minimize_group_lasso(smooth, 1.0, 3, 4, options, &wrong);
  EXPECT_EQ(restarted.stop, RFistaStop::kConverged);
  EXPECT_LT((wrong.iterate - c.solution).cwiseAbs().maxCoeff(), 1e-9);
}

TEST(RFista, StopTokenAndCallbackEndTheRun) {
  const OrthogonalCase c = make_orthogonal_case(3, 4, 2.0, 0.1, 3);
  const OrthogonalLeastSquares smooth(c.Q, c.b, 3, 4);
  RFistaOptions options;
  options.subgradient_tolerance = 0.0;
  std::stop_source source;
  source.request_stop();
  RFistaState state;
  const RFistaResult cancelled =
      minimize_group_lasso(smooth, 0.1, 3, 4, options, &state, source.get_token());
  EXPECT_EQ(cancelled.stop, RFistaStop::kCancelled);
  EXPECT_EQ(cancelled.iterations, 0);

  int calls = 0;
  RFistaState fresh;
  const RFistaResult stopped = minimize_group_lasso(smooth, 0.1, 3, 4, options, &fresh, {},
                                                    [&](const RFistaProgress& progress) {
                                                      ++calls;
                                                      EXPECT_EQ(progress.iteration, calls);
                                                      return calls < 3;
                                                    });
  EXPECT_EQ(stopped.stop, RFistaStop::kCallback);
  EXPECT_EQ(stopped.iterations, 3);
  EXPECT_EQ(calls, 3);
}

TEST(RFista, MinNormSubgradientIsZeroExactlyAtTheMinimizer) {
  const OrthogonalCase c = make_orthogonal_case(2, 5, 1.0, 2.5, 9);
  const OrthogonalLeastSquares smooth(c.Q, c.b, 2, 5);
  Eigen::MatrixXd gradient;
  smooth.value_and_gradient(c.solution, &gradient);
  EXPECT_LT(min_norm_subgradient(c.solution, gradient, 2.5).norm(), 1e-12);
  Eigen::MatrixXd moved = c.solution;
  moved(0, 0) += 0.1;
  smooth.value_and_gradient(moved, &gradient);
  EXPECT_GT(min_norm_subgradient(moved, gradient, 2.5).norm(), 1e-3);
}

// The momentum is the standard t+ = (1 + sqrt(1 + 4 t^2)) / 2, not scnn's 1 + sqrt(1 + 4 t^2) / 2:
// three iterations on f(u) = c u^2 / 2 with a fixed step, computed by hand.
TEST(RFista, MomentumFollowsTheStandardRecurrence) {
  const double c = 2.0;
  const double step = 0.25;  // c * step = 1/2: the quadratic bound always holds
  Eigen::MatrixXd Q(1, 1);
  Q(0, 0) = std::sqrt(c);
  const OrthogonalLeastSquares smooth(Q, Eigen::VectorXd::Zero(1), 1, 1);
  RFistaOptions options;
  options.initial_step = step;
  options.growth_factor = 1.0;
  options.restart = false;
  options.subgradient_tolerance = 0.0;
  options.max_iterations = 3;
  RFistaState state;
  state.iterate = Eigen::MatrixXd::Constant(1, 1, 1.0);
  state.reset_momentum();
  std::vector<double> iterates;
  minimize_group_lasso(smooth, 0.0, 1, 1, options, &state, {}, [&](const RFistaProgress& progress) {
    iterates.push_back(progress.iterate(0, 0));
    return true;
  });
  ASSERT_EQ(iterates.size(), 3u);
  const double contraction = 1.0 - step * c;
  auto simulate = [&](bool slipped) {
    std::vector<double> result;
    double t = 1.0, w = 1.0, v = 1.0;
    for (int k = 0; k < 3; ++k) {
      const double next = contraction * v;
      const double root = std::sqrt(1.0 + 4.0 * t * t);
      const double t_next = slipped ? 1.0 + root / 2.0 : 0.5 * (1.0 + root);
      v = next + ((t - 1.0) / t_next) * (next - w);
      w = next;
      t = t_next;
      result.push_back(w);
    }
    return result;
  };
  const std::vector<double> standard = simulate(false);
  const std::vector<double> slipped = simulate(true);
  for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(iterates[k], standard[k], 1e-15) << k;
  // The hand computation can tell the two apart.
  EXPECT_GT(std::abs(standard[2] - slipped[2]), 1e-3);
}

// The composite path forms the extrapolation's image from the last two images and tests
// candidates on images; on a non-orthogonal least-squares problem it must walk the same iterates
// as the plain path (up to rounding) with about one product of each kind per iteration.
TEST(RFista, CompositePathWalksTheSameIteratesWithFewerProducts) {
  Rng rng(17);
  const Eigen::Index rows = 3, cols = 5, samples = 40;
  Eigen::MatrixXd Q(samples, rows * cols);
  for (Eigen::Index k = 0; k < Q.size(); ++k) Q(k) = rng.normal();
  Eigen::VectorXd b(samples);
  for (Eigen::Index k = 0; k < samples; ++k) b[k] = rng.normal();
  const OrthogonalLeastSquares plain(Q, b, rows, cols);
  const CompositeLeastSquares composite(Q, b, rows, cols);
  RFistaOptions options;
  options.subgradient_tolerance = 0.0;
  options.max_iterations = 200;
  options.subgradient_interval = 1;  // compare the optimality measure at every iteration
  std::vector<Eigen::MatrixXd> plain_iterates, composite_iterates;
  std::vector<double> plain_measure, composite_measure;
  RFistaState plain_state, composite_state;
  const double lambda = 2.0;
  const RFistaResult plain_result = minimize_group_lasso(
      plain, lambda, rows, cols, options, &plain_state, {}, [&](const RFistaProgress& progress) {
        plain_iterates.push_back(progress.iterate);
        plain_measure.push_back(progress.subgradient_norm_squared);
        EXPECT_EQ(progress.image, nullptr);
        return true;
      });
  const RFistaResult composite_result = minimize_group_lasso(
      composite, lambda, rows, cols, options, &composite_state, {},
      [&](const RFistaProgress& progress) {
        composite_iterates.push_back(progress.iterate);
        composite_measure.push_back(progress.subgradient_norm_squared);
        // The image handed over is A of the iterate, and the probe gradient is A^T of the probe's
        // outer gradient.
        EXPECT_LT((*progress.image - Q * Eigen::Map<const Eigen::VectorXd>(progress.iterate.data(),
                                                                           progress.iterate.size()))
                      .norm(),
                  1e-10 * (1.0 + progress.image->norm()));
        const Eigen::VectorXd probe_adjoint = Q.transpose() * *progress.probe_outer_gradient;
        EXPECT_LT((Eigen::Map<const Eigen::VectorXd>(progress.probe_gradient->data(),
                                                     progress.probe_gradient->size()) -
                   probe_adjoint)
                      .norm(),
                  1e-12 * (1.0 + probe_adjoint.norm()));
        return true;
      });
  ASSERT_EQ(plain_iterates.size(), composite_iterates.size());
  ASSERT_EQ(plain_iterates.size(), 200u);
  for (std::size_t k = 0; k < plain_iterates.size(); ++k) {
    EXPECT_LT((plain_iterates[k] - composite_iterates[k]).norm(), 1e-9) << "iteration " << k + 1;
    EXPECT_NEAR(plain_measure[k], composite_measure[k], 1e-9 * (1.0 + plain_measure[k]));
  }
  EXPECT_NEAR(plain_result.objective, composite_result.objective, 1e-10);
  // (Backtrack counts may differ once the values agree to rounding: the two paths test the
  // curvature from differently rounded numbers there.)
  // One forward product per candidate plus the start; adjoints: one per iteration for the probe
  // plus the subgradient refresh (every iteration here) and the start.
  EXPECT_EQ(composite.forward_products, 1 + 200 + composite_result.backtracks);
  EXPECT_LE(composite.adjoint_products, 1 + 2 * 200);
  // The plain path evaluates value and gradient at both the extrapolation and every candidate.
  EXPECT_GE(plain.evaluations, 2 * 200 - composite_result.restarts);
}

TEST(RFista, CompositePathRefreshesTheSubgradientOnItsInterval) {
  const OrthogonalCase c = make_orthogonal_case(2, 3, 1.5, 0.3, 5);
  const CompositeLeastSquares smooth(c.Q, c.b, 2, 3);
  RFistaOptions options;
  options.subgradient_tolerance = 0.0;
  options.max_iterations = 25;
  options.subgradient_interval = 10;
  RFistaState state;
  std::vector<std::int64_t> refreshed_at;
  minimize_group_lasso(smooth, 0.3, 2, 3, options, &state, {}, [&](const RFistaProgress& progress) {
    refreshed_at.push_back(progress.subgradient_iteration);
    return true;
  });
  ASSERT_EQ(refreshed_at.size(), 25u);
  for (std::size_t k = 0; k < refreshed_at.size(); ++k) {
    EXPECT_EQ(refreshed_at[k], static_cast<std::int64_t>((k + 1) / 10 * 10)) << k;
  }
  // One adjoint at the start, one per iteration at the extrapolation (none after a restart is
  // reused from the start only), and one per refresh.
  EXPECT_LE(smooth.adjoint_products, 1 + 25 + 2);
}

// Between subgradient refreshes a candidate is tested by its value alone and the gradient is
// taken where it is needed next (the extrapolation, or the iterate after a restart): the same
// iterates as with a gradient at every candidate, on a problem where restarts happen.
TEST(RFista, ValueOnlyCandidatesWalkTheSameIterates) {
  const IllConditionedCase c;
  const Eigen::Index rows = c.rows, cols = c.cols;
  const Eigen::MatrixXd& A = c.A;
  const Eigen::VectorXd& b = c.b;
  const double lambda = 2.0;
  auto run = [&](int interval, std::vector<Eigen::MatrixXd>* iterates, RFistaResult* result) {
    const OrthogonalLeastSquares smooth(A, b, rows, cols);
    RFistaOptions options;
    options.subgradient_tolerance = 0.0;
    options.max_iterations = 300;
    options.subgradient_interval = interval;
    RFistaState state;
    *result = minimize_group_lasso(smooth, lambda, rows, cols, options, &state, {},
                                   [&](const RFistaProgress& progress) {
                                     iterates->push_back(progress.iterate);
                                     return true;
                                   });
    return std::pair{smooth.evaluations, smooth.value_evaluations};
  };
  std::vector<Eigen::MatrixXd> every, spaced;
  RFistaResult every_result, spaced_result;
  const auto [every_gradients, every_values] = run(1, &every, &every_result);
  const auto [spaced_gradients, spaced_values] = run(7, &spaced, &spaced_result);
  ASSERT_GT(spaced_result.restarts, 0);
  ASSERT_EQ(every.size(), spaced.size());
  for (std::size_t k = 0; k < every.size(); ++k) {
    ASSERT_LT((every[k] - spaced[k]).norm(), 1e-12 * (1.0 + every[k].norm()))
        << "iteration " << k + 1;
  }
  EXPECT_EQ(every_values, 0);
  // Value-only tests on six iterations of seven: fewer gradients, and every candidate is tested.
  EXPECT_GT(spaced_values, 300 / 2);
  EXPECT_LT(spaced_gradients, every_gradients - 300 / 2);
  EXPECT_GE(spaced_gradients + spaced_values, 2 * 300);
}

TEST(RFista, InvalidOptionsNameTheField) {
  {
    RFistaOptions interval;
    interval.subgradient_interval = 0;
    EXPECT_NE(interval.validate().find("subgradient_interval"), std::string::npos);
  }
  RFistaOptions options;
  options.backtrack_factor = 1.5;
  EXPECT_NE(options.validate().find("backtrack_factor"), std::string::npos);
  options = RFistaOptions{};
  options.initial_step = -1;
  EXPECT_NE(options.validate().find("initial_step"), std::string::npos);
  const OrthogonalCase c = make_orthogonal_case(1, 2, 1.0, 1.0, 1);
  const OrthogonalLeastSquares smooth(c.Q, c.b, 1, 2);
  RFistaState state;
  EXPECT_THROW(minimize_group_lasso(smooth, 1.0, 1, 2, options, &state), InputError);
}

}  // namespace
}  // namespace convexnn
