// The polynomial-activation solvers against interior-point optima of the SDP (science.md 9.2),
// computed once by tests/reference/make_polynomial_reference.py with cvxopt and stored in
// tests/data/reference/polynomial_sdp.json.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "convexnn/convex_problem.h"
#include "convexnn/polynomial_solver.h"
#include "reference_data.h"

namespace convexnn {
namespace {

using nlohmann::json;

TEST(PolynomialReference, FistaBoundsEncloseTheInteriorPointOptimum) {
  const json reference = testing::load_reference("polynomial_sdp");
  // Same conventions as PolynomialProblem: bias column last and inside the unit norm, squared
  // loss with the factor 1/2, summed. A changed script must fail here.
  ASSERT_EQ(reference.at("bias"),
            "Xb = [X, 1] (bias column last, inside the unit norm of each neuron)");
  ASSERT_EQ(reference.at("loss_definitions").at("squared"), "0.5*||yhat - y||^2");
  const json& cases = reference.at("solutions");
  ASSERT_GE(cases.size(), 5u);
  for (const json& stored : cases) {
    const json& data = reference.at("datasets").at(stored.at("dataset").get<std::string>());
    PolynomialProblem problem;
    problem.X = with_bias_column(testing::matrix_from(data.at("X")));
    problem.y = testing::vector_from(data.at("y"));
    problem.has_bias_column = true;
    problem.loss = LossKind::kSquared;
    problem.beta = stored.at("beta");
    const Eigen::VectorXd coefficients = testing::vector_from(stored.at("activation"));
    problem.activation =
        coefficients[1] == 0.0 && coefficients[2] == 0.0 && coefficients[0] == 1.0
            ? Activation::quadratic()
            : Activation::polynomial(coefficients[0], coefficients[1], coefficients[2]);
    const double optimum = stored.at("optimum");
    const double reference_lower = stored.at("certified_lower_bound");
    SCOPED_TRACE(stored.at("dataset").get<std::string>() + " " + problem.activation.formula() +
                 " beta=" + std::to_string(problem.beta) + " p*=" + std::to_string(optimum));
    ASSERT_LE(reference_lower, optimum + 1e-12);
    ASSERT_LE(optimum - reference_lower, 1e-6 * optimum);

    PolynomialSolverOptions options;
    options.relative_gap_tolerance = 1e-8;
    PolynomialSolution solution;
    const SolverSummary summary = solve_polynomial(problem, options, &solution);
    ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.message;
    // Our certified interval and the reference's must overlap (both contain p*), and our U is
    // within the tolerance of the reference optimum.
    EXPECT_LE(summary.lower_bound, optimum + 1e-9 * optimum);
    EXPECT_GE(summary.network_objective, reference_lower - 1e-9 * optimum);
    EXPECT_NEAR(summary.network_objective, optimum, 2e-8 * optimum);
    // The optimal prediction is unique (strictly convex loss in yhat).
    const Eigen::VectorXd expected = testing::vector_from(stored.at("prediction"));
    const Eigen::VectorXd predicted =
        solution.network.predict_standardized(problem.X.leftCols(problem.dim() - 1));
    EXPECT_LE((predicted - expected).lpNorm<Eigen::Infinity>(), 1e-3);
    if (stored.contains("nuclear_norm_optimum")) {
      EXPECT_NEAR(stored.at("nuclear_norm_optimum").get<double>(), optimum, 1e-7 * optimum);
      options.method = PolynomialMethod::kLiftedSdp;  // the other formulation, same optimum
      PolynomialSolution lifted;
      const SolverSummary other = solve_polynomial(problem, options, &lifted);
      ASSERT_EQ(other.status, SolverStatus::kConverged) << other.message;
      EXPECT_NEAR(other.network_objective, optimum, 2e-8 * optimum);
    }
  }
}

}  // namespace
}  // namespace convexnn
