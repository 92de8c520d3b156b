// The Nystrom preconditioner, preconditioned CG, and the gated ReLU program by Nystrom ADMM
// (CRONOS), against direct solves and against R-FISTA's certified optimum.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "convexnn/errors.h"
#include "convexnn/gated_admm.h"
#include "convexnn/nystrom_preconditioner.h"
#include "convexnn/preconditioned_conjugate_gradient.h"
#include "convexnn/random.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

Eigen::MatrixXd gaussian(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd matrix(rows, cols);
  for (Eigen::Index k = 0; k < matrix.size(); ++k) matrix(k) = rng.normal();
  return matrix;
}

BlockOperator dense_operator(const Eigen::MatrixXd& A) {
  return [&A](const Eigen::MatrixXd& V) { return Eigen::MatrixXd(A * V); };
}

TEST(NystromPreconditioner, RecoversALowRankOperatorExactly) {
  const Eigen::MatrixXd factor = gaussian(60, 5, 1);
  const Eigen::MatrixXd A = factor * factor.transpose();  // rank 5
  const NystromPreconditioner nystrom(60, 12, dense_operator(A), 7);
  const Eigen::MatrixXd& U = nystrom.basis();
  const Eigen::MatrixXd approximation = U * nystrom.eigenvalues().asDiagonal() * U.transpose();
  EXPECT_LT((approximation - A).norm(), 1e-8 * A.norm());
  // Eigenvalues descending and non-negative; the top ones are A's.
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> exact(A);
  for (Eigen::Index k = 0; k < 5; ++k) {
    EXPECT_NEAR(nystrom.eigenvalues()[k], exact.eigenvalues()[59 - k],
                1e-8 * exact.eigenvalues()[59]);
  }
  for (Eigen::Index k = 5; k < 12; ++k) EXPECT_GE(nystrom.eigenvalues()[k], 0.0);
  // On an exactly captured operator with lambda_s = 0, P^{-1} (A + mu I) = mu I.
  const double mu = 0.3;
  const Eigen::VectorXd v = gaussian(60, 1, 3);
  const Eigen::VectorXd Av = A * v + mu * v;
  EXPECT_LT((nystrom.apply_inverse(Av, mu) - mu * v).norm(), 1e-7 * (A.norm() * v.norm()));
}

TEST(NystromPreconditioner, RejectsAnInvalidOperator) {
  const Eigen::MatrixXd A = -Eigen::MatrixXd::Identity(5, 5);  // negative definite
  EXPECT_THROW(NystromPreconditioner(5, 3, dense_operator(A), 1), InputError);
  EXPECT_THROW(NystromPreconditioner(0, 3, dense_operator(A), 1), InputError);
}

TEST(PreconditionedConjugateGradient, SolvesTheShiftedSystemAndTheSketchCutsIterations) {
  // A with a decaying spectrum, like X^T X of image data.
  const Eigen::Index N = 200;
  const Eigen::MatrixXd Q = Eigen::HouseholderQR<Eigen::MatrixXd>(gaussian(N, N, 5)).householderQ();
  Eigen::VectorXd spectrum(N);
  for (Eigen::Index k = 0; k < N; ++k) spectrum[k] = 1e6 * std::pow(0.9, static_cast<double>(k));
  const Eigen::MatrixXd A = Q * spectrum.asDiagonal() * Q.transpose();
  const double mu = 1.0;
  const Eigen::VectorXd b = gaussian(N, 1, 6);
  const Eigen::VectorXd exact = (A + mu * Eigen::MatrixXd::Identity(N, N)).ldlt().solve(b);
  auto apply = [&](const Eigen::VectorXd& v) { return Eigen::VectorXd(A * v + mu * v); };
  const NystromPreconditioner nystrom(N, 80, dense_operator(A), 9);

  Eigen::VectorXd plain_x, preconditioned_x;
  const ConjugateGradientResult plain = preconditioned_conjugate_gradient(
      apply, [](const Eigen::VectorXd& v) { return v; }, b, 1e-9, 20000, &plain_x);
  const ConjugateGradientResult preconditioned = preconditioned_conjugate_gradient(
      apply, [&](const Eigen::VectorXd& v) { return nystrom.apply_inverse(v, mu); }, b, 1e-9, 20000,
      &preconditioned_x);
  ASSERT_TRUE(plain.converged);
  ASSERT_TRUE(preconditioned.converged);
  EXPECT_LT((preconditioned_x - exact).norm(), 1e-6 * exact.norm());
  EXPECT_LT((plain_x - exact).norm(), 1e-6 * exact.norm());
  EXPECT_LE(preconditioned.relative_residual, 1e-9);
  // lambda_80 = 1e6 * 0.9^79 ~ 240: the preconditioned condition number is ~ 240 instead of 1e6.
  EXPECT_LT(preconditioned.iterations * 3, plain.iterations);
  // A warm start at the solution needs no iteration.
  Eigen::VectorXd warm = exact;
  EXPECT_EQ(preconditioned_conjugate_gradient(
                apply, [](const Eigen::VectorXd& v) { return v; }, b, 1e-8, 1000, &warm)
                .iterations,
            0);
}

