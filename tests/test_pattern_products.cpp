// The blocked, parallel hot products (pattern_products.h) and the fused ADMM cone step
// (admm_cone_step.h) against their definitions written entry by entry, and bit-identical results
// for any number of threads.
#include <gtest/gtest.h>

#include "convexnn/admm_cone_step.h"
#include "convexnn/parallelism.h"
#include "convexnn/pattern_products.h"
#include "convexnn/random.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

using testing::random_matrix;
using testing::random_pattern_problem;

// S_i's diagonal entry for sample k and pattern i, from the definition (science.md 8.1).
double diagonal_entry(const ConvexProblem& problem, Eigen::Index k, Eigen::Index i) {
  const double mask = problem.patterns.masks(k, i);
  switch (problem.activation.kind) {
    case ActivationKind::kLeakyRelu:
      return mask > 0.5 ? 1.0 : problem.activation.leaky_slope;
    case ActivationKind::kAbsolute:
      return mask > 0.5 ? 1.0 : -1.0;
    default:
      return mask;
  }
}

class PatternProductsTest : public ::testing::TestWithParam<Activation> {};

TEST_P(PatternProductsTest, ProductsEqualTheirDefinitions) {
  // 2P = 600 columns gives chunks of 208 rows: 3 full chunks and a partial one.
  const ConvexProblem problem = random_pattern_problem(700, 4, 300, GetParam(), 11);
  const Eigen::Index n = problem.num_samples();
  const Eigen::Index P = problem.num_patterns();
  const Eigen::MatrixXd blocks = random_matrix(problem.dim(), 2 * P, 12);
  const Eigen::VectorXd r = random_matrix(n, 1, 13);
  const Eigen::MatrixXd slacks = random_matrix(n, 2 * P, 14);

  Eigen::VectorXd predicted = Eigen::VectorXd::Zero(n);
  Eigen::MatrixXd adjoint = Eigen::MatrixXd::Zero(problem.dim(), 2 * P);
  Eigen::MatrixXd cone(n, 2 * P);
  Eigen::MatrixXd cone_adjoint = Eigen::MatrixXd::Zero(problem.dim(), 2 * P);
  for (Eigen::Index i = 0; i < P; ++i) {
    for (Eigen::Index k = 0; k < n; ++k) {
      const double s = diagonal_entry(problem, k, i);
      const double sign = 2.0 * problem.patterns.masks(k, i) - 1.0;
      const Eigen::RowVectorXd x = problem.X.row(k);
      predicted[k] += s * x.dot(blocks.col(i) - blocks.col(P + i));
      adjoint.col(i) += s * r[k] * x.transpose();
      cone(k, i) = sign * x.dot(blocks.col(i));
      cone(k, P + i) = sign * x.dot(blocks.col(P + i));
      cone_adjoint.col(i) += sign * slacks(k, i) * x.transpose();
      cone_adjoint.col(P + i) += sign * slacks(k, P + i) * x.transpose();
    }
    adjoint.col(P + i) = -adjoint.col(i);
  }
  EXPECT_LT((problem.predict(blocks) - predicted).norm(), 1e-10 * predicted.norm());
  EXPECT_LT((problem.predict_adjoint(r) - adjoint).norm(), 1e-10 * adjoint.norm());
  EXPECT_LT((problem.cone_values(blocks) - cone).norm(), 1e-10 * cone.norm());
  EXPECT_LT((problem.cone_adjoint(slacks) - cone_adjoint).norm(), 1e-10 * cone_adjoint.norm());
  const double violation = cone.cwiseMin(0.0).squaredNorm();
  ASSERT_GT(violation, 0.0);
  EXPECT_NEAR(problem.squared_cone_violation(blocks), violation, 1e-12 * violation);
  // The gated products: F on v - w given directly, the v-half of F^T r, and F^T F in one pass.
  const Eigen::MatrixXd difference = blocks.leftCols(P) - blocks.rightCols(P);
  EXPECT_LT((problem.predict_differences(difference) - predicted).norm(), 1e-10 * predicted.norm());
  EXPECT_LT((problem.pattern_adjoint(r) - adjoint.leftCols(P)).norm(), 1e-10 * adjoint.norm());
  Eigen::MatrixXd normal = Eigen::MatrixXd::Zero(problem.dim(), P);
  for (Eigen::Index i = 0; i < P; ++i) {
    for (Eigen::Index k = 0; k < n; ++k) {
      normal.col(i) += diagonal_entry(problem, k, i) * predicted[k] * problem.X.row(k).transpose();
    }
  }
  Eigen::VectorXd fused_prediction;
  EXPECT_LT((problem.normal_product(difference, &fused_prediction) - normal).norm(),
            1e-10 * normal.norm());
  EXPECT_LT((fused_prediction - predicted).norm(), 1e-10 * predicted.norm());
  // Its float version agrees to float accuracy (and no better: it does run in float).
  const Eigen::MatrixXd float_normal = pattern_normal_product(
      problem.X.cast<float>(), problem.activation_diagonals().cast<float>(), difference);
  EXPECT_LT((float_normal - normal).norm(), 1e-5 * normal.norm());
  EXPECT_GT((float_normal - normal).norm(), 1e-12 * normal.norm());
}

