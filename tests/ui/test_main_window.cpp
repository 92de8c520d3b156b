// The main window end to end, headless: training fills the charts and the boundary, CSV errors
// keep the old data, sessions round-trip, exports write files.
#include <QChartView>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <fstream>

#include "baseline_panel.h"
#include "boundary_panel.h"
#include "convexnn/model_json.h"
#include "dataset_panel.h"
#include "diverging_color_map.h"
#include "live_charts.h"
#include "main_window.h"
#include "model_panel.h"

using convexnn::GeneratorSettings;
using convexnn::PatternMode;
using convexnn::ui::MainWindow;
using convexnn::ui::TrainingController;

namespace {

struct RecordedErrors {
  QStringList titles;
  QStringList messages;
};

void capture_errors(MainWindow& window, RecordedErrors& errors) {
  window.setErrorHandler([&errors](const QString& title, const QString& message) {
    errors.titles.append(title);
    errors.messages.append(message);
  });
}

void write_text(const QString& path, const std::string& text) {
  std::ofstream(path.toStdString()) << text;
}

void use_small_exact_problem(MainWindow& window) {
  // The moons demo certifies in about a second (30 training points, exact patterns).
  GeneratorSettings settings;
  settings.name = "moons";
  settings.n = 40;
  settings.noise = 0.1;
  settings.seed = 1;
  window.datasetPanel()->setSplitSettings({0.25, 1});
  convexnn::TrainingConfig config = window.modelPanel()->config();
  config.pattern_mode = PatternMode::kExact;
  config.beta = 0.1;
  window.modelPanel()->setConfig(config);
  QVERIFY(window.generateDataset(settings));
  window.applyModelSettings();
}

void train_to_the_end(MainWindow& window) {
  QSignalSpy finished(window.controller(), &TrainingController::finished);
  window.controller()->run();
  QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
}

}  // namespace

class MainWindowTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void trainingFillsChartsBoundaryAndBadge() {
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    const int points = window.boundaryPanel()->view()->plottedPoints();
    QCOMPARE(points, 40);  // 30 train + 10 test, all drawn
    train_to_the_end(window);
    QVERIFY(errors.messages.isEmpty());
    QVERIFY(window.charts()->pointsIn(QStringLiteral("network U")) > 1);
    QVERIFY(window.charts()->pointsIn(QStringLiteral("lower bound L")) > 1);
    QVERIFY(window.charts()->pointsIn(QStringLiteral("relative gap")) > 1);
    QVERIFY(window.charts()->pointsIn(QStringLiteral("test")) > 1);
    QVERIFY(window.charts()->pointsIn(QStringLiteral("network U")) <=
            convexnn::ui::LiveCharts::kMaxPointsPerSeries + 1);
    const QImage& heatmap = window.boundaryPanel()->view()->heatmap();
    QVERIFY(!heatmap.isNull());
    // The image shows the final network's output: both classes, pixel by pixel.
    const auto snapshot = window.controller()->latestNetwork();
    QVERIFY(snapshot && snapshot->final);
    QVERIFY((snapshot->grid.array() > 0).any() && (snapshot->grid.array() < 0).any());
    QCOMPARE(heatmap.width(), static_cast<int>(snapshot->grid.cols()));
    for (int r = 0; r < heatmap.height(); r += 17) {
      for (int c = 0; c < heatmap.width(); c += 13) {
        QCOMPARE(heatmap.pixelColor(c, r), convexnn::ui::output_color(snapshot->grid(r, c), false));
      }
    }
    QVERIFY(window.certificateBadgeText().contains(QStringLiteral("Certified globally optimal")));
  }

  void epsilonBoxesAndPinnedBoundary() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    train_to_the_end(window);
    auto* view = window.boundaryPanel()->view();
    // A tiny radius: exactly the training points the network classifies correctly are robust.
    window.modelPanel()->setEpsilon(0.001);
    window.boundaryPanel()->setShowBoxes(true);
    const auto& train = window.controller()->trainData();
    const Eigen::VectorXd f = window.controller()->lastResult()->network.predict(train.X);
    int correct = 0;
    for (Eigen::Index i = 0; i < train.num_samples(); ++i) {
      if ((f(i) >= 0 ? 1.0 : -1.0) == train.y(i) && std::abs(f(i)) > 1e-2) ++correct;
    }
    QCOMPARE(view->robustBoxes().second, static_cast<int>(train.num_samples()));
    QCOMPARE(view->robustBoxes().first, correct);
    QVERIFY(window.boundaryPanel()->robustnessText().contains(QStringLiteral("of 30")));
    // Robustness can only be lost as the boxes grow.
    int previous = view->robustBoxes().first;
    for (const double epsilon : {0.05, 0.1, 0.2, 0.5}) {
      window.modelPanel()->setEpsilon(epsilon);
      QVERIFY(view->robustBoxes().first <= previous);
      previous = view->robustBoxes().first;
    }
    QVERIFY(previous < correct);
    window.boundaryPanel()->setShowBoxes(false);
    QCOMPARE(view->robustBoxes().second, 0);

    window.boundaryPanel()->setPinned(true);
    QVERIFY(view->pinReference(true));
    GeneratorSettings other;
    other.name = "xor";
    other.n = 30;
    QVERIFY(window.generateDataset(other));  // new data: the old boundary is no reference
    QVERIFY(!view->pinReference(true));      // nothing trained on the new data yet
  }

  void robustTrainingIsCertifiedOnTheBoxes() {
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    GeneratorSettings settings;
    settings.name = "gaussians";
    settings.n = 24;
    settings.noise = 0.1;
    settings.seed = 4;
    window.datasetPanel()->setSplitSettings({0.0, 1});
    QVERIFY(window.generateDataset(settings));
    convexnn::TrainingConfig config = window.modelPanel()->config();
    config.pattern_mode = PatternMode::kSampled;
    config.pattern_samples = 30;
    config.loss = convexnn::LossKind::kSquared;
    config.beta = 0.05;
    config.epsilon = 0.1;
    config.admm.max_iterations = 3000;
    window.modelPanel()->setConfig(config);
    QCOMPARE(window.modelPanel()->config().epsilon, 0.1);  // the panel keeps epsilon and "robust"
    window.applyModelSettings();
    train_to_the_end(window);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join('\n')));
    const convexnn::SolverSummary& summary = window.controller()->lastResult()->summary;
    QVERIFY(summary.robust);
    QCOMPARE(summary.epsilon, 0.1);
    QVERIFY(!summary.certifies_global_optimum());
    QVERIFY(window.charts()->pointsIn(QStringLiteral("certified robust (train)")) > 1);
    QVERIFY(window.certificateBadgeText().contains(QStringLiteral("ε = 0.1")));
    // The exact box check certifies at least the points the solver's sound check certified.
    window.boundaryPanel()->setShowBoxes(true);
    const auto [robust, total] = window.boundaryPanel()->view()->robustBoxes();
    QCOMPARE(total, 24);
    const double solver_share = window.controller()->history().last().robust_train_accuracy;
    QVERIFY(robust >= static_cast<int>(std::floor(solver_share * total + 1e-9)));
    QVERIFY(robust > 0);
  }

  void backPropagationComparison() {
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    use_small_exact_problem(window);
    train_to_the_end(window);
    const convexnn::SolverSummary convex = window.controller()->lastResult()->summary;
    QVERIFY(convex.certifies_global_optimum());
    auto* panel = window.baselinePanel();
    panel->setOptions(4, convexnn::NonconvexOptimizer::kAdam, 400);
    QSignalSpy finished(panel, &convexnn::ui::BaselinePanel::finished);
    window.showBaselinePanel();
    panel->run();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QVERIFY(errors.messages.isEmpty());
    const auto& seeds = panel->outcome()->seeds;
    QCOMPARE(static_cast<int>(seeds.size()), 4);
    for (const auto& seed : seeds) {
      // No network, however trained, goes below the certified lower bound.
      QVERIFY(seed.result.objective >= convex.lower_bound - 1e-9);
      QCOMPARE(seed.grid.rows(), 128);
    }
    QCOMPARE(panel->thumbnails(), 5);  // the convex boundary and one per seed
    QVERIFY(panel->summary().contains(QStringLiteral("of 4 seeds ended within 1%")));
    QVERIFY(panel->summary().contains(QStringLiteral("neurons died")));
  }

  void heatmapFollowsThePlotArea() {
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    train_to_the_end(window);
    auto* view = window.boundaryPanel()->view();
    const auto aligned = [view] {
      const QRectF image = view->heatmapRect();
      const QRectF area = view->plotArea();
      return std::abs(image.left() - area.left()) < 0.5 &&
             std::abs(image.top() - area.top()) < 0.5 &&
             std::abs(image.width() - area.width()) < 0.5 &&
             std::abs(image.height() - area.height()) < 0.5;
    };
    QTRY_VERIFY(aligned());
    window.resize(1000, 700);
    QTRY_VERIFY(aligned());
    window.resize(1700, 1000);
    QTRY_VERIFY(aligned());
  }

  void badCsvShowsTheErrorAndKeepsTheData() {
    QTemporaryDir dir;
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    const Eigen::MatrixXd before = window.controller()->trainData().X;
    QVERIFY(before.rows() > 0);
    const QString path = dir.filePath(QStringLiteral("broken.csv"));
    write_text(path, "a,b,label\n1,2,0\n3,oops,1\n");
    QVERIFY(!window.openCsv(path));
    QCOMPARE(errors.messages.size(), 1);
    QVERIFY(errors.messages[0].contains(QStringLiteral("broken.csv")));
    QVERIFY2(errors.messages[0].contains(QStringLiteral(":3:")) &&
                 errors.messages[0].contains(QStringLiteral("column 2")),
             qPrintable(errors.messages[0]));  // file, line and column
    QVERIFY(window.controller()->trainData().X == before);
  }

  void highDimensionalCsvTrainsWithoutABoundaryPlot() {
    QTemporaryDir dir;
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    const QString path = dir.filePath(QStringLiteral("three.csv"));
    std::string text = "a,b,c,label\n";
    for (int i = 0; i < 40; ++i) {
      const double a = std::sin(i * 1.3), b = std::cos(i * 0.7), c = std::sin(i * 0.37 + 1);
      text += std::to_string(a) + "," + std::to_string(b) + "," + std::to_string(c) + "," +
              (a * b + 0.3 * c > 0 ? "1" : "0") + "\n";
    }
    write_text(path, text);
    QVERIFY(window.openCsv(path));
    QVERIFY(errors.messages.isEmpty());
    QCOMPARE(window.controller()->trainData().num_features(), 3);
    QVERIFY(!window.boundaryPanel()->showsPlot());
    QVERIFY(window.boundaryPanel()->message().contains(QStringLiteral("d = 3")));
    // Exact enumeration is 2-D only, so the panel falls back to sampled patterns.
    QCOMPARE(window.modelPanel()->config().pattern_mode, PatternMode::kSampled);
    window.applyModelSettings();
    train_to_the_end(window);
    QVERIFY(window.charts()->pointsIn(QStringLiteral("train")) > 1);
    QVERIFY(errors.messages.isEmpty());
  }

  void sessionRoundTrip() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("demo.cnnsession.json"));
    convexnn::TrainingConfig saved_config;
    convexnn::Model saved_model;
    {
      MainWindow window;
      use_small_exact_problem(window);
      convexnn::TrainingConfig config = window.modelPanel()->config();
      config.loss = convexnn::LossKind::kSquared;
      config.beta = 0.2;
      config.standardize = true;
      config.admm.relative_gap_tolerance = 1e-5;
      window.modelPanel()->setConfig(config);
      window.applyModelSettings();
      train_to_the_end(window);
      QVERIFY(window.saveSession(path));
      saved_config = window.modelPanel()->config();
      saved_model = *window.currentModel();
    }
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    QVERIFY(window.openSession(path));
    QVERIFY(errors.messages.isEmpty());
    const convexnn::TrainingConfig config = window.modelPanel()->config();
    QCOMPARE(config.loss, saved_config.loss);
    QCOMPARE(config.beta, saved_config.beta);
    QCOMPARE(config.pattern_mode, saved_config.pattern_mode);
    QCOMPARE(config.admm.relative_gap_tolerance, saved_config.admm.relative_gap_tolerance);
    QCOMPARE(config.standardize, true);
    QCOMPARE(window.datasetPanel()->generatorSettings().name, std::string("moons"));
    QCOMPARE(
        window.controller()->trainData().num_samples() +
            (window.controller()->testData() ? window.controller()->testData()->num_samples() : 0),
        40);
    const auto model = window.currentModel();
    QVERIFY(model.has_value());
    QVERIFY(model->network.first_weights == saved_model.network.first_weights);
    QVERIFY(model->network.second_weights == saved_model.network.second_weights);
    QVERIFY(!window.boundaryPanel()->view()->heatmap().isNull());
    // The restored model can be exported like a trained one.
    QVERIFY(window.exportModel(dir.filePath(QStringLiteral("model.json"))));
  }

  void brokenSessionNamesTheFieldAndKeepsTheState() {
    QTemporaryDir dir;
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    const Eigen::MatrixXd before = window.controller()->trainData().X;
    const QString path = dir.filePath(QStringLiteral("bad.json"));
    write_text(path, R"({"format": "convexnn.session", "version": 1, "generator": {"name": "xor",
      "n": 50, "noise": 0.1, "seed": 1}, "training": {}})");
    QVERIFY(!window.openSession(path));
    QCOMPARE(errors.messages.size(), 1);
    QVERIFY(errors.messages[0].contains(QStringLiteral("split")));
    QVERIFY(window.controller()->trainData().X == before);
  }

  void exportsWriteModelAndImages() {
    QTemporaryDir dir;
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RecordedErrors errors;
    capture_errors(window, errors);
    QVERIFY(!window.exportModel(dir.filePath(QStringLiteral("none.json"))));  // nothing trained
    use_small_exact_problem(window);
    train_to_the_end(window);
    const QString model_path = dir.filePath(QStringLiteral("model.json"));
    QVERIFY(window.exportModel(model_path));
    const convexnn::Model model = convexnn::load_model(model_path.toStdString());
    QVERIFY(model.training.has_value());
    QVERIFY(model.training->certified_global_optimum);
    const Eigen::MatrixXd X = window.controller()->trainData().X;
    QVERIFY((model.network.predict(X) - window.controller()->lastResult()->network.predict(X))
                .cwiseAbs()
                .maxCoeff() < 1e-12);
    for (const QString& name : {QStringLiteral("charts.png"), QStringLiteral("charts.svg")}) {
      QVERIFY(window.exportCharts(dir.filePath(name)));
      QVERIFY(QFileInfo(dir.filePath(name)).size() > 1000);
    }
    for (const QString& name : {QStringLiteral("boundary.png"), QStringLiteral("boundary.svg")}) {
      QVERIFY(window.exportBoundary(dir.filePath(name)));
      QVERIFY(QFileInfo(dir.filePath(name)).size() > 1000);
    }
    QImage png(dir.filePath(QStringLiteral("boundary.png")));
    QVERIFY(!png.isNull());
    QVERIFY(!window.exportCharts(dir.filePath(QStringLiteral("missing-dir/charts.png"))));
    QVERIFY(!errors.messages.isEmpty());
  }

  void gatedRunSaysItCertifiesTheRelaxation() {
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    convexnn::TrainingConfig config = window.modelPanel()->config();
    config.solver = convexnn::SolverKind::kGated;
    window.modelPanel()->setConfig(config);
    window.applyModelSettings();
    train_to_the_end(window);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join(QStringLiteral("; "))));
    const auto& result = window.controller()->lastResult();
    QVERIFY(result && result->summary.solver == convexnn::SolverKind::kGated);
    const QString badge = window.certificateBadgeText();
    // Honest: the gap is the relaxation's, the network shown is the decomposed one, and this is
    // not a certificate of the ReLU program.
    QVERIFY2(badge.contains(QStringLiteral("gated relaxation")), qPrintable(badge));
    QVERIFY2(badge.contains(QStringLiteral("decomposed")), qPrintable(badge));
    QVERIFY2(badge.contains(QString::number(result->summary.decomposed_objective, 'g', 6)),
             qPrintable(badge));
    QVERIFY(!badge.contains(QStringLiteral("Certified globally optimal")));
    QVERIFY(window.runDescription().contains(QStringLiteral("Gated ReLU relaxation")));
    QVERIFY(window.charts()->objectiveTitle().contains(QStringLiteral("gated")));
    // The drawn network is the decomposed ReLU network, the one that is exported.
    const auto snapshot = window.controller()->latestNetwork();
    QVERIFY(snapshot && snapshot->final);
    QVERIFY(snapshot->network.predict(window.controller()->trainData().X) ==
            result->network.predict(window.controller()->trainData().X));
  }

  void scpAndGrowingRunsSayWhatTheyCertify() {
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    convexnn::TrainingConfig config = window.modelPanel()->config();
    config.solver = convexnn::SolverKind::kRandomFeatures;
    config.random_features.features = 120;
    window.modelPanel()->setConfig(config);
    window.applyModelSettings();
    train_to_the_end(window);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join(QStringLiteral("; "))));
    QString badge = window.certificateBadgeText();
    QVERIFY2(badge.contains(QStringLiteral("among the 120 random ReLU features")),
             qPrintable(badge));
    QVERIFY(!badge.contains(QStringLiteral("Certified globally optimal")));
    QVERIFY(window.runDescription().contains(QStringLiteral("SCP")));

    // Growing patterns: the badge says how many were added.
    config.solver = convexnn::SolverKind::kAdmm;
    config.pattern_mode = PatternMode::kSampled;
    config.pattern_samples = 4;
    config.generate_patterns = true;
    window.modelPanel()->setConfig(config);
    window.applyModelSettings();
    window.controller()->reset();
    train_to_the_end(window);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join(QStringLiteral("; "))));
    const auto& result = window.controller()->lastResult();
    QVERIFY(result && result->pattern_generation);
    const auto added = result->pattern_generation->patterns_added;
    QVERIFY(added > 0);
    badge = window.certificateBadgeText();
    QVERIFY2(badge.contains(QStringLiteral("%1 pattern(s) added").arg(added)), qPrintable(badge));
    // The pattern count at the end (sampling may merge duplicate draws, so start from the
    // initial count the run reports).
    const auto final_count = result->pattern_generation->initial_patterns + added;
    QCOMPARE(static_cast<std::int64_t>(result->summary.num_patterns), final_count);
    QVERIFY2(badge.contains(QStringLiteral("%1 sampled patterns").arg(final_count)),
             qPrintable(badge));
    QVERIFY(window.runDescription().contains(QStringLiteral("pattern growing")));
  }

  void absoluteValueTrainsAndKeepsExactBoxes() {
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    convexnn::TrainingConfig config = window.modelPanel()->config();
    config.activation = convexnn::Activation::absolute();
    window.modelPanel()->setConfig(config);
    window.applyModelSettings();
    train_to_the_end(window);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join(QStringLiteral("; "))));
    QCOMPARE(window.controller()->lastResult()->network.activation.kind,
             convexnn::ActivationKind::kAbsolute);
    QVERIFY(window.runDescription().contains(QStringLiteral("|t|")));
    window.modelPanel()->setEpsilon(0.001);
    window.boundaryPanel()->setShowBoxes(true);
    QVERIFY(window.boundaryPanel()->boxesAvailable());
    QCOMPARE(window.boundaryPanel()->view()->robustBoxes().second, 30);
  }

  void boxesAreDisabledForADegreeTwoNetwork() {
    // A quadratic network (drawn from a session or a polynomial run) has no exact box check:
    // the boxes switch off instead of throwing.
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    train_to_the_end(window);
    window.modelPanel()->setEpsilon(0.05);
    window.boundaryPanel()->setShowBoxes(true);
    QVERIFY(window.boundaryPanel()->view()->robustBoxes().second > 0);
    auto quadratic =
        std::make_shared<convexnn::ui::NetworkSnapshot>(*window.controller()->latestNetwork());
    quadratic->network.activation = convexnn::Activation::quadratic();
    const auto& g = quadratic->grid_spec;
    quadratic->grid =
        quadratic->network.evaluate_grid(g.x_min, g.x_max, g.y_min, g.y_max, g.rows, g.cols);
    window.boundaryPanel()->setSnapshot(quadratic);
    QVERIFY(!window.boundaryPanel()->boxesAvailable());
    QCOMPARE(window.boundaryPanel()->view()->robustBoxes().second, 0);
    QVERIFY(window.boundaryPanel()->robustnessText().isEmpty());
    window.modelPanel()->setEpsilon(0.1);  // redraws the boxes: still none, no exception
    QCOMPARE(window.boundaryPanel()->view()->robustBoxes().second, 0);
    // Back to a piecewise-linear network: the boxes return.
    window.boundaryPanel()->setSnapshot(window.controller()->latestNetwork());
    QVERIFY(window.boundaryPanel()->boxesAvailable());
    QVERIFY(window.boundaryPanel()->view()->robustBoxes().second > 0);
  }

  void polynomialRunDrawsTheBoundaryWithoutBoxes() {
    MainWindow window;
    RecordedErrors errors;
    capture_errors(window, errors);
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    use_small_exact_problem(window);
    window.boundaryPanel()->setShowBoxes(true);
    convexnn::TrainingConfig config = window.modelPanel()->config();
    config.activation = convexnn::Activation::polynomial(0.09, 0.5, 0.47);
    window.modelPanel()->setConfig(config);
    window.applyModelSettings();
    train_to_the_end(window);
    QVERIFY2(errors.messages.isEmpty(), qPrintable(errors.messages.join(QStringLiteral("; "))));
    const auto& result = window.controller()->lastResult();
    QVERIFY(result && result->summary.semidefinite);
    QVERIFY(!window.boundaryPanel()->boxesAvailable());
    QCOMPARE(window.boundaryPanel()->view()->robustBoxes().second, 0);
    const auto snapshot = window.controller()->latestNetwork();
    QVERIFY(snapshot && snapshot->final && snapshot->grid.size() > 0);
    QVERIFY(window.charts()->pointsIn(QStringLiteral("network U")) > 1);
    QVERIFY(window.runDescription().contains(QStringLiteral("Semidefinite")));
    // The opening demo's SDP closes its gap well within the iteration limit.
    QCOMPARE(result->summary.status, convexnn::SolverStatus::kConverged);
    QVERIFY2(window.certificateBadgeText().contains(QStringLiteral("global optimum of the SDP")),
             qPrintable(window.certificateBadgeText()));
    QCOMPARE(window.certificateBadgeText().contains(QStringLiteral("Certified globally optimal")),
             false);
    QVERIFY(window.charts()->objectiveTitle().contains(QStringLiteral("semidefinite")));
    // The drawn network is the trained one, with its activation.
    QCOMPARE(snapshot->network.activation, convexnn::Activation::polynomial(0.09, 0.5, 0.47));
  }
};

QTEST_MAIN(MainWindowTest)
#include "test_main_window.moc"