// A sampled-pattern problem in d = 6 (random data, 80 samples, 30 patterns).
ConvexProblem sampled_problem(LossKind loss) {
  Rng rng(21);
  Dataset data;
  data.X = gaussian(80, 5, 22);
  data.y.resize(80);
  for (Eigen::Index k = 0; k < 80; ++k) {
    data.y[k] = data.X(k, 0) * data.X(k, 1) + 0.3 * data.X(k, 2) >= 0 ? 1.0 : -1.0;
  }
  data.feature_names = {"a", "b", "c", "d", "e"};
  TrainingConfig config;
  config.pattern_mode = PatternMode::kSampled;
  config.pattern_samples = 30;
  config.loss = loss;
  config.beta = 0.5;
  return prepare_problem(data, nullptr, config).problem;
}

TEST(GatedAdmm, ReachesTheCertifiedOptimumOfRFista) {
  const ConvexProblem problem = sampled_problem(LossKind::kSquared);
  GatedReluOptions fista;
  fista.method = GatedMethod::kRFista;
  fista.relative_gap_tolerance = 1e-9;
  fista.rfista.max_iterations = 50000;
  GatedReluSolution fista_solution;
  const SolverSummary reference = solve_gated_relu(problem, fista, &fista_solution);
  ASSERT_EQ(reference.status, SolverStatus::kConverged) << reference.message;

  GatedReluOptions admm = fista;
  admm.method = GatedMethod::kNystromAdmm;
  admm.relative_gap_tolerance = 1e-7;
  admm.admm.sketch_rank = 20;
  GatedReluSolution admm_solution;
  const SolverSummary summary = solve_gated_relu(problem, admm, &admm_solution);
  ASSERT_EQ(summary.status, SolverStatus::kConverged) << summary.message;
  EXPECT_EQ(summary.algorithm, "Nystrom ADMM");
  EXPECT_EQ(reference.algorithm, "R-FISTA");
  // Both certified: the optima agree to the certified gaps, and each bound brackets the other.
  EXPECT_NEAR(summary.network_objective, reference.network_objective,
              1e-6 * reference.network_objective);
  EXPECT_LE(summary.lower_bound, reference.network_objective * (1 + 1e-12));
  EXPECT_LE(reference.lower_bound, summary.network_objective * (1 + 1e-12));
  EXPECT_LE(summary.relative_gap, 1e-7);
  // The returned blocks have the reported objective.
  EXPECT_NEAR(gated_objective(problem, admm_solution.blocks), summary.network_objective,
              1e-12 * summary.network_objective);
  // The duality gap is never negative.
  EXPECT_GE(summary.gap, 0.0);
}

class RecordingObserver : public SolverObserver {
 public:
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    reports.push_back(report);
    return ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;
};

TEST(GatedAdmm, WarmStartResumesAtTheBestPointAndItsPenalty) {
  const ConvexProblem problem = sampled_problem(LossKind::kSquared);
  GatedReluOptions options;
  options.method = GatedMethod::kNystromAdmm;
  options.relative_gap_tolerance = 1e-4;
  GatedReluSolution solution;
  const SolverSummary cold = solve_gated_relu(problem, options, &solution);
  ASSERT_EQ(cold.status, SolverStatus::kConverged) << cold.message;
  EXPECT_EQ(solution.admm_rho, cold.final_rho);
  // A tighter tolerance continues from there: the first iterate is no worse than the cold run's
  // best, and the penalty carries over.
  options.relative_gap_tolerance = 1e-7;
  RecordingObserver observer;
  SolveContext context;
  context.observer = &observer;
  const SolverSummary warm = solve_gated_relu(problem, options, &solution, context);
  ASSERT_EQ(warm.status, SolverStatus::kConverged) << warm.message;
  ASSERT_FALSE(observer.reports.empty());
  EXPECT_LE(observer.reports.front().best_network_objective, cold.network_objective * (1 + 1e-12));
  EXPECT_LE(warm.network_objective, cold.network_objective * (1 + 1e-12));
  EXPECT_LE(warm.relative_gap, 1e-7);
}

TEST(GatedAdmm, NeedsTheSquaredLossAndValidOptions) {
  GatedReluOptions options;
  options.method = GatedMethod::kNystromAdmm;
  GatedReluSolution solution;
  const SolverSummary logistic =
      solve_gated_relu(sampled_problem(LossKind::kLogistic), options, &solution);
  EXPECT_EQ(logistic.status, SolverStatus::kInvalidOptions);
  EXPECT_NE(logistic.message.find("squared"), std::string::npos) << logistic.message;
  // auto never picks ADMM for a loss it cannot handle, nor for small d.
  GatedReluOptions automatic;
  EXPECT_EQ(resolved_gated_method(sampled_problem(LossKind::kLogistic), automatic),
            GatedMethod::kRFista);
  EXPECT_EQ(resolved_gated_method(sampled_problem(LossKind::kSquared), automatic),
            GatedMethod::kRFista);

  options.admm.relaxation = 2.5;
  EXPECT_NE(options.validate().find("admm.relaxation"), std::string::npos);
  options.admm = GatedAdmmOptions{};
  options.admm.sketch_rank = 0;
  EXPECT_NE(options.validate().find("admm.sketch_rank"), std::string::npos);
  EXPECT_EQ(parse_gated_method("admm"), GatedMethod::kNystromAdmm);
  EXPECT_THROW(parse_gated_method("newton"), InputError);
}

}  // namespace
}  // namespace convexnn
