// FGSM, PGD and the local robustness check (science.md 6.3) against closed forms and brute force.
#include <gtest/gtest.h>

#include <cmath>

#include "convexnn/adversarial_attacks.h"
#include "convexnn/errors.h"
#include "convexnn/local_robustness.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

TwoLayerNetwork random_network(Rng& rng, int width, int dim) {
  TwoLayerNetwork network;
  network.first_weights = Eigen::MatrixXd::NullaryExpr(width, dim, [&] { return rng.normal(); });
  network.first_bias = Eigen::VectorXd::NullaryExpr(width, [&] { return 0.5 * rng.normal(); });
  network.second_weights = Eigen::VectorXd::NullaryExpr(width, [&] { return rng.normal(); });
  network.second_bias = 0.1 * rng.normal();
  return network;
}

// One neuron that is active on all of [-1, 1]^2 (bias 10 dominates): f(x) = a (w . x + b) + c.
TwoLayerNetwork linear_network() {
  TwoLayerNetwork network;
  network.first_weights.resize(1, 2);
  network.first_weights << 0.7, -1.3;
  network.first_bias = Eigen::VectorXd::Constant(1, 10.0);
  network.second_weights = Eigen::VectorXd::Constant(1, -0.4);
  network.second_bias = 3.9;
  return network;
}

TEST(AdversarialAttacks, FgsmAndPgdMatchTheClosedFormInALinearRegion) {
  const TwoLayerNetwork network = linear_network();
  const Eigen::Vector2d q(-0.4 * 0.7, -0.4 * -1.3);  // gradient of f
  Eigen::MatrixXd X(3, 2);
  X << 0.1, 0.2, -0.5, 0.3, 0.8, -0.9;
  const Eigen::Vector3d y(1.0, -1.0, 1.0);
  AttackOptions options;
  options.epsilon = 0.05;
  options.steps = 7;
  for (AttackMethod method : {AttackMethod::kFgsm, AttackMethod::kPgd}) {
    const Eigen::MatrixXd adversarial = run_attack(method, network, X, y, options);
    for (Eigen::Index k = 0; k < X.rows(); ++k) {
      // The margin -y f decreases fastest along -y sign(q): the corner x - eps y sign(q).
      const Eigen::Vector2d expected =
          X.row(k).transpose() - options.epsilon * y[k] * q.cwiseSign();
      EXPECT_LT((adversarial.row(k).transpose() - expected).cwiseAbs().maxCoeff(), 1e-12)
          << to_string(method) << " sample " << k;
      const double f = network.predict(adversarial.row(k))[0];
      const double f0 = network.predict(X.row(k))[0];
      EXPECT_NEAR(f, f0 - y[k] * options.epsilon * q.lpNorm<1>(), 1e-12);
    }
  }
  // The squared loss grows with |f - y|: the attack moves f in the direction of sign(f - y).
  options.objective = AttackObjective::kLoss;
  options.loss = LossKind::kSquared;
  const Eigen::MatrixXd adversarial = fgsm_attack(network, X, y, options);
  for (Eigen::Index k = 0; k < X.rows(); ++k) {
    const double residual = network.predict(X.row(k))[0] - y[k];
    const Eigen::Vector2d expected =
        X.row(k).transpose() + options.epsilon * (residual > 0 ? 1.0 : -1.0) * q.cwiseSign();
    EXPECT_LT((adversarial.row(k).transpose() - expected).cwiseAbs().maxCoeff(), 1e-12);
  }
}

