// The model panel: every activation and solver choice reaches TrainingConfig, and combinations
// the core rejects cannot be chosen (disabled, with the reason in the tooltip).
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTest>

#include "model_panel.h"

using convexnn::ActivationKind;
using convexnn::SolverKind;
using convexnn::TrainingConfig;
using convexnn::ui::ModelPanel;

namespace {

bool item_enabled(QComboBox* box, const QString& data) {
  const int index = box->findData(data);
  auto* model = qobject_cast<QStandardItemModel*>(box->model());
  return index >= 0 && model && model->item(index)->isEnabled();
}

QString item_tip(QComboBox* box, const QString& data) {
  auto* model = qobject_cast<QStandardItemModel*>(box->model());
  return model->item(box->findData(data))->toolTip();
}

void choose(QComboBox* box, const QString& data) {
  const int index = box->findData(data);
  QVERIFY2(index >= 0, qPrintable(data));
  box->setCurrentIndex(index);
}

QDoubleSpinBox* spin(ModelPanel& panel, const char* name) {
  return panel.findChild<QDoubleSpinBox*>(QLatin1String(name));
}

}  // namespace

class ModelPanelTest : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void defaultsAreReluWithAdmm() {
    ModelPanel panel;
    const TrainingConfig config = panel.config();
    QCOMPARE(config.activation, convexnn::Activation::relu());
    QCOMPARE(config.solver, SolverKind::kAdmm);
    QVERIFY2(config.validate().empty(), config.validate().c_str());
    QVERIFY(!panel.activationBox()->toolTip().isEmpty());
    QVERIFY(panel.solverBox()->toolTip().contains(QStringLiteral("relaxation")));
  }

  void everyActivationReachesTheConfig() {
    ModelPanel panel;
    QSignalSpy changed(&panel, &ModelPanel::configChanged);
    choose(panel.activationBox(), QStringLiteral("leaky-relu"));
    QVERIFY(spin(panel, "leaky_slope")->isEnabled());
    QVERIFY(!spin(panel, "poly_a")->isEnabled());
    spin(panel, "leaky_slope")->setValue(0.25);
    TrainingConfig config = panel.config();
    QCOMPARE(config.activation, convexnn::Activation::leaky_relu(0.25));
    QVERIFY(changed.count() >= 2);

    choose(panel.activationBox(), QStringLiteral("abs"));
    QCOMPARE(panel.config().activation, convexnn::Activation::absolute());
    QVERIFY(!spin(panel, "leaky_slope")->isEnabled());

    choose(panel.activationBox(), QStringLiteral("quadratic"));
    config = panel.config();
    QCOMPARE(config.activation, convexnn::Activation::quadratic());
    QCOMPARE(config.solver, SolverKind::kAdmm);  // the SDP has its own solver

    choose(panel.activationBox(), QStringLiteral("poly2"));
    // The default coefficients.
    QCOMPARE(panel.config().activation, convexnn::Activation::polynomial(0.09, 0.5, 0.47));
    spin(panel, "poly_a")->setValue(0.2);
    spin(panel, "poly_b")->setValue(-0.3);
    spin(panel, "poly_c")->setValue(1.5);
    QCOMPARE(panel.config().activation, convexnn::Activation::polynomial(0.2, -0.3, 1.5));
    QVERIFY(spin(panel, "poly_a")->isEnabled());
  }

  void everySolverReachesTheConfigWithTheLimits() {
    ModelPanel panel;
    TrainingConfig base = panel.config();
    base.admm.max_iterations = 1234;
    base.admm.relative_gap_tolerance = 1e-5;
    panel.setConfig(base);
    choose(panel.solverBox(), QStringLiteral("al"));
    TrainingConfig config = panel.config();
    QCOMPARE(config.solver, SolverKind::kAugmentedLagrangian);
    QCOMPARE(config.augmented_lagrangian.max_iterations, std::int64_t{1234});
    QCOMPARE(config.augmented_lagrangian.relative_gap_tolerance, 1e-5);
    choose(panel.solverBox(), QStringLiteral("gated"));
    config = panel.config();
    QCOMPARE(config.solver, SolverKind::kGated);
    QCOMPARE(config.gated.rfista.max_iterations, std::int64_t{1234});
    QCOMPARE(config.gated.relative_gap_tolerance, 1e-5);
    QVERIFY2(config.validate().empty(), config.validate().c_str());
    choose(panel.solverBox(), QStringLiteral("admm"));
    QCOMPARE(panel.config().solver, SolverKind::kAdmm);
  }

  void scpChoiceGivesARandomFeatureConfig() {
    ModelPanel panel;
    TrainingConfig base = panel.config();
    base.admm.max_iterations = 777;
    base.admm.relative_gap_tolerance = 1e-5;
    base.seed = 9;
    panel.setConfig(base);
    // N only takes room (and applies) for SCP.
    QVERIFY(!panel.featuresBox()->isVisibleTo(&panel));
    QVERIFY(!panel.featuresBox()->isEnabled());
    choose(panel.solverBox(), QStringLiteral("scp"));
    QVERIFY(panel.featuresBox()->isVisibleTo(&panel));
    QVERIFY(panel.featuresBox()->isEnabled());
    QVERIFY(panel.featuresBox()->toolTip().contains(QStringLiteral("random ReLU neurons")));
    QVERIFY(panel.solverBox()->toolTip().contains(QStringLiteral("SCP")));
    panel.featuresBox()->setValue(321);
    const TrainingConfig config = panel.config();
    QCOMPARE(config.solver, SolverKind::kRandomFeatures);
    QCOMPARE(config.random_features.features, 321);
    QCOMPARE(config.random_features.seed, std::uint64_t{9});
    QCOMPARE(config.random_features.rfista.max_iterations, std::int64_t{777});
    QCOMPARE(config.random_features.relative_gap_tolerance, 1e-5);
    QVERIFY(!config.generate_patterns);
    QVERIFY2(config.validate().empty(), config.validate().c_str());
    // SCP needs a smooth loss and no robust training; it grows neurons (by the neuron search
    // for ReLU), not patterns.
    QVERIFY(!item_enabled(panel.lossBox(), QStringLiteral("hinge")));
    QVERIFY(!panel.robustBox()->isEnabled());
    QVERIFY(panel.growPatternsBox()->isEnabled());
    QVERIFY(panel.growPatternsBox()->text().contains(QStringLiteral("neurons")));
    panel.growPatternsBox()->setChecked(true);
    const TrainingConfig grown = panel.config();
    QVERIFY(grown.generate_patterns);
    QCOMPARE(grown.pattern_generation.source, convexnn::CandidateSource::kNeuronSearch);
    QVERIFY2(grown.validate().empty(), grown.validate().c_str());
    // Sliding moves grown neurons: offered for SCP, enabled while growing.
    QCheckBox* slide = panel.slideNeuronsBox();
    QVERIFY(slide->isVisibleTo(&panel));
    QVERIFY(slide->isEnabled());
    QCOMPARE(grown.pattern_generation.final_slide_iterations, 0);
    slide->setChecked(true);
    QVERIFY(panel.config().pattern_generation.final_slide_iterations > 0);
    QVERIFY2(panel.config().validate().empty(), panel.config().validate().c_str());
    panel.growPatternsBox()->setChecked(false);
    QVERIFY(!slide->isEnabled());
    QVERIFY(slide->toolTip().contains(QStringLiteral("Grow neurons")));
    QCOMPARE(panel.config().pattern_generation.final_slide_iterations, 0);
    choose(panel.solverBox(), QStringLiteral("gated"));
    QVERIFY(!slide->isVisibleTo(&panel));
    QVERIFY(!panel.growPatternsBox()->isEnabled());
    QVERIFY(panel.growPatternsBox()->toolTip().contains(QStringLiteral("ADMM")));
    QVERIFY(panel.growPatternsBox()->text().contains(QStringLiteral("patterns")));
    choose(panel.solverBox(), QStringLiteral("scp"));

    // setConfig shows the solver and N back.
    ModelPanel other;
    other.setConfig(config);
    QCOMPARE(other.solverBox()->currentData().toString(), QStringLiteral("scp"));
    QCOMPARE(other.config().random_features.features, 321);
    QVERIFY(other.featuresBox()->isVisibleTo(&other));

    // Hinge loss or robust training disable the SCP choice, with the reason.
    choose(panel.solverBox(), QStringLiteral("admm"));
    choose(panel.lossBox(), QStringLiteral("hinge"));
    QVERIFY(!item_enabled(panel.solverBox(), QStringLiteral("scp")));
    QVERIFY(item_tip(panel.solverBox(), QStringLiteral("scp")).contains(QStringLiteral("hinge")));
    choose(panel.lossBox(), QStringLiteral("squared"));
    panel.robustBox()->setChecked(true);
    QVERIFY(!item_enabled(panel.solverBox(), QStringLiteral("scp")));
    QVERIFY(item_tip(panel.solverBox(), QStringLiteral("scp")).contains(QStringLiteral("Robust")));
  }

  void growPatternsGivesAPatternGenerationConfig() {
    ModelPanel panel;
    QCheckBox* grow = panel.growPatternsBox();
    QVERIFY(grow->toolTip().contains(QStringLiteral("certifies")));
    // Exact patterns (the default formulation) are all there: nothing to grow.
    choose(panel.findChild<QComboBox*>(QStringLiteral("formulation")), QStringLiteral("exact"));
    QVERIFY(!grow->isEnabled());
    QVERIFY(grow->toolTip().contains(QStringLiteral("Exact")));
    grow->setChecked(true);
    QVERIFY(!panel.config().generate_patterns);  // a disabled box does not apply

    QSignalSpy changed(&panel, &ModelPanel::configChanged);
    choose(panel.findChild<QComboBox*>(QStringLiteral("formulation")), QStringLiteral("sampled"));
    QVERIFY(grow->isEnabled());
    TrainingConfig config = panel.config();
    QVERIFY(config.generate_patterns);
    QCOMPARE(config.solver, SolverKind::kAdmm);
    QCOMPARE(config.pattern_mode, convexnn::PatternMode::kSampled);
    QVERIFY2(config.validate().empty(), config.validate().c_str());
    grow->setChecked(false);
    QVERIFY(!panel.config().generate_patterns);
    QVERIFY(changed.count() >= 2);
    grow->setChecked(true);

    // Not with another solver, robust training, or a degree-2 activation.
    choose(panel.solverBox(), QStringLiteral("al"));
    QVERIFY(!grow->isEnabled());
    QVERIFY(!panel.config().generate_patterns);
    QVERIFY(panel.config().validate().empty());
    choose(panel.solverBox(), QStringLiteral("admm"));
    QVERIFY(grow->isEnabled());
    panel.robustBox()->setChecked(true);
    QVERIFY(!grow->isEnabled());
    QVERIFY(panel.config().validate().empty());
    panel.robustBox()->setChecked(false);
    choose(panel.activationBox(), QStringLiteral("quadratic"));
    QVERIFY(!grow->isEnabled());
    QVERIFY(panel.config().validate().empty());
    choose(panel.activationBox(), QStringLiteral("relu"));

    // setConfig round trip.
    ModelPanel other;
    other.setConfig(config);
    QVERIFY(other.growPatternsBox()->isChecked());
    QVERIFY(other.config().generate_patterns);
  }

  void setConfigShowsActivationAndSolver() {
    ModelPanel panel;
    TrainingConfig config = panel.config();
    config.activation = convexnn::Activation::leaky_relu(0.3);
    config.solver = SolverKind::kGated;
    config.loss = convexnn::LossKind::kLogistic;
    panel.setConfig(config);
    QCOMPARE(panel.activationBox()->currentData().toString(), QStringLiteral("leaky-relu"));
    QCOMPARE(panel.solverBox()->currentData().toString(), QStringLiteral("gated"));
    const TrainingConfig back = panel.config();
    QCOMPARE(back.activation, config.activation);
    QCOMPARE(back.solver, config.solver);
    QCOMPARE(back.loss, config.loss);
  }

  void invalidCombinationsAreDisabledWithAReason() {
    ModelPanel panel;
    // Hinge loss: the smooth-loss solvers and the SDP activations are unavailable.
    choose(panel.lossBox(), QStringLiteral("hinge"));
    QVERIFY(!item_enabled(panel.solverBox(), QStringLiteral("al")));
    QVERIFY(!item_enabled(panel.solverBox(), QStringLiteral("gated")));
    QVERIFY(item_tip(panel.solverBox(), QStringLiteral("gated")).contains(QStringLiteral("hinge")));
    QVERIFY(!item_enabled(panel.activationBox(), QStringLiteral("quadratic")));
    QVERIFY(!item_enabled(panel.activationBox(), QStringLiteral("poly2")));
    QVERIFY(item_enabled(panel.activationBox(), QStringLiteral("leaky-relu")));
    QVERIFY(panel.config().validate().empty());

    // A smooth-loss solver: hinge is unavailable, and so is robust training.
    choose(panel.lossBox(), QStringLiteral("squared"));
    choose(panel.solverBox(), QStringLiteral("gated"));
    QVERIFY(!item_enabled(panel.lossBox(), QStringLiteral("hinge")));
    QVERIFY(!panel.robustBox()->isEnabled());
    QVERIFY(panel.robustBox()->toolTip().contains(QStringLiteral("ADMM")));

    // Robust training: ReLU + ADMM only.
    choose(panel.solverBox(), QStringLiteral("admm"));
    QVERIFY(panel.robustBox()->isEnabled());
    panel.robustBox()->setChecked(true);
    QVERIFY(panel.config().epsilon > 0);
    QVERIFY(!item_enabled(panel.activationBox(), QStringLiteral("abs")));
    QVERIFY(!item_enabled(panel.solverBox(), QStringLiteral("al")));
    QVERIFY(
        item_tip(panel.activationBox(), QStringLiteral("abs")).contains(QStringLiteral("ReLU")));
    QVERIFY(panel.config().validate().empty());
    panel.robustBox()->setChecked(false);

    // A non-ReLU activation: no robust training, and its config validates.
    choose(panel.activationBox(), QStringLiteral("abs"));
    QVERIFY(!panel.robustBox()->isEnabled());
    QCOMPARE(panel.config().epsilon, 0.0);

    // Degree-2 activations: patterns and solver do not apply.
    choose(panel.activationBox(), QStringLiteral("quadratic"));
    QVERIFY(!panel.solverBox()->isEnabled());
    QVERIFY(panel.solverBox()->toolTip().contains(QStringLiteral("semidefinite")));
    QVERIFY(!panel.findChild<QComboBox*>(QStringLiteral("formulation"))->isEnabled());
    QVERIFY(!panel.findChild<QSpinBox*>(QStringLiteral("patterns"))->isEnabled());
    QVERIFY(!item_enabled(panel.lossBox(), QStringLiteral("hinge")));
    QVERIFY(!panel.robustBox()->isEnabled());
  }
};

QTEST_MAIN(ModelPanelTest)
#include "test_model_panel.moc"
