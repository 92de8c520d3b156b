// The robust ADMM against interior-point optima of the robust program (cvxopt), computed once by
// tests/reference/make_robust_reference.py and stored in tests/data/reference/: robust_xor10.json
// (squared loss, eps 0 / 0.05 / 0.1) and robust_xor6.json (hinge loss, the SOCP, eps 0 / 0.03;
// cvxopt fails numerically on the hinge SOCP at larger eps or n).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "convexnn/robust_solver.h"
#include "reference_data.h"

namespace convexnn {
namespace {

// The stored points and patterns (not re-enumerated: the reference fixes the pattern set).
ConvexProblem reference_problem(const nlohmann::json& reference) {
  const auto n = static_cast<Eigen::Index>(reference["n"].get<int>());
  ConvexProblem problem;
  problem.X = with_bias_column(testing::matrix_from(reference["X"]));
  problem.y = testing::vector_from(reference["y"]);
  problem.has_bias_column = true;
  const auto& patterns = reference["patterns"];
  const auto P = static_cast<Eigen::Index>(patterns.size());
  problem.patterns.masks.resize(n, P);
  problem.patterns.generators = Eigen::MatrixXd::Zero(3, P);
  problem.patterns.mode = PatternMode::kExact;
  for (Eigen::Index i = 0; i < P; ++i) {
    const std::string mask = patterns[static_cast<std::size_t>(i)].get<std::string>();
    for (Eigen::Index k = 0; k < n; ++k) {
      problem.patterns.masks(k, i) = mask[static_cast<std::size_t>(k)] == '1' ? 1.0 : 0.0;
    }
  }
  problem.finalize();
  return problem;
}

class RobustReference : public ::testing::TestWithParam<const char*> {};

TEST_P(RobustReference, AdmmMatchesTheInteriorPointOptimum) {
  const std::string name = GetParam();
  const std::string path = std::string(CONVEXNN_TEST_DATA_DIR) + "/reference/" + name + ".json";
  if (!std::ifstream(path).good()) {
    GTEST_SKIP() << path
                 << " is missing: run /usr/bin/python3 tests/reference/make_robust_reference.py";
  }
  const nlohmann::json reference = testing::load_reference(name);
  ConvexProblem problem = reference_problem(reference);
  ASSERT_EQ(problem.num_patterns(), reference["pattern_count"].get<Eigen::Index>());
  for (const auto& solution : reference["solutions"]) {
    problem.loss = loss_from_string(solution["loss"].get<std::string>());
    problem.beta = solution["beta"].get<double>();
    const double epsilon = solution["epsilon"].get<double>();
    const double optimum = solution["optimum"].get<double>();
    RobustSolverOptions options;
    options.tolerance = 1e-7;
    options.max_iterations = 40000;
    RobustSolution result;
    const RobustProblem robust(problem, epsilon);
    const SolverSummary summary = solve_robust(robust, options, &result);
    const std::string label =
        solution["loss"].get<std::string>() + " eps " + std::to_string(epsilon);
    // The ADMM point is feasible up to its residuals; its value may undercut the optimum by
    // about that much, never by more.
    EXPECT_NEAR(summary.convex_objective, optimum, 2e-5 * std::max(1.0, optimum)) << label;
    EXPECT_NEAR(summary.network_objective, optimum, 2e-5 * std::max(1.0, optimum)) << label;
    EXPECT_LT(summary.max_cone_violation, 1e-5) << label;
    // The weak lower bound is valid.
    EXPECT_LE(summary.lower_bound, optimum * (1 + 1e-7)) << label;
  }
}

INSTANTIATE_TEST_SUITE_P(CvxoptCases, RobustReference,
                         ::testing::Values("robust_xor10", "robust_xor6"));

}  // namespace
}  // namespace convexnn