TEST(AdversarialAttacks, StandardizationIsFoldedIntoTheRawInputUnits) {
  // A standardized network and the same function written on raw inputs are attacked identically.
  Rng rng(3);
  TwoLayerNetwork standardized = random_network(rng, 5, 2);
  Standardization z;
  z.mean = Eigen::RowVector2d(0.3, -2.0);
  z.scale = Eigen::RowVector2d(0.5, 4.0);
  standardized.standardization = z;
  TwoLayerNetwork raw = standardized;
  raw.standardization.reset();
  const RawFirstLayer layer = raw_first_layer(standardized);
  raw.first_weights = layer.weights;
  raw.first_bias = layer.bias;
  const Eigen::MatrixXd X = Eigen::MatrixXd::NullaryExpr(20, 2, [&] { return rng.normal(); });
  const Eigen::VectorXd y =
      Eigen::VectorXd::NullaryExpr(20, [&] { return rng.uniform() < 0.5 ? -1.0 : 1.0; });
  EXPECT_LT((raw.predict(X) - standardized.predict(X)).cwiseAbs().maxCoeff(), 1e-12);
  AttackOptions options;
  options.epsilon = 0.2;
  options.random_start = true;
  EXPECT_LT((pgd_attack(raw, X, y, options) - pgd_attack(standardized, X, y, options))
                .cwiseAbs()
                .maxCoeff(),
            1e-12);
  // Epsilon is in raw units: every perturbation stays within 0.2 in every raw coordinate.
  EXPECT_LE((pgd_attack(standardized, X, y, options) - X).cwiseAbs().maxCoeff(), 0.2 + 1e-15);
}

TEST(AdversarialAttacks, PgdStaysInTheBallAndTheBoxAndNeverLosesToItsStart) {
  Rng rng(5);
  const TwoLayerNetwork network = random_network(rng, 8, 3);
  const Eigen::MatrixXd X = Eigen::MatrixXd::NullaryExpr(40, 3, [&] { return rng.uniform(); });
  const Eigen::VectorXd y =
      Eigen::VectorXd::NullaryExpr(40, [&] { return rng.uniform() < 0.5 ? -1.0 : 1.0; });
  AttackOptions options;
  options.epsilon = 0.1;
  options.steps = 20;
  options.box = InputBox{0.0, 1.0};
  for (bool random_start : {false, true}) {
    options.random_start = random_start;
    const Eigen::MatrixXd adversarial = pgd_attack(network, X, y, options);
    EXPECT_LE((adversarial - X).cwiseAbs().maxCoeff(), options.epsilon + 1e-15);
    EXPECT_GE(adversarial.minCoeff(), 0.0);
    EXPECT_LE(adversarial.maxCoeff(), 1.0);
    if (!random_start) {
      for (Eigen::Index k = 0; k < X.rows(); ++k) {
        EXPECT_GE(attack_objective_value(network, adversarial.row(k).transpose(), y[k], options),
                  attack_objective_value(network, X.row(k).transpose(), y[k], options));
      }
    }
  }
  // The random start is reproducible from the seed and depends on it.
  options.random_start = true;
  options.steps = 1;
  options.step_size = 1e-9;
  const Eigen::MatrixXd first = pgd_attack(network, X, y, options);
  EXPECT_EQ(first, pgd_attack(network, X, y, options));
  options.seed = 2;
  EXPECT_NE(first, pgd_attack(network, X, y, options));
}

// Minimum of y f over a (2k+1)^2 grid on the ball around x (corners included).
double grid_worst_margin(const TwoLayerNetwork& network, const Eigen::Vector2d& x, double label,
                         double epsilon, int half_steps, double* min_output, double* max_output) {
  Eigen::MatrixXd points((2 * half_steps + 1) * (2 * half_steps + 1), 2);
  Eigen::Index row = 0;
  for (int i = -half_steps; i <= half_steps; ++i) {
    for (int j = -half_steps; j <= half_steps; ++j) {
      points.row(row++) = (x + epsilon * Eigen::Vector2d(i, j) / half_steps).transpose();
    }
  }
  const Eigen::VectorXd outputs = network.predict(points);
  *min_output = outputs.minCoeff();
  *max_output = outputs.maxCoeff();
  return (label * outputs).minCoeff();
}

