// "Certify an SGD solution" (science.md 8.3): a network mapped to blocks on its own patterns,
// the dual certificate with lambda = grad l(f(X)) on own and fresh patterns, and the warm-started
// re-solve.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "convexnn/errors.h"
#include "convexnn/network_certificate.h"
#include "convexnn/network_recovery.h"
#include "convexnn/nonconvex_training.h"
#include "convexnn/random.h"
#include "convexnn/training.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

constexpr double kBeta = 0.1;

TrainingConfig exact(const Activation& activation) {
  TrainingConfig config = testing::exact_config(LossKind::kSquared, kBeta, 1e-9);
  config.activation = activation;
  return config;
}

NetworkCertificateOptions certificate_options() {
  NetworkCertificateOptions options;
  options.fresh_patterns = 400;
  options.seed = 3;
  options.gap_tolerance = 1e-4;
  // The solver's optimum is accurate to its gap, so lambda is dual feasible only up to about that.
  options.violation_tolerance = 1e-3;
  return options;
}

class NetworkCertificateTest : public ::testing::TestWithParam<Activation> {};

// The mapping is the network: the blocks predict what the network predicts, and for a balanced
// network with one neuron per pattern and sign the convex objective equals its objective.
TEST_P(NetworkCertificateTest, BlocksReproduceTheNetwork) {
  const Dataset data = testing::random_xor(12, 21);
  Rng rng(2);
  TwoLayerNetwork network;
  network.activation = GetParam();
  network.first_weights.resize(4, 2);
  network.first_bias.resize(4);
  network.second_weights.resize(4);
  for (Eigen::Index j = 0; j < 4; ++j) {
    network.first_weights(j, 0) = rng.normal();
    network.first_weights(j, 1) = rng.normal();
    network.first_bias[j] = 0.3 * rng.normal();
  }
  // Neuron 3 is the mirror of neuron 0 (for |t| the same pattern pair), neuron 2 is negative.
  network.first_weights.row(3) = -network.first_weights.row(0);
  network.first_bias[3] = -network.first_bias[0];
  for (Eigen::Index j = 0; j < 4; ++j) {
    const double norm = std::hypot(network.first_weights.row(j).norm(), network.first_bias[j]);
    network.second_weights[j] = (j == 2 ? -1.0 : 1.0) * norm;  // balanced: |a_j| = |[w_j, b_j]|
  }
  const NetworkCertificate certificate =
      certify_network(network, data, LossKind::kSquared, kBeta, certificate_options());
  const ConvexProblem& problem = certificate.own_problem;
  EXPECT_LE(problem.max_cone_violation(certificate.blocks), 1e-12);
  const Eigen::VectorXd expected = network.predict(data.X);
  EXPECT_LE((problem.predict(certificate.blocks) - expected).lpNorm<Eigen::Infinity>(), 1e-10);
  // Patterns counted by brute force: distinct 1(X u_j >= 0), for |t| up to complement.
  std::set<std::string> distinct;
  Eigen::Index mapped = 0;
  const Eigen::MatrixXd X = with_bias_column(data.X);
  for (Eigen::Index j = 0; j < 4; ++j) {
    Eigen::VectorXd u(3);
    u << network.first_weights.row(j).transpose(), network.first_bias[j];
    std::string key, complement;
    for (Eigen::Index k = 0; k < X.rows(); ++k) {
      const bool on = X.row(k).dot(u) >= 0;
      key += on ? '1' : '0';
      complement += on ? '0' : '1';
    }
    if (key.find('1') == std::string::npos) {
      // All-negative: a dead ReLU contributes nothing; otherwise the all-ones pattern.
      if (GetParam().kind == ActivationKind::kRelu) continue;
      key = complement;
    }
    if (GetParam().kind == ActivationKind::kAbsolute) key = std::min(key, complement);
    distinct.insert(key);
    ++mapped;
  }
  EXPECT_EQ(certificate.neurons_mapped, mapped);
  EXPECT_EQ(problem.num_patterns(), static_cast<Eigen::Index>(distinct.size()));
  if (GetParam().kind == ActivationKind::kAbsolute) {
    EXPECT_LE(problem.num_patterns(), 3);
  }
  // Balanced neurons, and merged ones (0 and 3 under |t|) are parallel: nothing is lost.
  EXPECT_NEAR(certificate.convex_objective, certificate.network_objective, 1e-10);
  EXPECT_LE(certificate.own_lower_bound, certificate.convex_objective + 1e-12);
  EXPECT_LE(certificate.combined_lower_bound, certificate.own_lower_bound + 1e-12);
}

