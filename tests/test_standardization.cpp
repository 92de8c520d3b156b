// z-score standardization fitted on training data.
#include <gtest/gtest.h>

#include "convexnn/errors.h"
#include "convexnn/standardization.h"

namespace convexnn {
namespace {

TEST(StandardizationFit, UsesMeanAndPopulationDeviation) {
  Eigen::MatrixXd X(4, 2);
  X << 1, 10,  //
      2, 20,   //
      3, 30,   //
      6, 60;
  const Standardization z = Standardization::fit(X);
  EXPECT_EQ(z.mean, Eigen::RowVector2d(3, 30));
  // Population variance of (1, 2, 3, 6): (4 + 1 + 0 + 9) / 4 = 3.5 (the sample variance would be
  // 14 / 3).
  EXPECT_DOUBLE_EQ(z.scale[0], std::sqrt(3.5));
  EXPECT_DOUBLE_EQ(z.scale[1], 10.0 * std::sqrt(3.5));
}

TEST(StandardizationFit, TransformedTrainingDataHasZeroMeanAndUnitVariance) {
  Eigen::MatrixXd X(5, 3);
  X << 0.5, -3, 1e4,  //
      1.5, 7, 2e4,    //
      -2, 1, 3e4,     //
      4, 2, 1.5e4,    //
      0, -1, 1e4;
  const Eigen::MatrixXd Z = Standardization::fit(X).apply(X);
  for (Eigen::Index j = 0; j < 3; ++j) {
    EXPECT_NEAR(Z.col(j).mean(), 0.0, 1e-12) << "column " << j;
    EXPECT_NEAR(Z.col(j).squaredNorm() / 5.0, 1.0, 1e-12) << "column " << j;
  }
}

TEST(StandardizationFit, ConstantColumnsKeepScaleOne) {
  Eigen::MatrixXd X(3, 2);
  X << 1, 5,  //
      2, 5,   //
      4, 5;
  const Standardization z = Standardization::fit(X);
  EXPECT_EQ(z.scale[1], 1.0);
  EXPECT_EQ(z.mean[1], 5.0);
  const Eigen::MatrixXd Z = z.apply(X);
  EXPECT_EQ(Z.col(1), Eigen::Vector3d::Zero());  // centred, not blown up
  // Variation far below the 1e-12 threshold counts as constant too.
  X(0, 1) = 5.0 + 1e-14;
  EXPECT_EQ(Standardization::fit(X).scale[1], 1.0);
}

TEST(StandardizationApply, UsesTheFittedParametersOnNewData) {
  Standardization z;
  z.mean = Eigen::RowVector2d(1.0, -2.0);
  z.scale = Eigen::RowVector2d(2.0, 0.5);
  Eigen::MatrixXd X(2, 2);
  X << 3, -2,  //
      1, 0;
  Eigen::MatrixXd expected(2, 2);
  expected << 1, 0,  //
      0, 4;
  EXPECT_EQ(z.apply(X), expected);
}

TEST(StandardizationApply, RejectsAMismatchedFeatureCount) {
  const Standardization z = Standardization::fit(Eigen::MatrixXd::Random(4, 3));
  try {
    z.apply(Eigen::MatrixXd::Zero(2, 2));
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()),
              "standardization was fitted on 3 features but the data has 2");
  }
}

TEST(StandardizationFit, EmptyDataGivesTheIdentity) {
  const Standardization z = Standardization::fit(Eigen::MatrixXd(0, 2));
  EXPECT_EQ(z.mean, Eigen::RowVector2d::Zero());
  EXPECT_EQ(z.scale, Eigen::RowVector2d::Ones());
}

}  // namespace
}  // namespace convexnn