TEST(LocalRobustness, AgreesWithBruteForceGridSearch) {
  Rng rng(17);
  int stable_count = 0;
  int certified_count = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const TwoLayerNetwork network = random_network(rng, 3, 2);
    const Eigen::Vector2d x(rng.uniform(-1, 1), rng.uniform(-1, 1));
    const double label = rng.uniform() < 0.5 ? -1.0 : 1.0;
    const double epsilon = rng.uniform(0.01, 0.3);
    double low = 0.0, high = 0.0;
    const double grid_margin = grid_worst_margin(network, x, label, epsilon, 40, &low, &high);
    const LocalRobustness check =
        check_local_robustness(network, raw_first_layer(network), x, label, epsilon);
    // Always sound.
    EXPECT_LE(check.output_lower, low + 1e-12);
    EXPECT_GE(check.output_upper, high - 1e-12);
    if (check.certified) {
      ++certified_count;
      EXPECT_GT(grid_margin, 0.0);
    }
    if (check.stable) {
      // f is affine on the ball: the extremes are at corners, which the grid contains.
      ++stable_count;
      EXPECT_NEAR(check.output_lower, low, 1e-12);
      EXPECT_NEAR(check.output_upper, high, 1e-12);
      EXPECT_NEAR(check.worst_margin, grid_margin, 1e-12);
      EXPECT_EQ(check.certified, grid_margin > 0);
    }
  }
  // The trials exercise both branches.
  EXPECT_GT(stable_count, 50);
  EXPECT_LT(stable_count, 300);
  EXPECT_GT(certified_count, 20);
}

TEST(LocalRobustness, WorstCaseLossIsAttainedAtACornerForStableSamples) {
  Rng rng(23);
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const TwoLayerNetwork network = random_network(rng, 4, 2);
    const Eigen::Vector2d x(rng.uniform(-1, 1), rng.uniform(-1, 1));
    const double label = rng.uniform() < 0.5 ? -1.0 : 1.0;
    const double epsilon = 0.05;
    const LocalRobustness check =
        check_local_robustness(network, raw_first_layer(network), x, label, epsilon);
    if (!check.stable) continue;
    ++checked;
    for (LossKind loss : {LossKind::kSquared, LossKind::kHinge, LossKind::kLogistic}) {
      double corner_worst = -INFINITY;
      for (double s1 : {-1.0, 1.0}) {
        for (double s2 : {-1.0, 1.0}) {
          const Eigen::RowVector2d corner = (x + epsilon * Eigen::Vector2d(s1, s2)).transpose();
          corner_worst = std::max(corner_worst, loss_value(loss, network.predict(corner),
                                                           Eigen::VectorXd::Constant(1, label)));
        }
      }
      EXPECT_NEAR(worst_case_loss_bound(loss, check, label), corner_worst,
                  1e-12 * std::max(1.0, corner_worst))
          << to_string(loss);
    }
  }
  EXPECT_GT(checked, 50);
}

TEST(AdversarialAttacks, MetricsAreOrderedAndOptionsAreValidated) {
  Rng rng(29);
  const TwoLayerNetwork network = random_network(rng, 6, 2);
  const Eigen::MatrixXd X =
      Eigen::MatrixXd::NullaryExpr(100, 2, [&] { return rng.uniform(-1, 1); });
  const Eigen::VectorXd y =
      network.predict(X).unaryExpr([](double f) { return f >= 0 ? 1.0 : -1.0; });
  AttackOptions options;
  options.epsilon = 0.1;
  options.steps = 20;
  const RobustnessMetrics metrics = evaluate_robustness(network, X, y, options);
  EXPECT_EQ(metrics.clean_accuracy, 1.0);
  // A certified sample cannot be broken by any attack.
  EXPECT_LE(metrics.certified_accuracy, metrics.pgd_accuracy);
  EXPECT_LE(metrics.certified_accuracy, metrics.fgsm_accuracy);
  EXPECT_LT(metrics.pgd_accuracy,
            1.0);  // labels from the network itself: points near the boundary fall

  AttackOptions bad;
  bad.epsilon = -1;
  EXPECT_NE(bad.validate().find("epsilon"), std::string::npos);
  bad = AttackOptions{};
  bad.steps = 0;
  EXPECT_NE(bad.validate().find("steps"), std::string::npos);
  bad = AttackOptions{};
  bad.box = InputBox{1.0, 0.0};
  EXPECT_NE(bad.validate().find("box"), std::string::npos);
  EXPECT_THROW(pgd_attack(network, X, y, bad), InputError);
  EXPECT_THROW(fgsm_attack(network, Eigen::MatrixXd::Zero(3, 5), Eigen::VectorXd::Ones(3), options),
               InputError);
  EXPECT_THROW(attack_method_from_string("cw"), InputError);
}

}  // namespace
}  // namespace convexnn
