// Leaky ReLU and absolute value in the convex program (science.md 8.1): F = [S_1 X, ..., -S_P X]
// checked by brute force, the u-update system against its definition, the solver against the
// ReLU program (kappa = 0) and an interior-point reference, and the invariants L <= U and
// "recovered network objective = convex objective".
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>

#include "convexnn/admm_solver.h"
#include "convexnn/adversarial_attacks.h"
#include "convexnn/block_linear_system.h"
#include "convexnn/box_output_range.h"
#include "convexnn/cone_projection.h"
#include "convexnn/errors.h"
#include "convexnn/local_robustness.h"
#include "convexnn/model_json.h"
#include "convexnn/network_gradient.h"
#include "convexnn/network_recovery.h"
#include "convexnn/nonconvex_training.h"
#include "convexnn/random.h"
#include "convexnn/robust_problem.h"
#include "convexnn/training.h"
#include "reference_data.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

Eigen::MatrixXd random_matrix(Eigen::Index rows, Eigen::Index cols, Rng& rng) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < cols; ++c) m(r, c) = rng.normal();
  }
  return m;
}

PreparedProblem exact_problem(int n, std::uint64_t seed, const Activation& activation,
                              LossKind loss = LossKind::kSquared, double beta = 0.1) {
  TrainingConfig config = testing::exact_config(loss, beta);
  config.activation = activation;
  return prepare_problem(testing::random_xor(n, seed), nullptr, config);
}

std::string activation_label(const Activation& activation) { return activation.formula(); }

class PiecewiseLinear : public ::testing::TestWithParam<Activation> {};

// F u by its definition, one sample and one pattern at a time: sum_i s_i(k) x_k . (v_i - w_i).
TEST_P(PiecewiseLinear, PredictionMatchesBruteForceDefinition) {
  const Activation activation = GetParam();
  const PreparedProblem prepared = exact_problem(9, 3, activation);
  const ConvexProblem& problem = prepared.problem;
  Rng rng(11);
  const Eigen::MatrixXd blocks = random_matrix(problem.dim(), problem.num_blocks(), rng);
  const Eigen::Index P = problem.num_patterns();
  const Eigen::VectorXd fast = problem.predict(blocks);
  for (Eigen::Index k = 0; k < problem.num_samples(); ++k) {
    double expected = 0.0;
    for (Eigen::Index i = 0; i < P; ++i) {
      const bool on = problem.patterns.masks(k, i) > 0.5;
      double s = on ? 1.0 : 0.0;
      if (activation.kind == ActivationKind::kLeakyRelu) s = on ? 1.0 : activation.leaky_slope;
      if (activation.kind == ActivationKind::kAbsolute) s = on ? 1.0 : -1.0;
      expected += s * problem.X.row(k).dot(blocks.col(i) - blocks.col(P + i));
    }
    EXPECT_NEAR(fast[k], expected, 1e-10 * (1.0 + std::abs(expected))) << "sample " << k;
  }
  // The adjoint: <F u, r> = <u, F^T r>.
  Eigen::VectorXd r(problem.num_samples());
  for (Eigen::Index k = 0; k < r.size(); ++k) r[k] = rng.normal();
  const double left = fast.dot(r);
  const double right = (blocks.array() * problem.predict_adjoint(r).array()).sum();
  EXPECT_NEAR(left, right, 1e-9 * (1.0 + std::abs(left)));
}

