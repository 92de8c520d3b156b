// The back-propagation panel's "Certify best seed" (science.md 8.3), headless: the lowest-objective
// seed is certified on its own and fresh patterns off the GUI thread, the convex program re-solved
// from it is never worse than the network, and the panel shows the verdict.
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <algorithm>
#include <cmath>

#include "baseline_panel.h"
#include "convexnn/data_split.h"
#include "convexnn/generators.h"
#include "training_controller.h"

using convexnn::Dataset;
using convexnn::GeneratorSettings;
using convexnn::PatternMode;
using convexnn::TrainingConfig;
using convexnn::ui::BaselinePanel;
using convexnn::ui::TrainingController;

namespace {

Dataset moons(std::uint64_t seed) {
  GeneratorSettings settings;
  settings.name = "moons";
  settings.n = 40;
  settings.noise = 0.1;
  settings.seed = seed;
  return convexnn::split_train_test(convexnn::generate_dataset(settings), 0.25, 1).train;
}

TrainingConfig small_config() {
  TrainingConfig config;
  config.pattern_mode = PatternMode::kSampled;
  config.pattern_samples = 100;  // fresh patterns of the certificate
  config.beta = 0.1;
  config.admm.relative_gap_tolerance = 1e-6;
  config.admm.max_iterations = 20000;
  return config;
}

}  // namespace

class BaselinePanelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void certifiesTheBestSeedAndResolvesFromIt() {
    TrainingController controller;
    controller.setData(moons(1), std::nullopt, std::nullopt);
    controller.setConfig(small_config());
    BaselinePanel panel(&controller);
    auto* button = panel.findChild<QPushButton*>(QStringLiteral("certifyBestSeed"));
    QVERIFY(button != nullptr);
    QVERIFY(!button->isEnabled());  // nothing to certify before back-propagation ran

    // Short runs: the seeds stop well short of any optimum.
    panel.setOptions(3, convexnn::NonconvexOptimizer::kAdam, 300);
    QSignalSpy finished(&panel, &BaselinePanel::finished);
    QSignalSpy failed(&panel, &BaselinePanel::failed);
    panel.run();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QVERIFY(button->isEnabled());

    QSignalSpy certified(&panel, &BaselinePanel::certified);
    QTest::mouseClick(button, Qt::LeftButton);  // runs in the background
    QTRY_COMPARE_WITH_TIMEOUT(certified.count(), 1, 120000);
    QCOMPARE(failed.count(), 0);
    QVERIFY(button->isEnabled());

    const auto& seeds = panel.outcome()->seeds;
    const auto best = std::min_element(
        seeds.begin(), seeds.end(),
        [](const auto& a, const auto& b) { return a.result.objective < b.result.objective; });
    const auto& outcome = panel.certifyOutcome();
    QVERIFY(outcome.has_value());
    QCOMPARE(outcome->seed, best->result.seed);
    QVERIFY(outcome->certificate.has_value());
    QVERIFY(outcome->resolved.has_value());
    const convexnn::NetworkCertificate& certificate = *outcome->certificate;
    const convexnn::NetworkResolveResult& resolved = *outcome->resolved;
    // The certificate is about that seed's network, on the controller's data and settings.
    QVERIFY(std::abs(certificate.network_objective - best->result.objective) <=
            1e-9 * std::max(1.0, best->result.objective));
    QCOMPARE(certificate.fresh_patterns.num_samples(), controller.trainData().num_samples());
    QVERIFY(certificate.fresh_patterns.num_patterns() <= 100);
    // The re-solve starts at the network, so it is never worse (up to rounding), and its lower
    // bound is below its value.
    const double network = certificate.network_objective;
    const double after = resolved.summary.network_objective;
    QVERIFY2(after <= network * (1 + 1e-12),
             qPrintable(QStringLiteral("re-solved %1 > network %2").arg(after).arg(network)));
    QVERIFY(resolved.summary.lower_bound <= after + 1e-12);
    QVERIFY(resolved.problem.num_patterns() ==
            certificate.own_problem.num_patterns() +
                static_cast<Eigen::Index>(certificate.violations.size()));
    // 300 Adam epochs do not reach the optimum: fresh patterns find descent directions.
    QVERIFY(!certificate.violations.empty());
    QVERIFY(after < network);

    // The verdict in the panel: own-pattern gap, violated fresh patterns, both objectives.
    const QString text = panel.certificateText();
    QVERIFY2(text.contains(QStringLiteral("Seed %1").arg(best->result.seed)), qPrintable(text));
    QVERIFY2(text.contains(
                 QStringLiteral("relative gap %1").arg(certificate.own_relative_gap, 0, 'g', 2)),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("%1 of %2 fresh patterns violate")
                               .arg(certificate.violations.size())
                               .arg(certificate.fresh_patterns.num_patterns())),
             qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("objective %1 vs the network's %2")
                               .arg(after, 0, 'g', 6)
                               .arg(network, 0, 'g', 6)),
             qPrintable(text));

    // New data: the seeds no longer describe it, so the panel refuses and says why.
    controller.setData(moons(2), std::nullopt, std::nullopt);
    panel.certifyBestSeed();
    QVERIFY(!panel.busy());
    QVERIFY(!panel.certifyOutcome().has_value());
    QVERIFY(panel.certificateText().contains(QStringLiteral("run it again")));
  }
};

QTEST_MAIN(BaselinePanelTest)
#include "test_baseline_panel.moc"
