// R-FISTA and the augmented Lagrangian reach the same optimum as ADMM on shared problems.
//
// Gated vs ReLU (science.md 3.1, 3.4): over the same patterns p*_G <= p*_C always (a feasible
// ReLU point (v, w) gives the gated point u = v - w with a penalty no larger). Conversely, when
// every block u_i of the gated optimum lies in its cone K_i = {u : (2 D_i - I) X u >= 0} or in
// -K_i, then v_i = u_i (or w_i = -u_i) is a feasible ReLU point with the same prediction and
// penalty, so p*_C <= p*_G and the two optima coincide. A planted problem makes this happen: labels
// from a ReLU network whose neurons' own patterns are the pattern set; with beta small, the gated
// optimum stays near the planted neurons, strictly inside their cones. The test checks that
// condition on the solution it gets, so the equality it then asserts is a consequence of the
// math and not of the construction: a solver that stops short or converges to a wrong point makes
// the two certified values differ by more than the gap tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "convexnn/augmented_lagrangian.h"
#include "convexnn/gated_relu.h"
#include "convexnn/random.h"
#include "convexnn/rfista.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

constexpr double kTolerance = 1e-7;  // relative duality gap of every solver here

// Three planted neurons u_j = s_j [cos t_j, sin t_j, b_j] (hyperplanes through the square), n
// points uniform in [-1, 1]^2 (with a bias column) kept only at distance >= `margin` from every
// planted hyperplane, labels y = sum_j a_j max(0, X u_j) with a = (+1, -1, +1); the pattern set is
// the planted neurons' own patterns. The margin keeps the cone constraints of the planted blocks
// inactive, and the draw is repeated until [D_1 X, D_2 X, D_3 X] has smallest singular value
// >= 0.5, so that the labels determine the blocks: the gated optimum for a small beta is then a
// small perturbation of the planted blocks (a_j u_j), inside their cones (or their negatives).
ConvexProblem planted_problem(int n, std::uint64_t seed, double beta, double margin = 0.1) {
  constexpr double kPi = 3.14159265358979323846;
  Rng rng(seed);
  Eigen::MatrixXd planted(3, 3);
  Eigen::MatrixXd X(n, 3);
  for (bool well_posed = false; !well_posed;) {
    for (int j = 0; j < 3; ++j) {
      const double angle = rng.uniform(0.0, 2.0 * kPi);
      const double scale = rng.uniform(1.0, 2.0);
      planted.col(j) << scale * std::cos(angle), scale * std::sin(angle),
          scale * rng.uniform(-0.4, 0.4);
    }
    for (int i = 0; i < n;) {
      const Eigen::Vector3d x(rng.uniform(-1, 1), rng.uniform(-1, 1), 1.0);
      bool far = true;
      for (int j = 0; j < 3; ++j) {
        far = far && std::abs(x.dot(planted.col(j))) >= margin * planted.col(j).head<2>().norm();
      }
      if (far) X.row(i++) = x.transpose();
    }
    // The gated program's design [D_1 X, D_2 X, D_3 X] must be well conditioned.
    const Eigen::MatrixXd active = ((X * planted).array() >= 0.0).cast<double>();
    Eigen::MatrixXd design(n, 9);
    for (int j = 0; j < 3; ++j) design.middleCols(3 * j, 3) = active.col(j).asDiagonal() * X;
    well_posed = Eigen::JacobiSVD<Eigen::MatrixXd>(design).singularValues().minCoeff() >= 0.5;
  }
  const double signs[] = {1.0, -1.0, 1.0};
  ConvexProblem problem;
  problem.X = X;
  problem.y = Eigen::VectorXd::Zero(n);
  for (int j = 0; j < 3; ++j) {
    problem.y += signs[j] * (X * planted.col(j)).cwiseMax(0.0);
  }
  problem.loss = LossKind::kSquared;
  problem.beta = beta;
  problem.has_bias_column = true;
  problem.patterns = patterns_from_generators(X, planted);
  problem.finalize();
  return problem;
}