// On the cones, F u is the network itself: sum_i sigma(X v_i) - sigma(X w_i), and the network
// recovered from the blocks (with its activation) predicts the same on the raw inputs.
TEST_P(PiecewiseLinear, ConeFeasibleBlocksPredictLikeTheNetworkDefinition) {
  const Activation activation = GetParam();
  const Dataset data = testing::random_xor(9, 3);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
  config.activation = activation;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  const ConvexProblem& problem = prepared.problem;
  Rng rng(5);
  const Eigen::MatrixXd feasible =
      project_onto_cones(problem, random_matrix(problem.dim(), problem.num_blocks(), rng));
  ASSERT_LE(problem.max_cone_violation(feasible), 1e-9);
  const Eigen::VectorXd convex = problem.predict(feasible);
  const Eigen::VectorXd by_definition = recovered_network_prediction(problem, feasible);
  EXPECT_LE((convex - by_definition).lpNorm<Eigen::Infinity>(), 1e-8 * (1.0 + convex.norm()));
  const TwoLayerNetwork network = recover_network(problem, feasible, 0.0);
  EXPECT_EQ(network.activation, activation);
  const Eigen::VectorXd from_network = network.predict(data.X);
  EXPECT_LE((convex - from_network).lpNorm<Eigen::Infinity>(), 1e-8 * (1.0 + convex.norm()));
}

// Both factorizations of (I (x) (I + X^T X) + c F^T F) solve the system they claim to.
TEST_P(PiecewiseLinear, UpdateSystemSolvesItsDefinitionInBothForms) {
  const PreparedProblem prepared = exact_problem(7, 8, GetParam());
  const ConvexProblem& problem = prepared.problem;
  Rng rng(2);
  const Eigen::MatrixXd rhs = random_matrix(problem.dim(), problem.num_blocks(), rng);
  const double c = 0.7;
  for (const LinearSolverKind kind : {LinearSolverKind::kWoodbury, LinearSolverKind::kDirect}) {
    BlockLinearSystem system(problem, kind);
    ASSERT_TRUE(system.factorize(c));
    const Eigen::MatrixXd u = system.solve(rhs);
    const Eigen::MatrixXd shifted =
        Eigen::MatrixXd::Identity(problem.dim(), problem.dim()) + problem.X.transpose() * problem.X;
    const Eigen::MatrixXd applied = shifted * u + c * problem.predict_adjoint(problem.predict(u));
    EXPECT_LE((applied - rhs).norm(), 1e-8 * rhs.norm()) << to_string(kind);
  }
}

// Exact patterns on small 2-D sets: the certificate closes the gap; L <= U; the recovered
// network's objective equals the convex objective at the solution.
TEST_P(PiecewiseLinear, ExactCertificateConvergesAndNetworkObjectiveMatches) {
  const Activation activation = GetParam();
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const Dataset data = testing::random_xor(10, 17);
    TrainingConfig config = testing::exact_config(loss, 0.05, 1e-6);
    config.activation = activation;
    const PreparedProblem prepared = prepare_problem(data, nullptr, config);
    const TrainingResult result = train_network(prepared, config);
    const SolverSummary& s = result.summary;
    SCOPED_TRACE(activation_label(activation) + " " + to_string(loss));
    EXPECT_EQ(s.status, SolverStatus::kConverged) << s.message;
    EXPECT_LE(s.lower_bound, s.network_objective + 1e-12);
    EXPECT_LE(s.relative_gap, 1e-6);
    const ConvexProblem& problem = prepared.problem;
    const double convex = problem.objective(result.solution.blocks);
    const double network = result.network.objective(problem.X.leftCols(2), problem.y, loss, 0.05);
    EXPECT_NEAR(network, convex, 1e-8 * std::max(1.0, convex));
    EXPECT_NEAR(s.network_objective, convex, 1e-8 * std::max(1.0, convex));
    EXPECT_EQ(result.network.activation, activation);
  }
}

INSTANTIATE_TEST_SUITE_P(Activations, PiecewiseLinear,
                         ::testing::Values(Activation::leaky_relu(0.2), Activation::absolute()),
                         [](const auto& test_info) {
                           return test_info.param.kind == ActivationKind::kAbsolute ? "Abs"
                                                                                    : "Leaky";
                         });