// The convex optimum's network is a global optimum: optimal on its own patterns and no fresh
// pattern violates the dual constraint.
TEST_P(NetworkCertificateTest, ConvexOptimumIsReportedOptimal) {
  const Dataset data = testing::random_xor(10, 5);
  const TrainingConfig config = exact(GetParam());
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  const TrainingResult trained = train_network(prepared, config);
  ASSERT_EQ(trained.summary.status, SolverStatus::kConverged);
  const NetworkCertificate certificate =
      certify_network(trained.network, data, LossKind::kSquared, kBeta, certificate_options());
  EXPECT_TRUE(certificate.optimal_on_own_patterns) << certificate.own_relative_gap;
  EXPECT_TRUE(certificate.violations.empty()) << certificate.fresh_max_constraint;
  EXPECT_TRUE(certificate.globally_optimal_on_tested_patterns());
  EXPECT_GT(certificate.fresh_patterns.num_patterns(), 0);
  EXPECT_NEAR(certificate.network_objective, trained.summary.network_objective, 1e-9);
}

// The hinge's subgradient at margin 1 is ambiguous; the certificate still recognises the optimum.
TEST_P(NetworkCertificateTest, HingeOptimumIsReportedOptimal) {
  const Dataset data = testing::random_xor(10, 5);
  TrainingConfig config = exact(GetParam());
  config.loss = LossKind::kHinge;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  const TrainingResult trained = train_network(prepared, config);
  ASSERT_EQ(trained.summary.status, SolverStatus::kConverged);
  const NetworkCertificate certificate =
      certify_network(trained.network, data, LossKind::kHinge, kBeta, certificate_options());
  EXPECT_TRUE(certificate.optimal_on_own_patterns) << certificate.own_relative_gap;
  EXPECT_TRUE(certificate.violations.empty()) << certificate.fresh_max_constraint;
  // And a worse network is still caught.
  TwoLayerNetwork worse = trained.network;
  worse.second_weights *= 0.5;
  EXPECT_FALSE(certify_network(worse, data, LossKind::kHinge, kBeta, certificate_options())
                   .globally_optimal_on_tested_patterns());
}

// Optimal on a few patterns only: its own program is solved, but fresh patterns violate the
// certificate, and the re-solve on own + violating patterns lowers the objective.
TEST_P(NetworkCertificateTest, RestrictedOptimumIsCaughtByFreshPatternsAndImproved) {
  const Dataset data = testing::random_xor(10, 5);
  const TrainingConfig config = exact(GetParam());
  PreparedProblem prepared = prepare_problem(data, nullptr, config);
  prepared.problem.patterns.masks = prepared.problem.patterns.masks.leftCols(3).eval();
  prepared.problem.patterns.generators = prepared.problem.patterns.generators.leftCols(3).eval();
  prepared.problem.patterns.mode = PatternMode::kSampled;
  prepared.problem.finalize();
  const TrainingResult restricted = train_network(prepared, config);
  ASSERT_EQ(restricted.summary.status, SolverStatus::kConverged);

  const NetworkCertificate certificate =
      certify_network(restricted.network, data, LossKind::kSquared, kBeta, certificate_options());
  EXPECT_TRUE(certificate.optimal_on_own_patterns) << certificate.own_relative_gap;
  ASSERT_FALSE(certificate.violations.empty());
  EXPECT_FALSE(certificate.globally_optimal_on_tested_patterns());
  EXPECT_GT(certificate.violations.front().value, kBeta);
  EXPECT_LT(certificate.combined_lower_bound, certificate.convex_objective);

  AdmmOptions options;
  options.relative_gap_tolerance = 1e-8;
  const NetworkResolveResult resolved = resolve_from_certificate(certificate, options);
  EXPECT_NEAR(resolved.start_objective, certificate.convex_objective, 1e-10);
  EXPECT_LT(resolved.summary.network_objective, certificate.network_objective - 1e-4);
  const ConvexProblem& problem = resolved.problem;
  EXPECT_EQ(problem.num_patterns(), certificate.own_problem.num_patterns() +
                                        static_cast<Eigen::Index>(certificate.violations.size()));
  EXPECT_NEAR(resolved.network.objective(problem.X.leftCols(2), data.y, LossKind::kSquared, kBeta),
              resolved.summary.network_objective, 1e-9);
}

