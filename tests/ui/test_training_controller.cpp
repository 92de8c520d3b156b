// The GUI's training controller against the real core solver: convergence, live data, warm
// restarts on parameter changes, pause/step, cancel and reset.
#include <QSignalSpy>
#include <QTest>

#include "convexnn/data_split.h"
#include "convexnn/generators.h"
#include "training_controller.h"

using convexnn::Dataset;
using convexnn::GeneratorSettings;
using convexnn::PatternMode;
using convexnn::SolverStatus;
using convexnn::TrainingConfig;
using convexnn::ui::BoundaryGridSpec;
using convexnn::ui::TrainingController;

namespace {

Dataset make_data(const std::string& name, int n) {
  GeneratorSettings settings;
  settings.name = name;
  settings.n = n;
  settings.noise = 0.1;
  settings.seed = 3;
  return convexnn::generate_dataset(settings);
}

// The demo the CLI certifies in about a second: moons, 30 training points, exact patterns.
Dataset demo_training_set() {
  GeneratorSettings settings;
  settings.name = "moons";
  settings.n = 40;
  for (const auto& info : convexnn::dataset_generators()) {
    if (info.name == settings.name) settings.noise = info.default_noise;
  }
  settings.seed = 1;
  return convexnn::split_train_test(convexnn::generate_dataset(settings), 0.25, 1).train;
}

TrainingConfig exact_config(double beta) {
  TrainingConfig config;
  config.pattern_mode = PatternMode::kExact;
  config.beta = beta;
  return config;
}

// A run that lasts long enough to be interrupted: sampled patterns, unreachable tolerance.
TrainingConfig long_config(double beta) {
  TrainingConfig config;
  config.pattern_mode = PatternMode::kSampled;
  config.pattern_samples = 60;
  config.beta = beta;
  config.admm.relative_gap_tolerance = 1e-14;
  config.admm.max_iterations = 4000000;
  return config;
}

std::int64_t last_iteration(const TrainingController& controller) {
  return controller.history().empty() ? 0 : controller.history().last().iteration;
}

// Runs `config` on the demo set to the end and checks the controller's finished state: the final
// snapshot is the result's network, sampled on the grid.
// `reports` (optional) receives the run's iteration reports as the charts see them.
void train_and_check_final_grid(const TrainingConfig& config, convexnn::SolverSummary* summary,
                                std::vector<convexnn::IterationReport>* reports = nullptr) {
  TrainingController controller;
  BoundaryGridSpec grid;
  grid.rows = 30;
  grid.cols = 40;
  controller.setData(demo_training_set(), std::nullopt, grid);
  controller.setConfig(config);
  QSignalSpy finished(&controller, &TrainingController::finished);
  QSignalSpy failed(&controller, &TrainingController::failed);
  controller.run();
  QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || failed.count() == 1, 120000);
  QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.front().front().toString()));
  QCOMPARE(controller.state(), TrainingController::State::kIdle);
  QVERIFY(controller.lastResult().has_value());
  const convexnn::TrainingResult& result = *controller.lastResult();
  QCOMPARE(result.network.activation, config.activation);
  QCOMPARE(result.summary.solver, config.solver);
  QVERIFY(result.summary.relative_gap >= 0);
  const auto snapshot = controller.latestNetwork();
  QVERIFY(snapshot);
  QVERIFY(snapshot->final);
  QCOMPARE(snapshot->network.activation, config.activation);
  const Eigen::MatrixXd expected = result.network.evaluate_grid(grid.x_min, grid.x_max, grid.y_min,
                                                                grid.y_max, grid.rows, grid.cols);
  QCOMPARE(snapshot->grid.rows(), 30);
  QVERIFY((snapshot->grid - expected).cwiseAbs().maxCoeff() < 1e-12);
  // The grid is the network's output: it is not the zero network.
  QVERIFY(expected.cwiseAbs().maxCoeff() > 1e-3);
  *summary = result.summary;
  if (reports) *reports = controller.history().reports();
  // The status bar's iteration count matches the final snapshot's.
  QCOMPARE(snapshot->iteration, controller.history().last().iteration);
}

}  // namespace

class TrainingControllerTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void trainsToACertifiedOptimumAndPublishesData() {
    TrainingController controller;
    BoundaryGridSpec grid;
    grid.rows = 40;
    grid.cols = 50;
    controller.setData(demo_training_set(), std::nullopt, grid);
    controller.setConfig(exact_config(0.1));
    QSignalSpy finished(&controller, &TrainingController::finished);
    QSignalSpy networks(&controller, &TrainingController::networkUpdated);
    controller.run();
    QCOMPARE(controller.state(), TrainingController::State::kRunning);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QCOMPARE(controller.state(), TrainingController::State::kIdle);
    QVERIFY(controller.lastResult().has_value());
    const convexnn::SolverSummary& summary = controller.lastResult()->summary;
    QVERIFY2(summary.certifies_global_optimum(), summary.brief_report().c_str());
    // Every iteration was reported, in order, and the last report is the final one.
    const auto& reports = controller.history().reports();
    QCOMPARE(static_cast<std::int64_t>(reports.size()), summary.iterations);
    for (std::size_t i = 0; i < reports.size(); ++i) {
      QCOMPARE(reports[i].iteration, static_cast<std::int64_t>(i + 1));
    }
    QVERIFY(reports.back().lower_bound <= reports.back().best_network_objective + 1e-12);
    // The final snapshot is the result, sampled on the requested grid.
    QVERIFY(networks.count() >= 1);
    const auto snapshot = controller.latestNetwork();
    QVERIFY(snapshot);
    QVERIFY(snapshot->final);
    QCOMPARE(snapshot->grid.rows(), 40);
    QCOMPARE(snapshot->grid.cols(), 50);
    const Eigen::MatrixXd expected = controller.lastResult()->network.evaluate_grid(
        grid.x_min, grid.x_max, grid.y_min, grid.y_max, grid.rows, grid.cols);
    QVERIFY((snapshot->grid - expected).cwiseAbs().maxCoeff() < 1e-12);
  }

  void changingBetaMidRunRestartsWarmWithTheNewValue() {
    TrainingController controller;
    controller.setData(make_data("gaussians", 120), std::nullopt, std::nullopt);
    controller.setConfig(long_config(0.05));
    controller.run();
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= 200, 60000);
    const double cold_start_objective =
        controller.history().reports().front().best_network_objective;
    controller.setConfig(long_config(0.1));
    QTRY_COMPARE_WITH_TIMEOUT(controller.runsStarted(), 2, 30000);
    const std::int64_t restart_iteration = controller.lastResult()->summary.iterations;
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= restart_iteration + 50, 60000);
    // The count continues, and the restarted run starts near the previous solution, far below
    // where a cold start begins.
    const auto& reports = controller.history().reports();
    const auto first_after = std::find_if(reports.begin(), reports.end(), [&](const auto& r) {
      return r.iteration == restart_iteration + 1;
    });
    QVERIFY(first_after != reports.end());
    QVERIFY(first_after->best_network_objective < 0.5 * cold_start_objective);
    QCOMPARE(controller.lastResultConfig().beta, 0.05);  // the interrupted run's settings
    controller.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), TrainingController::State::kIdle, 10000);
    QCOMPARE(controller.lastResultConfig().beta, 0.1);  // the restarted run got the new beta
    QCOMPARE(controller.lastResult()->summary.status, SolverStatus::kCancelled);
  }

  void pauseHoldsTheSolverAndStepAdvancesExactly() {
    TrainingController controller;
    controller.setData(make_data("moons", 100), std::nullopt, std::nullopt);
    TrainingConfig config = long_config(0.05);
    // No polishing: a polish makes its iteration last long enough to look like a settled count
    // (the pause takes effect after the iteration in flight reports).
    config.admm.polish = false;
    controller.setConfig(config);
    controller.run();
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= 20, 60000);
    controller.pause();
    QCOMPARE(controller.state(), TrainingController::State::kPaused);
    // The iteration in flight when pausing still reports; on a loaded machine that can take a
    // while, so wait until the count settles, then check it stays put.
    std::int64_t held = last_iteration(controller);
    for (int attempt = 0; attempt < 20; ++attempt) {
      QTest::qWait(300);
      if (last_iteration(controller) == held) break;
      held = last_iteration(controller);
    }
    QTest::qWait(300);
    QCOMPARE(last_iteration(controller), held);
    controller.step(10);
    QTRY_COMPARE_WITH_TIMEOUT(last_iteration(controller), held + 10, 10000);
    QTest::qWait(300);
    QCOMPARE(last_iteration(controller), held + 10);
    controller.run();
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) > held + 20, 10000);
    controller.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), TrainingController::State::kIdle, 10000);
  }

  void cancelStopsPromptlyAndKeepsTheResult() {
    TrainingController controller;
    controller.setData(make_data("spiral", 150), std::nullopt, std::nullopt);
    controller.setConfig(long_config(0.01));
    QSignalSpy finished(&controller, &TrainingController::finished);
    controller.run();
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= 10, 60000);
    controller.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), TrainingController::State::kIdle, 5000);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(controller.lastResult()->summary.status, SolverStatus::kCancelled);
    QVERIFY(controller.lastResult()->network.width() >= 0);
  }

  void cancelWhilePausedDoesNotHang() {
    TrainingController controller;
    controller.setData(make_data("circle", 100), std::nullopt, std::nullopt);
    controller.setConfig(long_config(0.01));
    controller.step(5);
    QTRY_COMPARE_WITH_TIMEOUT(last_iteration(controller), 5, 60000);
    QCOMPARE(controller.state(), TrainingController::State::kPaused);
    controller.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), TrainingController::State::kIdle, 5000);
  }

  void resetDiscardsTheRun() {
    TrainingController controller;
    controller.setData(make_data("xor", 100), std::nullopt, std::nullopt);
    controller.setConfig(long_config(0.01));
    QSignalSpy finished(&controller, &TrainingController::finished);
    controller.run();
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= 10, 60000);
    controller.reset();
    QCOMPARE(controller.state(), TrainingController::State::kIdle);
    QVERIFY(controller.history().empty());
    QTest::qWait(500);
    QVERIFY(controller.history().empty());
    QCOMPARE(finished.count(), 0);
    QVERIFY(!controller.lastResult().has_value());
    // A new run starts from zero, at iteration 1.
    controller.run();
    QTRY_VERIFY_WITH_TIMEOUT(!controller.history().empty(), 60000);
    QCOMPARE(controller.history().reports().front().iteration, 1);
  }

  void invalidSettingsReportTheCoreMessage() {
    TrainingController controller;
    controller.setData(make_data("xor", 200), std::nullopt, std::nullopt);
    controller.setConfig(exact_config(0.1));  // 200 samples: too many for exact enumeration
    QSignalSpy failed(&controller, &TrainingController::failed);
    controller.run();
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
    QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("exact")));
    QCOMPARE(controller.state(), TrainingController::State::kIdle);
  }

  void destroyingDuringARunIsSafe() {
    auto controller = std::make_unique<TrainingController>();
    controller->setData(make_data("moons", 150), std::nullopt, std::nullopt);
    controller->setConfig(long_config(0.01));
    controller->run();
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(*controller) >= 5, 60000);
    controller.reset();  // joins the worker; must neither hang nor crash
    QTest::qWait(100);   // a queued completion for the dead object must be dropped
  }

  void changingActivationAndSolverMidRunRestartsWithThem() {
    TrainingController controller;
    controller.setData(make_data("gaussians", 120), std::nullopt, std::nullopt);
    controller.setConfig(long_config(0.05));
    controller.run();
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= 50, 60000);
    TrainingConfig leaky = long_config(0.05);
    leaky.activation = convexnn::Activation::leaky_relu(0.3);
    controller.setConfig(leaky);
    QTRY_COMPARE_WITH_TIMEOUT(controller.runsStarted(), 2, 30000);
    // The interrupted run's result is the ReLU one; the running one trains the leaky ReLU.
    QCOMPARE(controller.lastResult()->network.activation, convexnn::Activation::relu());
    const std::int64_t restart = last_iteration(controller);
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= restart + 20, 60000);
    TrainingConfig gated = leaky;
    gated.solver = convexnn::SolverKind::kGated;
    gated.gated.relative_gap_tolerance = 1e-14;
    gated.gated.rfista.max_iterations = 4000000;
    // Keep it running until cancelled: on this small problem R-FISTA certifies a gap of 1e-14 and
    // a 1e-20 subgradient within a fraction of a second, so neither is checked.
    gated.gated.rfista.subgradient_tolerance = 0.0;
    gated.gated.certificate_interval = 1000000000;
    controller.setConfig(gated);
    QTRY_COMPARE_WITH_TIMEOUT(controller.runsStarted(), 3, 30000);
    QCOMPARE(controller.lastResult()->network.activation, leaky.activation);
    QCOMPARE(controller.lastResult()->summary.solver, convexnn::SolverKind::kAdmm);
    QCOMPARE(controller.lastResultConfig().activation, leaky.activation);
    const std::int64_t gated_start = last_iteration(controller);
    QTRY_VERIFY_WITH_TIMEOUT(last_iteration(controller) >= gated_start + 20, 60000);
    controller.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(controller.state(), TrainingController::State::kIdle, 10000);
    QCOMPARE(controller.lastResult()->summary.solver, convexnn::SolverKind::kGated);
    QCOMPARE(controller.lastResult()->network.activation, leaky.activation);
  }

  void leakyReluRunFinishesWithTheNetworkOnTheGrid() {
    TrainingConfig config = exact_config(0.1);
    config.activation = convexnn::Activation::leaky_relu(0.2);
    convexnn::SolverSummary summary;
    train_and_check_final_grid(config, &summary);
    QVERIFY2(summary.certifies_global_optimum(), summary.brief_report().c_str());
  }

  void gatedRunFinishesWithTheDecomposedNetworkOnTheGrid() {
    TrainingConfig config = exact_config(0.1);
    config.solver = convexnn::SolverKind::kGated;
    config.gated.rfista.max_iterations = 3000;
    convexnn::SolverSummary summary;
    train_and_check_final_grid(config, &summary);
    // The decomposed ReLU network is feasible for the ReLU program, which the gated program
    // relaxes: its objective is at least the relaxation's.
    QVERIFY(std::isfinite(summary.decomposed_objective));
    QVERIFY(summary.decomposed_objective >= summary.network_objective - 1e-9);
    QVERIFY(!summary.certifies_global_optimum());
  }

  void scpRunFinishesWithTheRandomFeatureNetworkOnTheGrid() {
    TrainingConfig config = exact_config(0.1);
    config.solver = convexnn::SolverKind::kRandomFeatures;
    config.random_features.features = 150;
    config.set_stopping_rule(3000, 1e-6, 0.0);
    convexnn::SolverSummary summary;
    std::vector<convexnn::IterationReport> reports;
    train_and_check_final_grid(config, &summary, &reports);
    QCOMPARE(summary.num_patterns, 150);
    QVERIFY(!reports.empty());
    // The certificate covers the sampled neurons only, never the global optimum.
    QVERIFY(!summary.certifies_global_optimum());
  }

  void growPatternsRunFinishesWithAMonotoneIterationAxis() {
    TrainingConfig config = exact_config(0.1);
    config.pattern_mode = PatternMode::kSampled;
    config.pattern_samples = 4;  // too few: fresh patterns will violate the certificate
    config.generate_patterns = true;
    config.pattern_generation.batch_size = 50;
    config.pattern_generation.max_rounds = 6;
    config.set_stopping_rule(20000, 1e-5, 0.0);
    convexnn::SolverSummary summary;
    std::vector<convexnn::IterationReport> reports;
    train_and_check_final_grid(config, &summary, &reports);
    // Growing happened (otherwise the axis test below is vacuous) ...
    QVERIFY(summary.num_patterns > 4);
    QVERIFY(!reports.empty());
    // ... and the iteration axis never goes back although each round restarts its count.
    for (std::size_t i = 1; i < reports.size(); ++i) {
      QVERIFY2(reports[i].iteration > reports[i - 1].iteration,
               qPrintable(QStringLiteral("report %1: iteration %2 after %3")
                              .arg(i)
                              .arg(reports[i].iteration)
                              .arg(reports[i - 1].iteration)));
      QVERIFY(reports[i].elapsed_seconds >= reports[i - 1].elapsed_seconds);
    }
  }
};

QTEST_MAIN(TrainingControllerTest)
#include "test_training_controller.moc"