// kappa = 0 gives S_i = D_i: the same program, the same iterates, the same optimum.
TEST(PiecewiseLinearActivation, LeakySlopeZeroEqualsRelu) {
  for (const LossKind loss : {LossKind::kSquared, LossKind::kHinge}) {
    const PreparedProblem relu = exact_problem(10, 4, Activation::relu(), loss);
    const PreparedProblem leaky = exact_problem(10, 4, Activation::leaky_relu(0.0), loss);
    ASSERT_EQ(relu.problem.activation_diagonals(), leaky.problem.activation_diagonals());
    TrainingConfig config = testing::exact_config(loss, 0.1);
    const TrainingResult a = train_network(relu, config);
    config.activation = Activation::leaky_relu(0.0);
    const TrainingResult b = train_network(leaky, config);
    EXPECT_EQ(a.summary.status, SolverStatus::kConverged);
    EXPECT_NEAR(a.summary.network_objective, b.summary.network_objective, 1e-12);
    EXPECT_NEAR(a.summary.lower_bound, b.summary.lower_bound, 1e-12);
    EXPECT_LE((a.solution.blocks - b.solution.blocks).lpNorm<Eigen::Infinity>(), 1e-10);
  }
}

// Absolute value: exactly one pattern of each complementary pair survives, none is lost.
TEST(PiecewiseLinearActivation, AbsKeepsOnePatternPerComplementaryPair) {
  const PreparedProblem relu = exact_problem(12, 6, Activation::relu());
  const PreparedProblem abs = exact_problem(12, 6, Activation::absolute());
  const Eigen::Index full = relu.problem.num_patterns();
  // All n-point patterns come in complementary pairs except the all-ones one (its complement,
  // zero, is dropped).
  EXPECT_EQ(abs.problem.num_patterns(), (full + 1) / 2);
  std::set<std::string> kept;
  const auto key = [](const Eigen::VectorXd& mask, bool flip) {
    std::string text;
    for (Eigen::Index k = 0; k < mask.size(); ++k) text += ((mask[k] > 0.5) != flip) ? '1' : '0';
    return text;
  };
  for (Eigen::Index i = 0; i < abs.problem.num_patterns(); ++i) {
    kept.insert(key(abs.problem.patterns.masks.col(i), false));
  }
  for (Eigen::Index i = 0; i < abs.problem.num_patterns(); ++i) {
    EXPECT_EQ(kept.count(key(abs.problem.patterns.masks.col(i), true)), 0u);
  }
  // Every ReLU pattern is kept or has its complement kept.
  for (Eigen::Index i = 0; i < full; ++i) {
    const Eigen::VectorXd mask = relu.problem.patterns.masks.col(i);
    EXPECT_TRUE(kept.count(key(mask, false)) + kept.count(key(mask, true)) == 1);
  }
}

// Dropping complementary patterns loses nothing for |t|: the optimum over all patterns is the same.
TEST(PiecewiseLinearActivation, AbsOptimumUnchangedByDroppingComplements) {
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const PreparedProblem halved = exact_problem(8, 13, Activation::absolute(), loss);
    ConvexProblem full = exact_problem(8, 13, Activation::relu(), loss).problem;
    full.activation = Activation::absolute();
    full.finalize();
    ASSERT_GT(full.num_patterns(), halved.problem.num_patterns());
    AdmmOptions options;
    options.relative_gap_tolerance = 1e-8;
    AdmmSolution a, b;
    const SolverSummary on_halved = solve_admm(halved.problem, options, &a);
    const SolverSummary on_full = solve_admm(full, options, &b);
    ASSERT_EQ(on_halved.status, SolverStatus::kConverged);
    ASSERT_EQ(on_full.status, SolverStatus::kConverged);
    EXPECT_NEAR(on_halved.network_objective, on_full.network_objective,
                2e-8 * std::max(1.0, on_full.network_objective));
  }
}

