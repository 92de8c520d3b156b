// The robust convex program (science.md 6.2) and its ADMM: oracles are the standard program's
// certified optimum (eps = 0), monotonicity in eps, brute force over the corners of each training
// ball, PGD, and the optimality conditions of the proximal maps.
#include <gtest/gtest.h>

#include <cmath>
#include <stop_token>

#include "convexnn/adversarial_attacks.h"
#include "convexnn/local_robustness.h"
#include "convexnn/network_recovery.h"
#include "convexnn/robust_prox.h"
#include "convexnn/robust_solver.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

struct RobustRun {
  SolverSummary summary;
  RobustSolution solution;
};

RobustRun solve(const ConvexProblem& problem, double epsilon, double tolerance = 1e-7,
                std::int64_t max_iterations = 40000) {
  RobustSolverOptions options;
  options.tolerance = tolerance;
  options.max_iterations = max_iterations;
  RobustRun run;
  run.summary = solve_robust(RobustProblem(problem, epsilon), options, &run.solution);
  return run;
}

TEST(RobustTraining, EpsilonZeroReproducesTheCertifiedStandardOptimum) {
  for (LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
    const Dataset data = testing::random_xor(12, 7);
    const TrainingConfig config = testing::exact_config(loss, 0.1, 1e-8);
    const PreparedProblem prepared = prepare_problem(data, nullptr, config);
    AdmmSolution standard;
    const SolverSummary certified = solve_admm(prepared.problem, config.admm, &standard);
    ASSERT_EQ(certified.status, SolverStatus::kConverged);
    const RobustRun robust = solve(prepared.problem, 0.0);
    EXPECT_EQ(robust.summary.status, SolverStatus::kConverged) << robust.summary.full_report();
    const double value = robust.summary.network_objective;
    // The certified interval [L, U] of the standard program contains the optimum.
    EXPECT_GE(value, certified.lower_bound - 1e-6 * value) << to_string(loss);
    EXPECT_LE(value, certified.network_objective + 1e-6 * value) << to_string(loss);
    EXPECT_NEAR(robust.summary.convex_objective, value, 1e-6 * value);
    EXPECT_TRUE(robust.summary.robust);
    EXPECT_FALSE(robust.summary.certifies_global_optimum());
  }
}

TEST(RobustTraining, OptimumIsNonDecreasingInEpsilon) {
  const Dataset data = testing::random_xor(10, 5);
  const TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  double previous = 0.0;
  double standard = 0.0;
  for (double epsilon : {0.0, 0.03, 0.1, 0.2}) {
    const RobustRun run = solve(prepared.problem, epsilon, 1e-6);
    if (epsilon == 0.0) standard = run.summary.network_objective;
    ASSERT_EQ(run.summary.status, SolverStatus::kConverged) << epsilon;
    EXPECT_GE(run.summary.network_objective, previous * (1 - 1e-6)) << epsilon;
    // Zero weights are feasible for every epsilon.
    EXPECT_LE(run.summary.network_objective, 0.5 * data.y.squaredNorm() * (1 + 1e-6));
    EXPECT_LT(run.summary.max_cone_violation, 1e-5);
    previous = run.summary.network_objective;
  }
  EXPECT_GT(previous, standard * 1.05);
}

// On 2-D data the recovered network is affine on every training ball (the robust cone
// constraints keep every neuron's state), so its worst case is at one of the 4 corners.
TEST(RobustTraining, PerSampleRobustLossIsTheWorstCornerOfEachBall) {
  for (LossKind loss : {LossKind::kSquared, LossKind::kHinge, LossKind::kLogistic}) {
    Dataset data = testing::random_xor(8, 19);
    data.X.col(1) *= 3.0;  // anisotropic, so z-scoring changes the ball's shape in problem units
    TrainingConfig config = testing::exact_config(loss, 0.2);
    config.standardize = true;
    const PreparedProblem prepared = prepare_problem(data, nullptr, config);
    const double epsilon = 0.08;  // in raw units
    const RobustRun run = solve(prepared.problem, epsilon, 1e-7, 20000);
    const RobustProblem robust(prepared.problem, epsilon);
    const Eigen::VectorXd per_sample = robust.sample_losses(run.solution.blocks);
    const TwoLayerNetwork network = recover_network(prepared.problem, run.solution.blocks);
    for (Eigen::Index k = 0; k < data.X.rows(); ++k) {
      double worst = -INFINITY;
      for (double s1 : {-1.0, 1.0}) {
        for (double s2 : {-1.0, 1.0}) {
          const Eigen::RowVector2d corner = data.X.row(k) + epsilon * Eigen::RowVector2d(s1, s2);
          worst = std::max(worst, loss_value(loss, network.predict(corner),
                                             Eigen::VectorXd::Constant(1, data.y[k])));
        }
      }
      EXPECT_NEAR(worst, per_sample[k], 1e-4 * std::max(1.0, worst))
          << to_string(loss) << " sample " << k;
    }
    // Summed, with the penalty: the network's adversarial objective equals the program's value.
    EXPECT_NEAR(run.summary.network_objective, run.summary.convex_objective,
                1e-4 * run.summary.convex_objective);
  }
}

