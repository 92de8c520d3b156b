// The restricted interior-point solve (restricted_interior_point.h) against the cvxopt optima in
// tests/data/reference, its optimality conditions, and the ADMM solver's polish built on it.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "convexnn/admm_solver.h"
#include "convexnn/data_split.h"
#include "convexnn/dual_certificate.h"
#include "convexnn/generators.h"
#include "convexnn/network_recovery.h"
#include "convexnn/restricted_interior_point.h"
#include "convexnn/training.h"
#include "reference_data.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

using nlohmann::json;

using testing::load_reference;
using testing::vector_from;

std::vector<Eigen::Index> all_columns(const ConvexProblem& problem) {
  std::vector<Eigen::Index> columns(static_cast<std::size_t>(problem.num_blocks()));
  std::iota(columns.begin(), columns.end(), Eigen::Index{0});
  return columns;
}

double scale_of(double value) { return std::max(1.0, std::abs(value)); }

class RestrictedInteriorPointReference : public ::testing::TestWithParam<std::string> {};

TEST_P(RestrictedInteriorPointReference, FullBlockSetMatchesCvxoptAndSatisfiesKkt) {
  const json reference = load_reference(GetParam());
  ASSERT_EQ(reference.at("loss_definitions").at("squared"), "0.5*||yhat - y||^2");
  ASSERT_EQ(reference.at("loss_definitions").at("hinge"), "sum_k max(0, 1 - y_k*yhat_k)");
  ConvexProblem problem = testing::exact_reference_problem(reference);
  ASSERT_EQ(problem.num_patterns(), reference.at("pattern_count").get<Eigen::Index>());

  for (const json& stored : reference.at("solutions")) {
    problem.loss = loss_from_string(stored.at("loss"));
    problem.beta = stored.at("beta");
    const double optimum = stored.at("optimum");
    const double reference_lower = stored.at("certified_lower_bound");
    const double scale = scale_of(optimum);
    SCOPED_TRACE(GetParam() + " " + to_string(problem.loss) +
                 " beta=" + std::to_string(problem.beta));

    const RestrictedSolveResult result =
        solve_restricted_interior_point(problem, all_columns(problem));
    EXPECT_TRUE(result.converged) << "newton steps " << result.newton_steps;
    EXPECT_TRUE(result.dropped_blocks.empty());  // with a bias column every cone has interior
    EXPECT_EQ(problem.max_cone_violation(result.blocks), 0.0);
    EXPECT_NEAR(result.objective, problem.objective(result.blocks), 1e-12 * scale);

    // Value: the reference optimum lies in [reference_lower, optimum] and is accurate to ~1e-8.
    EXPECT_NEAR(result.objective, optimum, 1e-7 * scale);
    EXPECT_GE(result.objective, reference_lower - 1e-10 * scale);

    // Dual feasibility and complementarity, via the full certificate: lambda from the barrier
    // with exact NNLS cone multipliers gives a lower bound within 1e-7 of our value.
    const DualBound bound = dual_lower_bound(problem, result.dual, nullptr);
    EXPECT_LE(bound.lower_bound, optimum + 1e-9 * scale);
    EXPECT_LE(result.objective - bound.lower_bound, 1e-7 * scale);
    // Every block's dual constraint holds; the active ones are tight (stationarity of ||u_b||).
    const Eigen::VectorXd values = dual_constraint_values(problem, result.dual, 0.0);
    const Eigen::VectorXd norms = result.blocks.colwise().norm().transpose();
    EXPECT_LE(values.maxCoeff(), problem.beta * (1.0 + 1e-5));
    for (Eigen::Index b = 0; b < norms.size(); ++b) {
      if (norms[b] > 1e-3 * norms.maxCoeff()) {
        EXPECT_NEAR(values[b], problem.beta, 1e-5 * problem.beta) << "block " << b;
      }
    }

    const Eigen::VectorXd prediction = problem.predict(result.blocks);
    if (problem.loss == LossKind::kSquared) {
      // yhat* is unique (strongly convex in the prediction); the reference dual is yhat - y.
      EXPECT_LE((prediction - vector_from(stored.at("prediction"))).norm(), 1e-4);
      EXPECT_LE((result.dual - (prediction - problem.y)).norm(), 1e-6);
    } else {
      // Hinge multipliers z = -y lambda lie in [0, 1], are 1 on violated margins and 0 on
      // slack ones (complementary slackness).
      for (Eigen::Index k = 0; k < problem.num_samples(); ++k) {
        const double z = -problem.y[k] * result.dual[k];
        const double margin = problem.y[k] * prediction[k];
        EXPECT_GE(z, 0.0);
        EXPECT_LE(z, 1.0);
        if (margin < 1.0 - 1e-4) {
          EXPECT_NEAR(z, 1.0, 1e-4) << "sample " << k;
        }
        if (margin > 1.0 + 1e-4) {
          EXPECT_NEAR(z, 0.0, 1e-4) << "sample " << k;
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(StoredDatasets, RestrictedInteriorPointReference,
                         ::testing::Values("xor12", "xor20", "circle14", "gaussians16",
                                           "degenerate10"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

TEST(RestrictedInteriorPoint, LogisticIsSelfCertifiedAndWithinTheAdmmInterval) {
  const json reference = load_reference("xor12");
  ConvexProblem problem = testing::exact_reference_problem(reference);
  problem.loss = LossKind::kLogistic;
  for (const double beta : {0.1, 1.0}) {
    problem.beta = beta;
    SCOPED_TRACE("beta=" + std::to_string(beta));
    const RestrictedSolveResult result =
        solve_restricted_interior_point(problem, all_columns(problem));
    EXPECT_TRUE(result.converged);
    EXPECT_EQ(problem.max_cone_violation(result.blocks), 0.0);
    const double scale = scale_of(result.objective);
    // A rigorous certificate on the full pattern set: L <= p* <= objective.
    const DualBound bound = dual_lower_bound(problem, result.dual, nullptr);
    EXPECT_LE(result.objective - bound.lower_bound, 1e-8 * scale);

    // Independent: ADMM's certified interval [L, U] must contain our value.
    AdmmOptions options;
    options.relative_gap_tolerance = 1e-6;
    options.polish = false;  // keep ADMM independent of the interior-point code
    options.max_iterations = 20000;
    AdmmSolution solution;
    const SolverSummary summary = solve_admm(problem, options, &solution);
    EXPECT_LE(summary.lower_bound, result.objective + 1e-9 * scale);
    EXPECT_GE(summary.network_objective, result.objective - 1e-9 * scale);
    if (summary.status == SolverStatus::kConverged) {
      EXPECT_NEAR(summary.network_objective, result.objective, 2e-6 * scale);
    }
  }
}

TEST(RestrictedInteriorPoint, RestrictionIsMonotoneAndZeroOutsideTheSubset) {
  const json reference = load_reference("circle14");
  ConvexProblem problem = testing::exact_reference_problem(reference);
  problem.loss = LossKind::kSquared;
  problem.beta = 0.1;
  const RestrictedSolveResult full = solve_restricted_interior_point(problem, all_columns(problem));
  // Nested subsets: the first k patterns (both signs) for growing k.
  double previous = std::numeric_limits<double>::infinity();
  const Eigen::Index P = problem.num_patterns();
  for (const Eigen::Index count : {Eigen::Index{5}, Eigen::Index{20}, Eigen::Index{60}, P}) {
    std::vector<Eigen::Index> columns;
    for (Eigen::Index i = 0; i < count; ++i) {
      columns.push_back(i);
      columns.push_back(P + i);
    }
    const RestrictedSolveResult result = solve_restricted_interior_point(problem, columns);
    EXPECT_TRUE(result.converged);
    for (Eigen::Index b = 0; b < problem.num_blocks(); ++b) {
      if (b % P >= count) {
        EXPECT_EQ(result.blocks.col(b).norm(), 0.0) << "block " << b;
      }
    }
    const double scale = scale_of(result.objective);
    EXPECT_LE(result.objective, previous + 1e-9 * scale);
    EXPECT_GE(result.objective, full.objective - 1e-9 * scale);
    previous = result.objective;
  }
  EXPECT_NEAR(previous, full.objective, 1e-10 * scale_of(full.objective));
}

TEST(RestrictedInteriorPoint, ColumnGenerationFromNothingReachesTheReferenceOptimum) {
  const json reference = load_reference("xor20");
  ConvexProblem problem = testing::exact_reference_problem(reference);
  for (const json& stored : reference.at("solutions")) {
    problem.loss = loss_from_string(stored.at("loss"));
    problem.beta = stored.at("beta");
    const double optimum = stored.at("optimum");
    SCOPED_TRACE(std::string(to_string(problem.loss)) + " beta=" + std::to_string(problem.beta));
    std::vector<Eigen::Index> columns;
    const RestrictedSolveResult result =
        solve_by_column_generation(problem, {}, 30, problem.num_samples(), {}, &columns);
    EXPECT_NEAR(result.objective, optimum, 1e-7 * scale_of(optimum));
    // It got there with far fewer blocks than the full program.
    EXPECT_LT(static_cast<Eigen::Index>(columns.size()), problem.num_blocks() / 2);
    const DualBound bound = dual_lower_bound(problem, result.dual, nullptr);
    EXPECT_LE(result.objective - bound.lower_bound, 1e-7 * scale_of(optimum));
  }
}

TEST(RestrictedInteriorPoint, OrthonormalClosedFormWithoutGenerators) {
  // science.md 12.1 item 2: X = I_4 (no bias), every subset a pattern, p* = f(||y+||) + f(||y-||).
  // The helper leaves the generators at zero, so the start needs the phase-I direction.
  const Eigen::VectorXd y = (Eigen::VectorXd(4) << 1.0, -2.0, 0.5, 3.0).finished();
  const double beta = 0.7;
  const ConvexProblem problem =
      testing::all_subsets_problem(Eigen::MatrixXd::Identity(4, 4), y, beta);
  auto f = [&](double r) { return r <= beta ? 0.5 * r * r : beta * r - 0.5 * beta * beta; };
  const double expected = f(std::sqrt(1.0 + 0.25 + 9.0)) + f(2.0);
  const RestrictedSolveResult result =
      solve_restricted_interior_point(problem, all_columns(problem));
  EXPECT_TRUE(result.converged);
  EXPECT_TRUE(result.dropped_blocks.empty());
  EXPECT_NEAR(result.objective, expected, 1e-9);
  EXPECT_NEAR(result.objective, 3.1510935, 1e-7);
}

TEST(RestrictedInteriorPoint, BlocksWithEmptyConeInteriorStayAtZero) {
  // Samples x and -x: the pattern containing both forces x^T u = 0, a cone without interior.
  Eigen::MatrixXd X(2, 2);
  X << 1.0, 0.0, -1.0, 0.0;
  const ConvexProblem problem = testing::all_subsets_problem(X, Eigen::Vector2d(1.0, 2.0), 0.1);
  const Eigen::Index P = problem.num_patterns();
  ASSERT_EQ(P, 3);
  const RestrictedSolveResult result =
      solve_restricted_interior_point(problem, all_columns(problem));
  // Pattern 3 (both samples, mask 0b11) is index 2; its v- and w-blocks are dropped.
  EXPECT_EQ(result.dropped_blocks, (std::vector<Eigen::Index>{2, P + 2}));
  EXPECT_EQ(result.blocks.col(2).norm(), 0.0);
  EXPECT_EQ(result.blocks.col(P + 2).norm(), 0.0);
  // Pattern {1} fits y_1 = 1 with u = (a, 0), pattern {2} fits y_2 = 2 with u = (-b, 0); each a
  // one-sample problem: p* = sum beta |y| - beta^2 / 2 (science.md 12.1 item 1, ||x|| = 1).
  EXPECT_NEAR(result.objective, (0.1 * 1.0 - 0.005) + (0.1 * 2.0 - 0.005), 1e-9);
}

// The exact demo problems of the task: 40 points, a quarter held out, ~900 patterns.
PreparedProblem demo_problem(const std::string& name, LossKind loss) {
  GeneratorSettings settings;
  settings.name = name;
  settings.n = 40;
  settings.seed = 1;
  for (const GeneratorInfo& info : dataset_generators()) {
    if (info.name == name) settings.noise = info.default_noise;
  }
  const TrainTestSplit split = split_train_test(generate_dataset(settings), 0.25, settings.seed);
  TrainingConfig config = testing::exact_config(loss, 0.1);
  return prepare_problem(split.train, &split.test, config);
}

struct DemoCase {
  std::string dataset;
  LossKind loss;
};

// Readable parameter names in failure messages.
void PrintTo(const DemoCase& demo, std::ostream* out) {
  *out << demo.dataset << " " << to_string(demo.loss);
}

class ExactDemoProblems : public ::testing::TestWithParam<DemoCase> {};

TEST_P(ExactDemoProblems, AdmmWithInteriorPointPolishCertifiesQuickly) {
  const PreparedProblem prepared = demo_problem(GetParam().dataset, GetParam().loss);
  const ConvexProblem& problem = prepared.problem;
  AdmmOptions options;
  options.relative_gap_tolerance = 1e-6;
  options.max_iterations = 20000;
  options.max_seconds = 10.0;  // a safety net; the polish should certify in well under 3 s
  AdmmSolution solution;
  const auto start = std::chrono::steady_clock::now();
  const SolverSummary summary = solve_admm(problem, options, &solution);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
  EXPECT_LE(summary.relative_gap, 1e-6);
  EXPECT_LE(summary.lower_bound, summary.network_objective);
  RecordProperty("seconds", std::to_string(seconds));
  // The recovered network's objective equals the convex objective of the (feasible) solution.
  EXPECT_LE(problem.max_cone_violation(solution.blocks), 1e-12);
  EXPECT_NEAR(summary.network_objective, problem.objective(solution.blocks),
              1e-9 * scale_of(summary.network_objective));
  const TwoLayerNetwork network = recover_network(problem, solution.blocks);
  EXPECT_GT(network.second_weights.size(), 0);
}

INSTANTIATE_TEST_SUITE_P(
    Exact40, ExactDemoProblems,
    ::testing::Values(DemoCase{"xor", LossKind::kSquared}, DemoCase{"circle", LossKind::kSquared},
                      DemoCase{"gaussians", LossKind::kSquared},
                      DemoCase{"spiral", LossKind::kSquared}, DemoCase{"moons", LossKind::kSquared},
                      DemoCase{"xor", LossKind::kHinge}, DemoCase{"circle", LossKind::kHinge},
                      DemoCase{"gaussians", LossKind::kHinge}, DemoCase{"spiral", LossKind::kHinge},
                      DemoCase{"moons", LossKind::kHinge}, DemoCase{"xor", LossKind::kLogistic},
                      DemoCase{"circle", LossKind::kLogistic},
                      DemoCase{"gaussians", LossKind::kLogistic},
                      DemoCase{"spiral", LossKind::kLogistic},
                      DemoCase{"moons", LossKind::kLogistic}),
    [](const ::testing::TestParamInfo<DemoCase>& param_info) {
      return param_info.param.dataset + "_" + to_string(param_info.param.loss);
    });

}  // namespace
}  // namespace convexnn