// The gated blocks as a ReLU point: block i goes to v_i when it lies in K_i, to w_i = -u_i when
// it lies in -K_i. Returns false (and leaves `relu` partly filled) when some non-zero block lies
// in neither cone, i.e. the construction's condition fails.
bool gated_blocks_in_their_cones(const ConvexProblem& problem, const Eigen::MatrixXd& gated,
                                 Eigen::MatrixXd* relu) {
  const Eigen::Index P = problem.num_patterns();
  *relu = Eigen::MatrixXd::Zero(problem.dim(), 2 * P);
  Eigen::MatrixXd as_v = Eigen::MatrixXd::Zero(problem.dim(), 2 * P);
  as_v.leftCols(P) = gated;
  const Eigen::MatrixXd cone = problem.cone_values(as_v).leftCols(P);  // (2 D_i - I) X u_i
  for (Eigen::Index i = 0; i < P; ++i) {
    if (gated.col(i).norm() == 0.0) continue;
    if (cone.col(i).minCoeff() >= 0.0) {
      relu->col(i) = gated.col(i);
    } else if (cone.col(i).maxCoeff() <= 0.0) {
      relu->col(P + i) = -gated.col(i);
    } else {
      return false;
    }
  }
  return true;
}

AdmmOptions admm_options(double tolerance) {
  AdmmOptions options;
  options.relative_gap_tolerance = tolerance;
  options.max_iterations = 20000;
  return options;
}

// l(sum_i D_i X u_i) for the squared loss, written out from the masks (independent of the
// solvers' products), for minimize_group_lasso.
class GatedSquaredLoss : public SmoothFunction {
 public:
  explicit GatedSquaredLoss(const ConvexProblem& problem) : problem_(problem) {}
  Eigen::VectorXd prediction(const Eigen::MatrixXd& blocks) const {
    const Eigen::MatrixXd products = problem_.X * blocks;  // n x P
    return problem_.patterns.masks.cwiseProduct(products).rowwise().sum();
  }
  double value(const Eigen::MatrixXd& blocks) const override {
    return 0.5 * (prediction(blocks) - problem_.y).squaredNorm();
  }
  double value_and_gradient(const Eigen::MatrixXd& blocks,
                            Eigen::MatrixXd* gradient) const override {
    const Eigen::VectorXd residual = prediction(blocks) - problem_.y;
    // Column i: X^T D_i r.
    const Eigen::MatrixXd masked = problem_.patterns.masks.array().colwise() * residual.array();
    *gradient = problem_.X.transpose() * masked;
    return 0.5 * residual.squaredNorm();
  }

 private:
  const ConvexProblem& problem_;
};

struct Optimum {
  double upper = 0.0;
  double lower = 0.0;
};

// Both solvers certified to kTolerance: U - p* <= gap and p* - L <= gap, with the same p*.
void expect_same_optimum(const Optimum& gated, const Optimum& relu) {
  const double scale = std::max(1.0, std::abs(relu.upper));
  EXPECT_LE(gated.lower, relu.upper + 1e-12 * scale);
  EXPECT_LE(relu.lower, gated.upper + 1e-12 * scale);  // fails when p*_C > p*_G
  EXPECT_NEAR(gated.upper, relu.upper, kTolerance * scale);
}

TEST(SolverAgreement, GatedReluByRFistaMatchesAdmmWhenTheGatedOptimumLiesInTheCones) {
  for (const double beta : {0.01, 0.05}) {
    for (const std::uint64_t seed : {3u, 7u, 11u, 13u}) {
      SCOPED_TRACE("beta " + std::to_string(beta) + " seed " + std::to_string(seed));
      const ConvexProblem problem = planted_problem(30, seed, beta);
      ASSERT_EQ(problem.num_patterns(), 3);

      GatedReluOptions gated_options;
      gated_options.relative_gap_tolerance = kTolerance;
      gated_options.rfista.max_iterations = 50000;
      GatedReluSolution gated;
      const SolverSummary gated_summary = solve_gated_relu(problem, gated_options, &gated);
      ASSERT_EQ(gated_summary.status, SolverStatus::kConverged) << gated_summary.full_report();

      // The condition under which both programs have the same optimum, checked on the solution.
      Eigen::MatrixXd relu_point;
      ASSERT_TRUE(gated_blocks_in_their_cones(problem, gated.blocks, &relu_point));
      EXPECT_NEAR(problem.objective(relu_point), gated_objective(problem, gated.blocks), 1e-10);

      AdmmSolution admm;
      const SolverSummary admm_summary = solve_admm(problem, admm_options(kTolerance), &admm);
      ASSERT_EQ(admm_summary.status, SolverStatus::kConverged) << admm_summary.full_report();
      expect_same_optimum({gated_summary.network_objective, gated_summary.lower_bound},
                          {admm_summary.network_objective, admm_summary.lower_bound});
    }
  }
}