TEST(RobustTraining, PgdNeverBeatsTheRobustLossAndTrainingPointsAreCertified) {
  GeneratorSettings settings;
  settings.name = "xor-clusters";
  settings.n = 80;
  settings.noise = 0.05;
  const Dataset data = generate_dataset(settings);
  TrainingConfig config;
  config.loss = LossKind::kHinge;
  config.beta = 0.1;
  config.pattern_samples = 30;
  config.epsilon = 0.1;
  config.admm.relative_gap_tolerance = 1e-6;
  config.admm.max_iterations = 6000;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);
  const TrainingResult result = train_network(prepared, config);
  ASSERT_TRUE(result.summary.robust);
  const RobustProblem robust(prepared.problem, config.epsilon);
  const Eigen::VectorXd per_sample = robust.sample_losses(result.solution.blocks);
  AttackOptions attack;
  attack.epsilon = config.epsilon;
  attack.objective = AttackObjective::kLoss;
  attack.loss = config.loss;
  attack.steps = 30;
  attack.random_start = true;
  const Eigen::MatrixXd adversarial = pgd_attack(result.network, data.X, data.y, attack);
  const Eigen::VectorXd attacked = result.network.predict(adversarial);
  const double slack = 1e-3 + 10 * result.summary.max_cone_violation;
  for (Eigen::Index k = 0; k < data.X.rows(); ++k) {
    const double loss = loss_value(config.loss, attacked.segment(k, 1), data.y.segment(k, 1));
    EXPECT_LE(loss, per_sample[k] + slack) << "sample " << k;
  }
  // Every sample whose worst-case margin is clearly positive is certified, and PGD cannot break a
  // certified sample.
  const Eigen::VectorXd margins =
      data.y.cwiseProduct(prepared.problem.predict(result.solution.blocks)) -
      robust.budgets(result.solution.blocks);
  const double certified =
      certified_robust_accuracy(result.network, data.X, data.y, config.epsilon);
  EXPECT_GE(certified, static_cast<double>((margins.array() > 1e-3).count()) / 80.0);
  attack.objective = AttackObjective::kMargin;
  const RobustnessMetrics metrics = evaluate_robustness(result.network, data.X, data.y, attack);
  EXPECT_LE(metrics.certified_accuracy, metrics.pgd_accuracy);
  EXPECT_GT(metrics.certified_accuracy, 0.85);  // 5% flipped labels, clusters well separated
}

class CountingObserver : public SolverObserver {
 public:
  explicit CountingObserver(int stop_after) : stop_after_(stop_after) {}
  ObserverAction on_iteration(const IterationReport& report, const IterateView& view) override {
    reports.push_back(report);
    width = view.network().width();
    return static_cast<int>(reports.size()) >= stop_after_ ? ObserverAction::kStop
                                                           : ObserverAction::kContinue;
  }
  std::vector<IterationReport> reports;
  Eigen::Index width = -1;

 private:
  int stop_after_;
};

TEST(RobustTraining, HonoursObserverStopTokenAndLimits) {
  const Dataset data = testing::random_xor(12, 3);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1);
  config.epsilon = 0.05;
  config.admm.report_every = 10;
  const PreparedProblem prepared = prepare_problem(data, nullptr, config);

  CountingObserver observer(3);
  const TrainingResult stopped = train_network(prepared, config, &observer);
  EXPECT_EQ(stopped.summary.status, SolverStatus::kCancelled);
  EXPECT_EQ(stopped.summary.iterations, 30);
  ASSERT_EQ(observer.reports.size(), 3u);
  for (const IterationReport& report : observer.reports) {
    EXPECT_TRUE(std::isfinite(report.robust_train_accuracy));
    EXPECT_GE(report.robust_train_accuracy, 0.0);
    EXPECT_LE(report.robust_train_accuracy, report.train_accuracy + 1e-12);
    EXPECT_TRUE(std::isfinite(report.convex_objective));
    EXPECT_TRUE(std::isfinite(report.primal_residual));
  }
  EXPECT_GE(observer.width, 0);

  std::stop_source source;
  source.request_stop();
  const TrainingResult cancelled = train_network(prepared, config, nullptr, source.get_token());
  EXPECT_EQ(cancelled.summary.status, SolverStatus::kCancelled);
  EXPECT_EQ(cancelled.summary.iterations, 0);

  config.admm.max_iterations = 7;
  const TrainingResult limited = train_network(prepared, config);
  EXPECT_EQ(limited.summary.status, SolverStatus::kIterationLimit);
  EXPECT_EQ(limited.summary.iterations, 7);
  EXPECT_NE(limited.summary.full_report().find("robust ADMM"), std::string::npos);
  EXPECT_NE(limited.summary.certificate_statement().find("not certified globally optimal"),
            std::string::npos);

  config.epsilon = -0.1;
  EXPECT_NE(config.validate().find("epsilon"), std::string::npos);
  config.epsilon = NAN;
  EXPECT_NE(config.validate().find("epsilon"), std::string::npos);
}

