// Activation functions: values, derivatives (against central differences), validation.
#include <gtest/gtest.h>

#include "convexnn/activation.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

TEST(Activation, ValuesMatchTheirFormulas) {
  EXPECT_EQ(Activation::relu()(-2.0), 0.0);
  EXPECT_EQ(Activation::relu()(3.0), 3.0);
  EXPECT_DOUBLE_EQ(Activation::leaky_relu(0.1)(-2.0), -0.2);
  EXPECT_EQ(Activation::leaky_relu(0.1)(2.0), 2.0);
  EXPECT_EQ(Activation::absolute()(-2.5), 2.5);
  EXPECT_EQ(Activation::quadratic()(-3.0), 9.0);
  EXPECT_DOUBLE_EQ(Activation::polynomial(0.5, -1.0, 2.0)(2.0), 0.5 * 4 - 2 + 2);
}

TEST(Activation, ElementwiseAndDerivativeAgreeWithScalarForm) {
  const Eigen::MatrixXd t = Eigen::MatrixXd::Random(4, 5) * 3.0;
  const double h = 1e-6;
  for (const Activation& activation :
       {Activation::relu(), Activation::leaky_relu(0.3), Activation::absolute(),
        Activation::quadratic(), Activation::polynomial(0.09, 0.5, 0.47)}) {
    const Eigen::MatrixXd values = activation.apply(t);
    const Eigen::MatrixXd slopes = activation.derivative(t);
    for (Eigen::Index i = 0; i < t.size(); ++i) {
      EXPECT_EQ(values(i), activation(t(i))) << activation.name();
      const double numeric = (activation(t(i) + h) - activation(t(i) - h)) / (2 * h);
      EXPECT_NEAR(slopes(i), numeric, 1e-6) << activation.name() << " at " << t(i);
    }
  }
}

TEST(Activation, PiecewiseLinearOnesArePositivelyHomogeneous) {
  for (const Activation& activation :
       {Activation::relu(), Activation::leaky_relu(0.3), Activation::absolute()}) {
    EXPECT_TRUE(activation.positively_homogeneous());
    for (double t : {-2.0, -0.5, 0.0, 1.5}) {
      EXPECT_DOUBLE_EQ(activation(3.0 * t), 3.0 * activation(t)) << activation.name();
    }
  }
  EXPECT_FALSE(Activation::quadratic().positively_homogeneous());
  EXPECT_FALSE(Activation::polynomial(1, 1, 0).positively_homogeneous());
}

TEST(Activation, NamesRoundTripAndBadValuesAreNamed) {
  for (ActivationKind kind :
       {ActivationKind::kRelu, ActivationKind::kLeakyRelu, ActivationKind::kAbsolute,
        ActivationKind::kQuadratic, ActivationKind::kPolynomial}) {
    Activation activation;
    activation.kind = kind;
    EXPECT_EQ(parse_activation_kind(activation.name()), kind);
  }
  EXPECT_THROW(parse_activation_kind("tanh"), InputError);
  EXPECT_NE(Activation::leaky_relu(1.0).validate().find("activation.leaky_slope"),
            std::string::npos);
  EXPECT_NE(Activation::leaky_relu(-0.1).validate().find("activation.leaky_slope"),
            std::string::npos);
  EXPECT_NE(Activation::polynomial(0, 0, 1).validate().find("activation.coefficients"),
            std::string::npos);
  EXPECT_TRUE(Activation::polynomial(0, 1, 0).validate().empty());
}

}  // namespace
}  // namespace convexnn