TEST_P(PatternProductsTest, FusedConeStepEqualsTheUnfusedUpdates) {
  const ConvexProblem problem = random_pattern_problem(500, 3, 200, GetParam(), 21);
  const Eigen::Index n = problem.num_samples();
  const Eigen::Index B = problem.num_blocks();
  const Eigen::MatrixXd u = random_matrix(problem.dim(), B, 22);
  // A complementary state: s = w_+, nu = w_-.
  const Eigen::MatrixXd w = random_matrix(n, B, 23);
  const Eigen::MatrixXd s_old = w.cwiseMax(0.0);
  const Eigen::MatrixXd nu_old = w.cwiseMin(0.0);
  for (const double alpha : {1.0, 1.6}) {
    // science.md 4.2 steps 3-4, over-relaxed, as the solver wrote them before the fusion.
    const Eigen::MatrixXd G_u = problem.cone_values(u);
    const Eigen::MatrixXd relaxed = alpha * G_u + (1.0 - alpha) * s_old;
    const Eigen::MatrixXd s_new = (relaxed + nu_old).cwiseMax(0.0);
    const Eigen::MatrixXd nu_new = nu_old + relaxed - s_new;

    Eigen::MatrixXd state = w;
    const ConeStepResult step = admm_cone_step(problem, u, alpha, true, &state);
    EXPECT_LT((state.cwiseMax(0.0) - s_new).norm(), 1e-12 * (1.0 + s_new.norm()));
    EXPECT_LT((state.cwiseMin(0.0) - nu_new).norm(), 1e-12 * (1.0 + nu_new.norm()));
    EXPECT_LT((step.fitted - problem.predict(u)).norm(), 1e-10 * step.fitted.norm());
    const Eigen::MatrixXd rhs = problem.cone_adjoint(s_new - nu_new);
    EXPECT_LT((step.next_cone_rhs - rhs).norm(), 1e-10 * rhs.norm());
    const Eigen::MatrixXd change = problem.cone_adjoint(s_new - s_old);
    EXPECT_LT((step.slack_change_adjoint - change).norm(), 1e-10 * (1.0 + change.norm()));
    EXPECT_NEAR(step.cone_residual_squared, (G_u - s_new).squaredNorm(),
                1e-10 * (G_u - s_new).squaredNorm());
  }
}

// The augmented Lagrangian's fused value and gradient against the separate products it replaced
// (F u, G u, F^T, G^T), for every loss; multipliers make some gaps positive and leave others 0.
// Dense multipliers, and sparse ones (most zero, as in a run, and whole chunks of columns empty)
// whose nonzeros the kernel scatters per chunk.
TEST_P(PatternProductsTest, FusedAugmentedLagrangianEqualsTheUnfusedProducts) {
  ConvexProblem problem = random_pattern_problem(700, 4, 300, GetParam(), 41);
  const Eigen::MatrixXd blocks = random_matrix(problem.dim(), problem.num_blocks(), 42);
  const Eigen::MatrixXd dense_multipliers =
      random_matrix(problem.num_samples(), problem.num_blocks(), 43).cwiseAbs();
  const Eigen::MatrixXd selector = random_matrix(problem.num_samples(), problem.num_blocks(), 44);
  Eigen::MatrixXd sparse_multipliers = dense_multipliers;
  for (Eigen::Index b = 0; b < sparse_multipliers.cols(); ++b) {
    for (Eigen::Index i = 0; i < sparse_multipliers.rows(); ++i) {
      // About 8% nonzero, and none in the first 100 rows of every third column.
      if (std::abs(selector(i, b)) > 0.1 || (b % 3 == 0 && i < 100)) sparse_multipliers(i, b) = 0;
    }
  }
  const double penalty = 3.5;
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic, LossKind::kHinge}) {
    for (const Eigen::MatrixXd* dense :
         {&dense_multipliers, static_cast<const Eigen::MatrixXd*>(&sparse_multipliers)}) {
      SCOPED_TRACE(to_string(loss));
      const Eigen::MatrixXd& multipliers = *dense;
      const ChunkedMultipliers sparse = chunk_multipliers(multipliers);
      problem.loss = loss;
      const Eigen::VectorXd prediction = problem.predict(blocks);
      const Eigen::MatrixXd gaps = (multipliers - problem.cone_values(blocks)).cwiseMax(0.0);
      ASSERT_GT((gaps.array() > 0).count(), 0);
      ASSERT_GT((gaps.array() == 0).count(), 0);
      const double value =
          loss_value(loss, prediction, problem.y) + 0.5 * penalty * gaps.squaredNorm();
      const Eigen::MatrixXd gradient =
          problem.predict_adjoint(loss_gradient(loss, prediction, problem.y)) -
          penalty * problem.cone_adjoint(gaps);

      Eigen::MatrixXd fused_gradient;
      const double fused =
          problem.augmented_lagrangian_value(blocks, sparse, penalty, &fused_gradient);
      EXPECT_NEAR(fused, value, 1e-12 * std::abs(value));
      EXPECT_LT((fused_gradient - gradient).norm(), 1e-10 * gradient.norm());
      EXPECT_EQ(problem.augmented_lagrangian_value(blocks, sparse, penalty, nullptr), fused);
    }
  }
}