// The interior-point optima of tests/data/reference/activations8.json (make_reference.py).
TEST(PiecewiseLinearActivation, AdmmBoundsEncloseInteriorPointOptimum) {
  const nlohmann::json reference = testing::load_reference("activations8");
  ASSERT_EQ(reference.at("activation_definitions").at("abs"), "S_i = 2 D_i - I");
  ASSERT_EQ(reference.at("activation_definitions").at("leaky-relu"),
            "S_i = slope I + (1 - slope) D_i");
  const ConvexProblem base = testing::exact_reference_problem(reference);
  ASSERT_EQ(base.num_patterns(), reference.at("pattern_count").get<Eigen::Index>());
  for (const nlohmann::json& stored : reference.at("solutions")) {
    ConvexProblem problem = base;
    const std::string name = stored.at("activation");
    problem.activation.kind = parse_activation_kind(name);
    problem.activation.leaky_slope = stored.at("slope");
    if (problem.activation.kind == ActivationKind::kAbsolute) {
      problem.patterns = drop_complementary_patterns(problem.patterns);
    }
    problem.loss = loss_from_string(stored.at("loss"));
    problem.beta = stored.at("beta");
    problem.finalize();
    SCOPED_TRACE(name + " " + to_string(problem.loss));
    ASSERT_EQ(problem.num_patterns(), stored.at("pattern_count").get<Eigen::Index>());
    const double optimum = stored.at("optimum");
    AdmmOptions options;
    options.relative_gap_tolerance = 1e-7;
    options.max_iterations = 5000;
    AdmmSolution solution;
    const SolverSummary summary = solve_admm(problem, options, &solution);
    EXPECT_EQ(summary.status, SolverStatus::kConverged)
        << summary.message << " gap " << summary.relative_gap << " U " << summary.network_objective
        << " L " << summary.lower_bound << " p* " << optimum;
    const double scale = std::max(1.0, std::abs(optimum));
    EXPECT_LE(summary.lower_bound, optimum + 1e-8 * scale);
    EXPECT_GE(summary.network_objective, optimum - 1e-8 * scale);
    EXPECT_NEAR(summary.network_objective, optimum, 1e-7 * scale);
    if (stored.at("prediction_unique").get<bool>()) {
      const Eigen::VectorXd expected = testing::vector_from(stored.at("prediction"));
      EXPECT_LE((problem.predict(solution.blocks) - expected).lpNorm<Eigen::Infinity>(), 1e-4);
    }
  }
}

// Back-propagation on the configured activation: the gradient is that of the objective (central
// differences away from kinks) and no run ends below the exact program's lower bound.
TEST(PiecewiseLinearActivation, NonconvexBaselineTrainsTheSameActivation) {
  for (const Activation activation : {Activation::leaky_relu(0.3), Activation::absolute()}) {
    SCOPED_TRACE(activation_label(activation));
    const PreparedProblem prepared = exact_problem(10, 9, activation);
    const ConvexProblem& problem = prepared.problem;
    Rng rng(4);
    ReluNetworkParameters parameters{random_matrix(5, 3, rng), random_matrix(5, 1, rng).col(0),
                                     activation};
    const ReluNetworkParameters gradient =
        objective_gradient(parameters, problem.X, problem.y, problem.loss, 1.0, problem.beta);
    const auto objective = [&](const ReluNetworkParameters& p) {
      return to_network(p, std::nullopt)
          .objective(problem.X.leftCols(2), problem.y, problem.loss, problem.beta);
    };
    const double h = 1e-6;
    for (Eigen::Index j = 0; j < 5; ++j) {
      for (Eigen::Index c = 0; c < 3; ++c) {
        ReluNetworkParameters plus = parameters, minus = parameters;
        plus.hidden(j, c) += h;
        minus.hidden(j, c) -= h;
        EXPECT_NEAR((objective(plus) - objective(minus)) / (2 * h), gradient.hidden(j, c), 1e-5);
      }
    }

    NonconvexOptions options;
    options.epochs = 300;
    options.width = 20;
    const NonconvexResult run = train_nonconvex(prepared, options);
    EXPECT_EQ(run.network.activation, activation);
    EXPECT_NEAR(run.objective,
                run.network.objective(problem.X.leftCols(2), problem.y, problem.loss, problem.beta),
                1e-9 * run.objective);
    TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
    config.activation = activation;
    const TrainingResult convex = train_network(prepared, config);
    ASSERT_EQ(convex.summary.status, SolverStatus::kConverged);
    EXPECT_GE(run.objective, convex.summary.lower_bound * (1.0 - 1e-9));
  }
}