TEST(RobustTraining, ConvergedRobustRunOnExactPatternsIsNotCalledGloballyOptimal) {
  const Dataset data = testing::random_xor(10, 2);
  TrainingConfig config = testing::exact_config(LossKind::kSquared, 0.1, 1e-6);
  config.epsilon = 0.05;
  const TrainingResult result = train_network(prepare_problem(data, nullptr, config), config);
  ASSERT_EQ(result.summary.status, SolverStatus::kConverged);
  EXPECT_FALSE(result.summary.certifies_global_optimum());
  EXPECT_LE(result.summary.lower_bound, result.summary.network_objective);
}

// Projection onto {c_k >= ||a||_r}: the result is in the cone and satisfies the variational
// inequality <x0 - P(x0), p - P(x0)> <= 0 for points p of the cone.
TEST(RobustProx, ProjectionOntoTheRobustConeIsAProjection) {
  Rng rng(41);
  for (int trial = 0; trial < 200; ++trial) {
    const Eigen::Index n = 1 + static_cast<Eigen::Index>(rng.below(6));
    const Eigen::Index f = 1 + static_cast<Eigen::Index>(rng.below(3));
    Eigen::VectorXd radii = Eigen::VectorXd::NullaryExpr(f, [&] { return rng.uniform(0, 0.5); });
    if (trial % 7 == 0) radii[0] = 0.0;
    const Eigen::VectorXd c0 = Eigen::VectorXd::NullaryExpr(n, [&] { return rng.normal(); });
    const Eigen::VectorXd a0 = Eigen::VectorXd::NullaryExpr(f, [&] { return 3 * rng.normal(); });
    Eigen::VectorXd c = c0, a = a0;
    project_onto_robust_cone(c, a, radii);
    const double norm = radii.dot(a.cwiseAbs());
    EXPECT_GE(c.minCoeff(), norm - 1e-12);
    for (int sample = 0; sample < 50; ++sample) {
      Eigen::VectorXd pa = Eigen::VectorXd::NullaryExpr(f, [&] { return rng.normal(); });
      Eigen::VectorXd pc = Eigen::VectorXd::NullaryExpr(n, [&] { return rng.uniform(0, 2); });
      pc.array() += radii.dot(pa.cwiseAbs());
      const double inner = (c0 - c).dot(pc - c) + (a0 - a).dot(pa - a);
      EXPECT_LE(inner, 1e-10);
    }
  }
}

// prox of the worst-case loss: the value at the returned point is minimal among nearby points.
TEST(RobustProx, LossProxMinimizesItsObjective) {
  Rng rng(43);
  for (LossKind loss : {LossKind::kSquared, LossKind::kHinge, LossKind::kLogistic}) {
    for (int trial = 0; trial < 100; ++trial) {
      const Eigen::VectorXd radii =
          Eigen::VectorXd::NullaryExpr(2, [&] { return rng.uniform(0, 0.4); });
      const double y = rng.uniform() < 0.5 ? -1.0 : 1.0;
      const double rho = std::exp(rng.uniform(-2, 2));
      const double t0 = 2 * rng.normal();
      const Eigen::VectorXd q0 = Eigen::VectorXd::NullaryExpr(2, [&] { return 2 * rng.normal(); });
      auto objective = [&](double t, const Eigen::VectorXd& q) {
        return robust_sample_loss(loss, t, y, radii.dot(q.cwiseAbs())) +
               0.5 * rho * ((t - t0) * (t - t0) + (q - q0).squaredNorm());
      };
      double t = t0;
      Eigen::VectorXd q = q0;
      robust_loss_prox(loss, y, rho, radii, t, q);
      const double best = objective(t, q);
      for (int sample = 0; sample < 200; ++sample) {
        const double scale = sample < 100 ? 1e-3 : 0.3;
        const double tp = t + scale * rng.normal();
        const Eigen::VectorXd qp = q + scale * Eigen::Vector2d(rng.normal(), rng.normal());
        EXPECT_GE(objective(tp, qp), best - 1e-12) << to_string(loss);
      }
    }
  }
}

}  // namespace
}  // namespace convexnn