TEST_P(PatternProductsTest, ResultsAreBitIdenticalForAnyThreadCount) {
  const ConvexProblem problem = random_pattern_problem(3001, 5, 150, GetParam(), 31);
  const Eigen::MatrixXd blocks = random_matrix(problem.dim(), problem.num_blocks(), 32);
  const Eigen::VectorXd r = random_matrix(problem.num_samples(), 1, 33);
  const Eigen::MatrixXd slacks = random_matrix(problem.num_samples(), problem.num_blocks(), 34);
  struct Results {
    Eigen::VectorXd predict;
    Eigen::MatrixXd adjoint, cone, cone_adjoint, state, rhs, normal, augmented_gradient;
    double augmented = 0.0;
  };
  auto compute = [&] {
    Results results;
    results.predict = problem.predict(blocks);
    results.adjoint = problem.predict_adjoint(r);
    results.cone = problem.cone_values(blocks);
    results.cone_adjoint = problem.cone_adjoint(slacks);
    results.state = slacks;
    results.rhs = admm_cone_step(problem, blocks, 1.0, true, &results.state).next_cone_rhs;
    results.normal = problem.normal_product(blocks.leftCols(problem.num_patterns()));
    results.augmented = problem.augmented_lagrangian_value(
        blocks, chunk_multipliers(slacks.cwiseAbs()), 2.0, &results.augmented_gradient);
    return results;
  };
  Results one, all;
  run_with_thread_limit(1, [&] { one = compute(); });
  all = compute();
  EXPECT_TRUE(one.predict == all.predict);
  EXPECT_TRUE(one.adjoint == all.adjoint);
  EXPECT_TRUE(one.cone == all.cone);
  EXPECT_TRUE(one.cone_adjoint == all.cone_adjoint);
  EXPECT_TRUE(one.state == all.state);
  EXPECT_TRUE(one.rhs == all.rhs);
  EXPECT_TRUE(one.normal == all.normal);
  EXPECT_EQ(one.augmented, all.augmented);
  EXPECT_TRUE(one.augmented_gradient == all.augmented_gradient);
}

INSTANTIATE_TEST_SUITE_P(Activations, PatternProductsTest,
                         ::testing::Values(Activation{}, Activation::leaky_relu(0.1),
                                           Activation::absolute()),
                         [](const ::testing::TestParamInfo<Activation>& parameter) {
                           switch (parameter.param.kind) {
                             case ActivationKind::kLeakyRelu:
                               return std::string("leaky");
                             case ActivationKind::kAbsolute:
                               return std::string("abs");
                             default:
                               return std::string("relu");
                           }
                         });

TEST(PatternProducts, ChunksStayNearOneMegabyteAndNeverDependOnThreads) {
  EXPECT_EQ(rows_per_chunk(1000), 128);
  EXPECT_EQ(rows_per_chunk(100000), 32);  // at least 32 rows
  EXPECT_EQ(rows_per_chunk(2), 4096);     // at most 4096 rows
  int threads_seen = 0;
  run_with_thread_limit(1, [&] { threads_seen = available_threads(); });
  EXPECT_EQ(threads_seen, 1);
}

}  // namespace
}  // namespace convexnn
