// quadratic and poly2 in the one training pipeline (training.h): prepare_problem builds the
// semidefinite program (science.md 9), train_network solves it and fills TrainingResult, the
// training record and model file say what was solved. Cross-checked against the polynomial
// pipeline (polynomial_training.h) it dispatches to, and the invariants L <= U and
// network objective == summary objective.
#include <gtest/gtest.h>

#include <cmath>

#include "convexnn/errors.h"
#include "convexnn/generators.h"
#include "convexnn/model_json.h"
#include "convexnn/polynomial_training.h"
#include "convexnn/training.h"
#include "convexnn/training_record.h"

namespace convexnn {
namespace {

Dataset xor_data(int n) {
  GeneratorSettings settings;
  settings.name = "xor";
  settings.n = n;
  settings.seed = 5;
  return generate_dataset(settings);
}

TrainingConfig semidefinite_config(const Activation& activation) {
  TrainingConfig config;
  config.activation = activation;
  config.beta = 0.1;
  config.admm.relative_gap_tolerance = 1e-6;
  return config;
}

class SemidefiniteTraining : public ::testing::TestWithParam<Activation> {};

TEST_P(SemidefiniteTraining, TrainNetworkSolvesTheSdpLikeThePolynomialPipeline) {
  const Activation activation = GetParam();
  const Dataset data = xor_data(20);
  const TrainingConfig config = semidefinite_config(activation);
  ASSERT_EQ(config.validate(), "");
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  ASSERT_TRUE(prepared.semidefinite());
  // The convex-problem part holds the same data as the SDP, and no patterns.
  EXPECT_EQ(prepared.problem.num_patterns(), 0);
  EXPECT_EQ(prepared.problem.X, prepared.polynomial->problem.X);
  EXPECT_EQ(prepared.problem.activation, activation);
  EXPECT_EQ(prepared.polynomial->problem.activation, activation);

  const TrainingResult result = train_network(prepared, config);
  const SolverSummary& s = result.summary;
  ASSERT_EQ(s.status, SolverStatus::kConverged) << s.message;
  EXPECT_TRUE(s.semidefinite);
  EXPECT_TRUE(s.certifies_global_optimum());
  EXPECT_LE(s.lower_bound, s.network_objective);
  EXPECT_LE(s.relative_gap, config.admm.relative_gap_tolerance);
  EXPECT_EQ(result.solution.blocks.cols(), 0);
  EXPECT_GT(result.network.width(), 0);
  EXPECT_EQ(result.network.activation, activation);
  // U is the returned network's own objective (unit-norm neurons, l1 output penalty).
  const Eigen::MatrixXd Z = prepared.problem.X.leftCols(prepared.problem.dim() - 1);
  EXPECT_NEAR(result.network.objective(Z, data.y, config.loss, config.beta), s.network_objective,
              1e-9 * s.network_objective);

  // The same run through the polynomial pipeline: identical network (the solver is
  // deterministic), so the dispatch passes the settings through unchanged.
  const PolynomialTrainingConfig polynomial_config = polynomial_config_from(config, activation);
  const PolynomialTrainingResult direct =
      train_polynomial_network(data, nullptr, polynomial_config);
  EXPECT_EQ(direct.summary.iterations, s.iterations);
  EXPECT_EQ(direct.network.predict(data.X), result.network.predict(data.X));

  // The model file round-trips the activation (with coefficients) and the predictions.
  Model model;
  model.network = result.network;
  model.training = make_training_record(s, config);
  const Model loaded = model_from_json(model_to_json(model), "memory");
  EXPECT_EQ(loaded.network.activation, activation);
  const Eigen::VectorXd expected = result.network.predict(data.X);
  EXPECT_LE((loaded.network.predict(data.X) - expected).lpNorm<Eigen::Infinity>(),
            1e-12 * (1.0 + expected.lpNorm<Eigen::Infinity>()));
  ASSERT_TRUE(loaded.training.has_value());
  EXPECT_EQ(loaded.training->activation, activation.name());
  EXPECT_EQ(loaded.training->formulation, "semidefinite");
  EXPECT_EQ(loaded.training->patterns, 0);
  EXPECT_TRUE(loaded.training->certified_global_optimum);
  EXPECT_DOUBLE_EQ(loaded.training->lower_bound, s.lower_bound);
}

TEST_P(SemidefiniteTraining, WarmStartFromTheConvergedStateFinishesSooner) {
  const Dataset data = xor_data(16);
  const TrainingConfig config = semidefinite_config(GetParam());
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  const TrainingResult cold = train_network(prepared, config);
  ASSERT_EQ(cold.summary.status, SolverStatus::kConverged) << cold.summary.message;
  ASSERT_GT(cold.summary.iterations, 20);
  // An ADMM state is ignored by semidefinite runs; the polynomial state is used.
  const AdmmState unrelated;
  const TrainingResult warm =
      train_network(prepared, config, nullptr, {}, &unrelated, &cold.polynomial_solution.state);
  ASSERT_EQ(warm.summary.status, SolverStatus::kConverged) << warm.summary.message;
  EXPECT_LT(warm.summary.iterations, cold.summary.iterations / 2);
  EXPECT_LE(warm.summary.lower_bound, cold.summary.network_objective);
  EXPECT_LE(cold.summary.lower_bound, warm.summary.network_objective);
}

INSTANTIATE_TEST_SUITE_P(Activations, SemidefiniteTraining,
                         ::testing::Values(Activation::quadratic(),
                                           Activation::polynomial(0.09, 0.5, 0.47)),
                         [](const ::testing::TestParamInfo<Activation>& parameter) {
                           return parameter.param.name() == "poly2" ? std::string("poly2")
                                                                    : std::string("quadratic");
                         });

TEST(SemidefiniteTrainingConfig, RejectsWhatTheSdpCannotDoByFieldName) {
  TrainingConfig config = semidefinite_config(Activation::quadratic());
  EXPECT_EQ(config.validate(), "");
  config.epsilon = 0.1;
  EXPECT_NE(config.validate().find("epsilon"), std::string::npos) << config.validate();
  EXPECT_NE(config.validate().find("quadratic"), std::string::npos) << config.validate();
  config.epsilon = 0.0;
  for (SolverKind solver : {SolverKind::kAugmentedLagrangian, SolverKind::kGated}) {
    config.solver = solver;
    const std::string error = config.validate();
    EXPECT_NE(error.find("solver '" + std::string(to_string(solver)) + "'"), std::string::npos)
        << error;
  }
  config.solver = SolverKind::kAdmm;
  config.loss = LossKind::kHinge;
  EXPECT_NE(config.validate().find("hinge"), std::string::npos) << config.validate();
  config.loss = LossKind::kSquared;
  config.admm.max_iterations = 0;
  EXPECT_NE(config.validate().find("max_iterations"), std::string::npos) << config.validate();
  config.admm.max_iterations = 100;
  config.activation = Activation::polynomial(0.0, 0.0, 1.0);
  EXPECT_NE(config.validate().find("activation.coefficients"), std::string::npos);
  EXPECT_THROW(prepare_problem(xor_data(8), nullptr, config), InputError);
}

TEST(SemidefiniteTrainingConfig, PreparedProblemMustMatchTheActivationKind) {
  const Dataset data = xor_data(8);
  TrainingConfig relu = semidefinite_config(Activation::relu());
  const TrainingConfig quadratic = semidefinite_config(Activation::quadratic());
  const PreparedProblem sdp = prepare_problem(data, nullptr, quadratic);
  const PreparedProblem convex = prepare_problem(data, nullptr, relu);
  EXPECT_FALSE(convex.semidefinite());
  EXPECT_THROW(train_network(sdp, relu), InputError);
  EXPECT_THROW(train_network(convex, quadratic), InputError);
  // The pattern-free convex part fails loudly if used as a C-sigma program.
  EXPECT_ANY_THROW(sdp.problem.predict(Eigen::MatrixXd::Zero(sdp.problem.dim(), 0)));
}

TEST(SemidefiniteTrainingConfig, TestSetIsPreparedLikeTheTrainingData) {
  const Dataset train = xor_data(16);
  GeneratorSettings settings;
  settings.name = "xor";
  settings.n = 10;
  settings.seed = 9;
  const Dataset test = generate_dataset(settings);
  TrainingConfig config = semidefinite_config(Activation::polynomial(0.2, 0.5, 0.1));
  config.standardize = true;
  const PreparedProblem prepared = prepare_problem(train, &test, config);
  ASSERT_TRUE(prepared.test_set.has_value());
  ASSERT_TRUE(prepared.problem.standardization.has_value());
  const Eigen::MatrixXd expected =
      with_bias_column(prepared.problem.standardization->apply(test.X));
  EXPECT_EQ(prepared.test_set->X, expected);
  const TrainingResult result = train_network(prepared, config);
  ASSERT_EQ(result.summary.status, SolverStatus::kConverged) << result.summary.message;
  // The network folds the standardization in: raw-unit predictions equal those on the prepared
  // (standardized, bias-augmented) test features.
  const Eigen::VectorXd raw = result.network.predict(test.X);
  const Eigen::VectorXd standardized =
      result.network.predict_standardized(prepared.test_set->X.leftCols(2));
  EXPECT_LE((raw - standardized).lpNorm<Eigen::Infinity>(), 1e-10);
}

}  // namespace
}  // namespace convexnn