// A deliberately sub-optimal network (the optimum with its output weights halved) is not even
// optimal on its own patterns; the re-solve lowers its objective.
TEST_P(NetworkCertificateTest, SuboptimalNetworkIsReportedAndResolved) {
  const Dataset data = testing::random_xor(10, 5);
  const TrainingConfig config = exact(GetParam());
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  TwoLayerNetwork network = train_network(prepared, config).network;
  network.second_weights *= 0.5;
  const NetworkCertificate certificate =
      certify_network(network, data, LossKind::kSquared, kBeta, certificate_options());
  EXPECT_FALSE(certificate.optimal_on_own_patterns);
  EXPECT_FALSE(certificate.globally_optimal_on_tested_patterns());
  EXPECT_GT(certificate.own_relative_gap, 1e-3);
  AdmmOptions options;
  const NetworkResolveResult resolved = resolve_from_certificate(certificate, options);
  EXPECT_LT(resolved.summary.network_objective, certificate.network_objective - 1e-3);
  EXPECT_LE(resolved.summary.lower_bound, resolved.summary.network_objective);
}

INSTANTIATE_TEST_SUITE_P(Activations, NetworkCertificateTest,
                         ::testing::Values(Activation::relu(), Activation::leaky_relu(0.2),
                                           Activation::absolute()),
                         [](const auto& test_info) {
                           switch (test_info.param.kind) {
                             case ActivationKind::kLeakyRelu:
                               return std::string("Leaky");
                             case ActivationKind::kAbsolute:
                               return std::string("Abs");
                             default:
                               return std::string("Relu");
                           }
                         });

// A back-propagation network is certified on its own terms: its bounds are consistent and the
// re-solve never ends above where it started.
TEST(NetworkCertificate, BackPropagationNetworkBoundsAreConsistent) {
  const Dataset data = testing::random_xor(12, 9);
  TrainingConfig config = exact(Activation::leaky_relu(0.1));
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  NonconvexOptions nonconvex;
  nonconvex.epochs = 400;
  nonconvex.width = 8;
  const NonconvexResult run = train_nonconvex(prepared, nonconvex);
  const NetworkCertificate certificate =
      certify_network(run.network, data, LossKind::kSquared, kBeta, certificate_options());
  EXPECT_NEAR(certificate.network_objective, run.objective, 1e-9 * run.objective);
  EXPECT_LE(certificate.convex_objective, certificate.network_objective + 1e-12);
  EXPECT_LE(certificate.own_lower_bound, certificate.convex_objective + 1e-12);
  const TrainingResult optimum = train_network(prepared, config);
  // Every lower bound is below the exact optimum (the patterns tested are a subset of all).
  EXPECT_LE(certificate.combined_lower_bound, optimum.summary.network_objective + 1e-9);
  const NetworkResolveResult resolved = resolve_from_certificate(certificate, AdmmOptions{});
  EXPECT_LE(resolved.summary.network_objective, certificate.convex_objective + 1e-12);
}

TEST(NetworkCertificate, RejectsWhatItCannotCertify) {
  const Dataset data = testing::random_xor(6, 1);
  TwoLayerNetwork network;
  network.first_weights = Eigen::MatrixXd::Ones(1, 2);
  network.first_bias = Eigen::VectorXd::Zero(1);
  network.second_weights = Eigen::VectorXd::Ones(1);
  network.activation = Activation::quadratic();
  EXPECT_THROW(certify_network(network, data, LossKind::kSquared, kBeta), InputError);
  network.activation = Activation::relu();
  network.second_bias = 0.5;
  EXPECT_THROW(certify_network(network, data, LossKind::kSquared, kBeta), InputError);
  network.second_bias = 0.0;
  NetworkCertificateOptions options;
  options.fresh_patterns = -1;
  try {
    certify_network(network, data, LossKind::kSquared, kBeta, options);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("fresh_patterns"), std::string::npos);
  }
}

}  // namespace
}  // namespace convexnn