TEST(PiecewiseLinearActivation, UnsupportedUsesAreRejectedByName) {
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
  // quadratic trains the semidefinite program (test_semidefinite_training.cpp), but not robustly.
  config.activation = Activation::quadratic();
  config.epsilon = 0.1;
  EXPECT_NE(config.validate().find("quadratic"), std::string::npos);
  config.epsilon = 0.0;
  config.activation = Activation::leaky_relu(1.5);
  EXPECT_NE(config.validate().find("activation.leaky_slope"), std::string::npos);
  config.activation = Activation::absolute();
  config.epsilon = 0.1;
  EXPECT_NE(config.validate().find("abs"), std::string::npos);
  // A problem assembled by hand is checked when it is finalized, and by the robust program.
  ConvexProblem problem = exact_problem(6, 1, Activation::relu()).problem;
  problem.activation = Activation::polynomial(1.0, 0.5, 0.0);
  EXPECT_THROW(problem.finalize(), InputError);
  problem.activation = Activation::leaky_relu(0.1);
  problem.finalize();
  EXPECT_THROW(RobustProblem(problem, 0.1), InputError);
  // Changing the activation without finalize() must not silently keep the old S_i.
  problem.activation = Activation::absolute();
  const Eigen::MatrixXd zero = Eigen::MatrixXd::Zero(problem.dim(), problem.num_blocks());
  EXPECT_THROW(problem.predict(zero), std::logic_error);
  problem.finalize();
  EXPECT_NO_THROW(problem.predict(zero));
  TwoLayerNetwork network;
  network.first_weights = Eigen::MatrixXd::Ones(1, 2);
  network.first_bias = Eigen::VectorXd::Zero(1);
  network.second_weights = Eigen::VectorXd::Ones(1);
  network.activation = Activation::quadratic();
  EXPECT_THROW(output_range_on_box_2d(network, Eigen::Vector2d(0, 0), 1.0), InputError);
  const Eigen::MatrixXd origin = Eigen::MatrixXd::Zero(1, 2);
  const Eigen::VectorXd label = Eigen::VectorXd::Ones(1);
  EXPECT_THROW(check_local_robustness(network, origin, label, 0.1), InputError);
}