// minimize_group_lasso on a hand-written smooth part (not the gated solver's products), certified
// by the gated dual bound at its point, against ADMM on the ReLU program.
TEST(SolverAgreement, GroupLassoByRFistaMatchesAdmmOnAPlantedProblem) {
  const ConvexProblem problem = planted_problem(30, 5, 0.02);
  const GatedSquaredLoss smooth(problem);
  RFistaOptions options;
  options.subgradient_tolerance = 1e-18;
  options.max_iterations = 100000;
  RFistaState state;
  const RFistaResult result = minimize_group_lasso(smooth, problem.beta, problem.dim(),
                                                   problem.num_patterns(), options, &state);
  ASSERT_EQ(result.stop, RFistaStop::kConverged) << to_string(result.stop);
  const Eigen::MatrixXd& blocks = state.iterate;
  const double upper = smooth.value(blocks) + problem.beta * blocks.colwise().norm().sum();
  EXPECT_NEAR(upper, result.objective, 1e-12 * std::max(1.0, upper));
  // Its own certificate (science.md 11.2) with lambda = grad l at its prediction.
  const GatedDualBound bound =
      gated_dual_lower_bound(problem, smooth.prediction(blocks) - problem.y);
  ASSERT_LE(upper - bound.lower_bound, kTolerance * std::max(1.0, upper));

  Eigen::MatrixXd relu_point;
  ASSERT_TRUE(gated_blocks_in_their_cones(problem, blocks, &relu_point));
  AdmmSolution admm;
  const SolverSummary admm_summary = solve_admm(problem, admm_options(kTolerance), &admm);
  ASSERT_EQ(admm_summary.status, SolverStatus::kConverged) << admm_summary.full_report();
  expect_same_optimum({upper, bound.lower_bound},
                      {admm_summary.network_objective, admm_summary.lower_bound});
}

// The same comparison where the condition fails (exact XOR patterns): the gated optimum is
// strictly below the ReLU program's certified lower bound, so the assertions above can fail.
TEST(SolverAgreement, GatedOptimumOutsideTheConesIsStrictlyBelow) {
  const TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.05);
  const ConvexProblem problem =
      prepare_problem(testing::random_xor(14, 8), nullptr, config).problem;
  GatedReluOptions gated_options;
  gated_options.relative_gap_tolerance = kTolerance;
  GatedReluSolution gated;
  const SolverSummary gated_summary = solve_gated_relu(problem, gated_options, &gated);
  ASSERT_EQ(gated_summary.status, SolverStatus::kConverged) << gated_summary.full_report();
  Eigen::MatrixXd relu_point;
  EXPECT_FALSE(gated_blocks_in_their_cones(problem, gated.blocks, &relu_point));
  AdmmSolution admm;
  const SolverSummary admm_summary = solve_admm(problem, admm_options(kTolerance), &admm);
  ASSERT_EQ(admm_summary.status, SolverStatus::kConverged);
  EXPECT_LT(gated_summary.network_objective, admm_summary.lower_bound);
}

// The augmented Lagrangian without the interior-point polish (first order only) certifies a
// relative gap of 1e-6 and lands on ADMM's certified optimum (ADMM to 1e-9) within it. Measured:
// squared loss ~14k R-FISTA iterations, logistic ~45k (above the default limit of 20000).
TEST(SolverAgreement, AugmentedLagrangianWithoutPolishReachesTheAdmmOptimum) {
  constexpr double kTight = 1e-6;
  for (const LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    SCOPED_TRACE(to_string(loss));
    const TrainingConfig config = testing::exact_config(loss, 0.05);
    const ConvexProblem problem =
        prepare_problem(testing::random_xor(12, 6), nullptr, config).problem;
    AdmmSolution admm;
    const SolverSummary reference = solve_admm(problem, admm_options(1e-9), &admm);
    ASSERT_EQ(reference.status, SolverStatus::kConverged) << reference.full_report();

    AugmentedLagrangianOptions options;
    options.polish = false;
    options.relative_gap_tolerance = kTight;
    options.max_iterations = 200000;
    AugmentedLagrangianSolution al;
    const SolverSummary summary = solve_augmented_lagrangian(problem, options, &al);
    ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.full_report();
    EXPECT_EQ(summary.polish_successes, 0);
    EXPECT_LE(summary.relative_gap, kTight);
    EXPECT_LE(summary.max_cone_violation, 1e-12);  // U from a feasible point
    const double scale = std::max(1.0, std::abs(reference.network_objective));
    EXPECT_LE(summary.lower_bound, reference.network_objective + 1e-12 * scale);
    EXPECT_LE(reference.lower_bound, summary.network_objective + 1e-12 * scale);
    EXPECT_NEAR(summary.network_objective, reference.network_objective, kTight * scale);
  }
}

}  // namespace
}  // namespace convexnn
