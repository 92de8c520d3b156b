// Losses: proximal maps are minimizers, conjugates satisfy Fenchel-Young with equality.
#include <gtest/gtest.h>

#include "convexnn/loss.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

class LossTest : public ::testing::TestWithParam<LossKind> {};

TEST_P(LossTest, ProxMinimizesTheProximalObjective) {
  const LossKind kind = GetParam();
  Rng rng(1);
  for (double rho : {0.1, 1.0, 10.0}) {
    Eigen::VectorXd z(50), y(50);
    for (int k = 0; k < 50; ++k) {
      z[k] = 3 * rng.normal();
      y[k] = rng.uniform() < 0.5 ? -1.0 : 1.0;
    }
    const Eigen::VectorXd t = loss_prox(kind, z, y, rho);
    auto objective = [&](const Eigen::VectorXd& point) {
      return loss_value(kind, point, y) + 0.5 * rho * (point - z).squaredNorm();
    };
    const double best = objective(t);
    for (int k = 0; k < 50; ++k) {
      for (double step : {1e-4, -1e-4, 1e-2, -1e-2}) {
        Eigen::VectorXd moved = t;
        moved[k] += step;
        EXPECT_GE(objective(moved), best - 1e-12) << "rho " << rho << " sample " << k;
      }
    }
  }
}

TEST_P(LossTest, FenchelYoungEqualityAtTheGradient) {
  const LossKind kind = GetParam();
  Rng rng(2);
  Eigen::VectorXd prediction(40), y(40);
  for (int k = 0; k < 40; ++k) {
    prediction[k] = 2 * rng.normal();
    y[k] = rng.uniform() < 0.5 ? -1.0 : 1.0;
  }
  const Eigen::VectorXd gradient = loss_gradient(kind, prediction, y);
  // l(z) + l*(g) = z . g exactly when g is a (sub)gradient at z.
  EXPECT_NEAR(loss_value(kind, prediction, y) + loss_conjugate(kind, gradient, y),
              prediction.dot(gradient), 1e-9);
  // And >= for any other point in the domain (Fenchel-Young inequality).
  const Eigen::VectorXd other = 0.5 * gradient;
  EXPECT_GE(loss_value(kind, prediction, y) + loss_conjugate(kind, other, y),
            prediction.dot(other) - 1e-12);
}

INSTANTIATE_TEST_SUITE_P(AllLosses, LossTest,
                         ::testing::Values(LossKind::kSquared, LossKind::kHinge, LossKind::kLogistic));

TEST(Loss, NamesRoundTripAndUnknownNameIsAnError) {
  for (LossKind kind : {LossKind::kSquared, LossKind::kHinge, LossKind::kLogistic}) {
    EXPECT_EQ(loss_from_string(to_string(kind)), kind);
  }
  EXPECT_THROW(loss_from_string("cross-entropy"), std::exception);
}

TEST(Loss, ConjugateIsInfiniteOutsideDomain) {
  Eigen::VectorXd y = Eigen::VectorXd::Ones(2);
  Eigen::VectorXd lambda(2);
  lambda << 0.5, -0.5;  // y * lambda > 0 for the first sample
  EXPECT_TRUE(std::isinf(loss_conjugate(LossKind::kHinge, lambda, y)));
  EXPECT_TRUE(std::isinf(loss_conjugate(LossKind::kLogistic, lambda, y)));
}

}  // namespace
}  // namespace convexnn