// The robustness tools generalised to leaky ReLU and |t|: the box range is exact (a dense grid
// never leaves it and gets close to both ends) and the local bounds contain sampled outputs.
TEST(PiecewiseLinearActivation, RobustnessToolsHonourTheActivation) {
  for (const Activation activation : {Activation::leaky_relu(0.2), Activation::absolute()}) {
    SCOPED_TRACE(activation_label(activation));
    Rng rng(8);
    TwoLayerNetwork network;
    network.first_weights = random_matrix(6, 2, rng);
    network.first_bias = random_matrix(6, 1, rng).col(0);
    network.second_weights = random_matrix(6, 1, rng).col(0);
    network.second_bias = 0.3;
    network.activation = activation;
    const Eigen::Vector2d center(0.2, -0.1);
    const double radius = 0.5;
    const OutputRange range = output_range_on_box_2d(network, center, radius);
    const int steps = 200;
    Eigen::MatrixXd grid((steps + 1) * (steps + 1), 2);
    for (int a = 0; a <= steps; ++a) {
      for (int b = 0; b <= steps; ++b) {
        grid.row(a * (steps + 1) + b) << center(0) - radius + 2 * radius * a / steps,
            center(1) - radius + 2 * radius * b / steps;
      }
    }
    const Eigen::VectorXd values = network.predict(grid);
    EXPECT_GE(values.minCoeff(), range.min - 1e-9);
    EXPECT_LE(values.maxCoeff(), range.max + 1e-9);
    EXPECT_LE(values.minCoeff() - range.min, 0.05 * (range.max - range.min));
    EXPECT_LE(range.max - values.maxCoeff(), 0.05 * (range.max - range.min));

    const Eigen::VectorXd point = center;
    const LocalRobustness local =
        check_local_robustness(network, raw_first_layer(network), point, 1.0, radius);
    EXPECT_NEAR(local.output, network.predict(center.transpose())[0], 1e-12);
    EXPECT_LE(local.output_lower, range.min + 1e-9);
    EXPECT_GE(local.output_upper, range.max - 1e-9);
  }
}

// FGSM steps along sign(-y grad f) of the network's own activation: compared with central
// differences of f (away from kinks) for leaky ReLU and |t|.
TEST(PiecewiseLinearActivation, FgsmFollowsTheActivationsGradient) {
  for (const Activation activation : {Activation::leaky_relu(0.3), Activation::absolute()}) {
    SCOPED_TRACE(activation_label(activation));
    Rng rng(12);
    TwoLayerNetwork network;
    network.first_weights = random_matrix(5, 2, rng);
    network.first_bias = random_matrix(5, 1, rng).col(0);
    network.second_weights = random_matrix(5, 1, rng).col(0);
    network.activation = activation;
    const Eigen::MatrixXd X = random_matrix(20, 2, rng);
    const Eigen::VectorXd y = Eigen::VectorXd::Ones(20);
    AttackOptions options;
    options.epsilon = 0.01;
    const Eigen::MatrixXd attacked = fgsm_attack(network, X, y, options);
    const double h = 1e-7;
    for (Eigen::Index k = 0; k < X.rows(); ++k) {
      for (Eigen::Index c = 0; c < 2; ++c) {
        Eigen::MatrixXd plus = X.row(k), minus = X.row(k);
        plus(0, c) += h;
        minus(0, c) -= h;
        const double slope = (network.predict(plus)[0] - network.predict(minus)[0]) / (2 * h);
        if (std::abs(slope) < 1e-4) continue;
        // Margin objective -y f: the step is -epsilon sign(df/dx) for y = +1.
        EXPECT_NEAR(attacked(k, c) - X(k, c), slope > 0 ? -0.01 : 0.01, 1e-12);
      }
    }
  }
}

// The training record names the activation; files written before it existed read as ReLU.
TEST(PiecewiseLinearActivation, TrainingRecordCarriesTheActivation) {
  Model model;
  model.network.first_weights = Eigen::MatrixXd::Ones(1, 2);
  model.network.first_bias = Eigen::VectorXd::Zero(1);
  model.network.second_weights = Eigen::VectorXd::Ones(1);
  model.network.activation = Activation::absolute();
  TrainingRecord record;
  record.activation = "abs";
  model.training = record;
  const Model loaded = model_from_json(model_to_json(model), "memory");
  ASSERT_TRUE(loaded.training.has_value());
  EXPECT_EQ(loaded.training->activation, "abs");
  EXPECT_EQ(loaded.network.activation, Activation::absolute());
  std::string text = model_to_json(model);
  const auto position = text.find("\"activation\": \"abs\"");
  ASSERT_NE(position, std::string::npos) << text;
  text.replace(position, std::string("\"activation\": \"abs\"").size(), "\"unused\": 0");
  EXPECT_EQ(model_from_json(text, "memory").training->activation, "relu");
}

}  // namespace
}  // namespace convexnn
