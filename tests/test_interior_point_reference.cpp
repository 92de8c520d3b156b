// The ADMM solver against interior-point optima of the exact convex program (science.md 12.2),
// computed by tests/reference/make_reference.py with cvxopt and stored in tests/data/reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "convexnn/admm_solver.h"
#include "reference_data.h"
#include "convexnn/convex_problem.h"

namespace convexnn {
namespace {

using nlohmann::json;

using testing::vector_from;

// The script's pattern notation: character k is d_k.
std::set<std::string> pattern_strings(const PatternSet& patterns) {
  std::set<std::string> strings;
  for (Eigen::Index i = 0; i < patterns.num_patterns(); ++i) {
    std::string text;
    for (Eigen::Index k = 0; k < patterns.num_samples(); ++k) {
      text += patterns.masks(k, i) != 0.0 ? '1' : '0';
    }
    strings.insert(text);
  }
  return strings;
}

class InteriorPointReference : public ::testing::TestWithParam<std::string> {};

TEST_P(InteriorPointReference, AdmmBoundsEncloseTheInteriorPointOptimum) {
  const json reference = testing::load_reference(GetParam());
  // Our ConvexProblem uses the same conventions as the script (convex_problem.h, loss.h): the
  // bias column last and penalised like the other weights, losses summed (not averaged), squared
  // loss with the factor 1/2, ties d = 1(X h >= 0). A changed script must fail here, not below.
  ASSERT_EQ(reference.at("bias"), "Xb = [X, 1] (bias column last, weight-decayed)");
  ASSERT_EQ(reference.at("pattern_convention"), "d = 1(Xb h >= 0), zero pattern dropped");
  ASSERT_EQ(reference.at("loss_definitions").at("squared"), "0.5*||yhat - y||^2");
  ASSERT_EQ(reference.at("loss_definitions").at("hinge"), "sum_k max(0, 1 - y_k*yhat_k)");

  ConvexProblem problem = testing::exact_reference_problem(reference);
  ASSERT_EQ(problem.num_samples(), reference.at("n").get<Eigen::Index>());

  // Our enumeration must find exactly the script's pattern set (an independent angular sweep,
  // checked there against Zaslavsky's count and random sampling).
  const auto& stored_patterns = reference.at("patterns");
  ASSERT_EQ(problem.num_patterns(), reference.at("pattern_count").get<Eigen::Index>());
  const std::set<std::string> expected_patterns(stored_patterns.begin(), stored_patterns.end());
  ASSERT_EQ(pattern_strings(problem.patterns), expected_patterns);

  const auto& cases = reference.at("solutions");
  ASSERT_FALSE(cases.empty());
  for (const json& stored : cases) {
    problem.loss = loss_from_string(stored.at("loss"));
    problem.beta = stored.at("beta");
    const double optimum = stored.at("optimum");
    // The script's own dual certificate: the true optimum lies in [reference_lower, optimum].
    const double reference_lower = stored.at("certified_lower_bound");
    const double scale = std::max(1.0, std::abs(optimum));
    SCOPED_TRACE(GetParam() + " " + to_string(problem.loss) +
                 " beta=" + std::to_string(problem.beta) + " p*=" + std::to_string(optimum));
    ASSERT_LE(reference_lower, optimum + 1e-12 * scale);
    ASSERT_LE(optimum - reference_lower, 1e-7 * scale);

    AdmmOptions options;
    options.relative_gap_tolerance = 1e-8;  // about the accuracy of the reference values
    options.max_iterations = 2000;          // every case certifies within about 210
    AdmmSolution solution;
    const SolverSummary summary = solve_admm(problem, options, &solution);
    const double upper = summary.network_objective;
    const double lower = summary.lower_bound;
    EXPECT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();

    // [L, U] and [reference_lower, optimum] both contain p*. Our bounds and reference_lower are
    // rigorous up to rounding (and U up to the projected point's ~1e-12 cone violations);
    // `optimum` is the objective at a point that is feasible only to ~1e-9, so it gets the
    // accuracy of the reference values (1e-8).
    const double reference_accuracy = 1e-8 * scale;
    EXPECT_LE(lower, optimum + reference_accuracy) << summary.full_report();
    EXPECT_GE(upper, reference_lower - 1e-10 * scale) << summary.full_report();
    // Measured over all 20 cases: |U - optimum| <= 2.2e-9, |L - optimum| <= 3.3e-9 (relative).
    EXPECT_LE(std::abs(upper - optimum), reference_accuracy);
    EXPECT_LE(std::abs(lower - optimum), reference_accuracy);

    if (stored.at("prediction_unique").get<bool>()) {
      // Squared loss is 1-strongly convex in the prediction, so a feasible u with objective f(u)
      // has ||F u - yhat*|| <= sqrt(2 (f(u) - p*)); the same holds for the reference point.
      ASSERT_LT(problem.max_cone_violation(solution.blocks), 1e-9);
      const double excess = problem.objective(solution.blocks) - reference_lower;
      const double reference_excess = optimum - reference_lower;
      const Eigen::VectorXd reference_prediction = vector_from(stored.at("prediction"));
      EXPECT_LE((problem.predict(solution.blocks) - reference_prediction).norm(),
                std::sqrt(2.0 * std::max(0.0, excess)) + std::sqrt(2.0 * reference_excess) + 1e-9);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(StoredDatasets, InteriorPointReference,
                         ::testing::Values("xor12", "xor20", "circle14", "gaussians16",
                                           "degenerate10"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace convexnn
