#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QChartView>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QSvgGenerator>
#include <QToolBar>
#include <cmath>

#include "baseline_panel.h"
#include "boundary_panel.h"
#include "convexnn/csv_loader.h"
#include "convexnn/data_split.h"
#include "convexnn/training_record.h"
#include "dataset_panel.h"
#include "decision_boundary_view.h"
#include "live_charts.h"
#include "model_panel.h"

namespace convexnn::ui {
namespace {

// Bumped when docks are added or moved, so an older saved layout is not restored over them.
constexpr int kLayoutVersion = 2;

QString format_number(double value, int digits = 3) {
  if (!std::isfinite(value)) return QStringLiteral("–");
  return QString::number(value, 'g', digits);
}

QWidget* scrollable(QWidget* widget) {
  auto* area = new QScrollArea;
  area->setWidget(widget);
  area->setWidgetResizable(true);
  area->setFrameShape(QFrame::NoFrame);
  return area;
}

}  // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
  setWindowTitle(tr("ConvexNN Studio"));
  error_handler_ = [this](const QString& title, const QString& message) {
    QMessageBox::warning(this, title, message);
  };

  dataset_panel_ = new DatasetPanel;
  model_panel_ = new ModelPanel;
  auto* data_dock = new QDockWidget(tr("Dataset"), this);
  data_dock->setObjectName(QStringLiteral("DatasetDock"));
  data_dock->setWidget(scrollable(dataset_panel_));
  addDockWidget(Qt::LeftDockWidgetArea, data_dock);
  auto* model_dock = new QDockWidget(tr("Model"), this);
  model_dock->setObjectName(QStringLiteral("ModelDock"));
  model_dock->setWidget(scrollable(model_panel_));
  addDockWidget(Qt::LeftDockWidgetArea, model_dock);
  baseline_panel_ = new BaselinePanel(&controller_);
  baseline_dock_ = new QDockWidget(tr("Back-propagation"), this);
  baseline_dock_->setObjectName(QStringLiteral("BaselineDock"));
  baseline_dock_->setWidget(scrollable(baseline_panel_));
  addDockWidget(Qt::RightDockWidgetArea, baseline_dock_);
  baseline_dock_->hide();  // shown by Training > Compare with back-propagation
  connect(baseline_panel_, &BaselinePanel::failed, this,
          [this](const QString& message) { reportError(tr("Back-propagation failed"), message); });

  auto* splitter = new QSplitter(Qt::Horizontal, this);
  boundary_panel_ = new BoundaryPanel(splitter);
  charts_ = new LiveCharts(splitter);
  splitter->addWidget(boundary_panel_);
  splitter->addWidget(charts_);
  splitter->setStretchFactor(0, 5);
  splitter->setStretchFactor(1, 4);
  splitter->setSizes({640, 520});
  setCentralWidget(splitter);

  buildToolBar();
  buildMenus();
  buildStatusBar();

  config_debounce_.setSingleShot(true);
  config_debounce_.setInterval(150);  // a slider drag restarts the solver a few times, not 100
  connect(&config_debounce_, &QTimer::timeout, this, &MainWindow::applyModelSettings);
  connect(model_panel_, &ModelPanel::configChanged, &config_debounce_, qOverload<>(&QTimer::start));
  connect(model_panel_, &ModelPanel::epsilonChanged, boundary_panel_, &BoundaryPanel::setEpsilon);
  boundary_panel_->setEpsilon(model_panel_->epsilon());
  connect(dataset_panel_, &DatasetPanel::generateRequested, this,
          [this] { generateDataset(dataset_panel_->generatorSettings()); });
  connect(dataset_panel_, &DatasetPanel::openCsvRequested, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open CSV"), QString(),
                                                      tr("CSV files (*.csv);;All files (*)"));
    if (!path.isEmpty()) openCsv(path);
  });

  connect(&controller_, &TrainingController::progressed, this, [this] {
    charts_->refresh(controller_.history());
    updateStatus();
  });
  connect(&controller_, &TrainingController::networkUpdated, boundary_panel_,
          &BoundaryPanel::setSnapshot);
  connect(&controller_, &TrainingController::finished, this, &MainWindow::onFinished);
  connect(&controller_, &TrainingController::failed, this,
          [this](const QString& message) { reportError(tr("Training failed"), message); });
  connect(&controller_, &TrainingController::stateChanged, this, [this] {
    if (controller_.state() != TrainingController::State::kIdle) {
      badge_label_->hide();
      describeRun(controller_.config());
    }
    updateActions();
  });

  // The opening demo certifies its global optimum within seconds: 30 training points, exact
  // patterns, a beta that gives a smooth boundary.
  TrainingConfig initial_config = model_panel_->config();
  initial_config.beta = 0.1;
  model_panel_->setConfig(initial_config);
  controller_.setConfig(model_panel_->config());
  GeneratorSettings initial;
  initial.name = "moons";
  initial.n = 40;
  initial.noise = 0.1;
  initial.seed = 1;
  dataset_panel_->setGeneratorSettings(initial);
  generateDataset(initial);

  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray(), kLayoutVersion);
  if (!settings.contains(QStringLiteral("window/geometry"))) resize(1500, 920);
  updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent* event) {
  controller_.cancel();
  QSettings settings;
  settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
  settings.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
  event->accept();
}

void MainWindow::buildToolBar() {
  QToolBar* bar = addToolBar(tr("Training"));
  bar->setObjectName(QStringLiteral("TrainingToolBar"));
  bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
  QFont font = bar->font();
  font.setPointSizeF(font.pointSizeF() * 1.15);
  bar->setFont(font);
  run_action_ = bar->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Run"));
  run_action_->setToolTip(tr("Start training, or continue a paused run (Space)."));
  pause_action_ = bar->addAction(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"));
  pause_action_->setToolTip(tr("Hold the solver between two iterations (Space)."));
  step_action_ = bar->addAction(style()->standardIcon(QStyle::SP_MediaSkipForward), tr("Step"));
  step_action_->setShortcut(QKeySequence(Qt::Key_S));
  step_action_->setToolTip(
      tr("Run %1 iterations, then pause (S).").arg(TrainingController::kStepIterations));
  reset_action_ = bar->addAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("Reset"));
  reset_action_->setShortcut(QKeySequence(Qt::Key_R));
  reset_action_->setToolTip(tr("Stop and forget the solution; the next run starts from zero (R)."));
  connect(run_action_, &QAction::triggered, this, [this] {
    applyModelSettings();
    controller_.run();
  });
  connect(pause_action_, &QAction::triggered, &controller_, &TrainingController::pause);
  connect(step_action_, &QAction::triggered, this, [this] {
    applyModelSettings();
    controller_.step();
  });
  connect(reset_action_, &QAction::triggered, &controller_, &TrainingController::reset);
  // Space toggles run / pause.
  auto* toggle = new QAction(this);
  toggle->setShortcut(QKeySequence(Qt::Key_Space));
  toggle->setShortcutContext(Qt::WindowShortcut);
  connect(toggle, &QAction::triggered, this, [this] {
    if (controller_.state() == TrainingController::State::kRunning) {
      controller_.pause();
    } else {
      applyModelSettings();
      controller_.run();
    }
  });
  addAction(toggle);
}

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("Open &CSV…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open CSV"), QString(),
                                                      tr("CSV files (*.csv);;All files (*)"));
    if (!path.isEmpty()) openCsv(path);
  });
  file->addAction(tr("Open &session…"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open session"), QString(), tr("ConvexNN sessions (*.cnnsession.json *.json)"));
    if (!path.isEmpty()) openSession(path);
  });
  file->addAction(tr("&Save session…"), QKeySequence::Save, this, [this] {
    const QString path = askSavePath(
        tr("Save session"), tr("ConvexNN sessions (*.cnnsession.json)"), ".cnnsession.json");
    if (!path.isEmpty()) saveSession(path);
  });
  file->addSeparator();
  export_model_action_ = file->addAction(tr("&Export model…"), this, [this] {
    const QString path = askSavePath(tr("Export model"), tr("Model JSON (*.json)"), ".json");
    if (!path.isEmpty()) exportModel(path);
  });
  file->addAction(tr("Export &charts…"), this, [this] {
    const QString path =
        askSavePath(tr("Export charts"), tr("PNG image (*.png);;SVG drawing (*.svg)"), ".png");
    if (!path.isEmpty()) exportCharts(path);
  });
  file->addAction(tr("Export &boundary…"), this, [this] {
    const QString path =
        askSavePath(tr("Export boundary"), tr("PNG image (*.png);;SVG drawing (*.svg)"), ".png");
    if (!path.isEmpty()) exportBoundary(path);
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* training = menuBar()->addMenu(tr("&Training"));
  training->addAction(run_action_);
  training->addAction(pause_action_);
  training->addAction(step_action_);
  training->addAction(reset_action_);

  training->addSeparator();
  training->addAction(tr("Compare with &back-propagation"), this, [this] {
    showBaselinePanel();
    applyModelSettings();
    baseline_panel_->run();
  });

  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About ConvexNN Studio"), this, [this] {
    QMessageBox::about(
        this, tr("About ConvexNN Studio"),
        tr("<p><b>ConvexNN Studio</b> trains two-layer networks (ReLU, leaky ReLU, |t| and "
           "degree-2 polynomial activations) by convex optimization "
           "(Pilanci &amp; Ergen 2020; Bai, Gautam &amp; Sojoudi 2022) and certifies the result: "
           "the lower bound L proves that no network of the same kind reaches a lower training "
           "objective.</p>"));
  });
}

void MainWindow::buildStatusBar() {
  iteration_label_ = new QLabel(this);
  time_label_ = new QLabel(this);
  gap_label_ = new QLabel(this);
  neurons_label_ = new QLabel(this);
  badge_label_ = new QLabel(this);
  badge_label_->hide();
  run_label_ = new QLabel(this);
  iteration_label_->setToolTip(tr("Solver iterations so far (warm restarts continue the count)."));
  gap_label_->setToolTip(
      tr("Relative gap (U − L) / max(1, |U|) between the network's objective "
         "and the certified lower bound."));
  neurons_label_->setToolTip(tr("Hidden neurons with non-zero weights in the current solution."));
  for (QLabel* label : {iteration_label_, time_label_, gap_label_, neurons_label_}) {
    label->setMinimumWidth(120);
    statusBar()->addWidget(label);
  }
  statusBar()->addWidget(run_label_);
  statusBar()->addPermanentWidget(badge_label_);
  updateStatus();
}

void MainWindow::updateStatus() {
  const RunHistory& history = controller_.history();
  if (history.empty()) {
    iteration_label_->setText(tr("Iteration –"));
    time_label_->setText(tr("Time –"));
    gap_label_->setText(tr("Gap –"));
    neurons_label_->setText(tr("Neurons –"));
    return;
  }
  const IterationReport& last = history.last();
  iteration_label_->setText(tr("Iteration %1").arg(last.iteration));
  time_label_->setText(tr("Time %1 s").arg(last.elapsed_seconds, 0, 'f', 2));
  gap_label_->setText(tr("Gap %1").arg(format_number(last.relative_gap, 2)));
  neurons_label_->setText(tr("Neurons %1").arg(last.active_neurons));
}

void MainWindow::updateActions() {
  const auto state = controller_.state();
  run_action_->setEnabled(state != TrainingController::State::kRunning);
  pause_action_->setEnabled(state == TrainingController::State::kRunning);
  export_model_action_->setEnabled(controller_.lastResult().has_value() || session_model_);
  run_action_->setText(state == TrainingController::State::kPaused ? tr("Continue") : tr("Run"));
}

QString MainWindow::certificateBadgeText() const {
  return badge_label_->isVisible() || !badge_label_->text().isEmpty() ? badge_label_->text()
                                                                      : QString();
}

QString MainWindow::runDescription() const { return run_label_->text(); }

void MainWindow::describeRun(const TrainingConfig& config) {
  const QString formula = QString::fromStdString(config.activation.formula());
  QString text;
  QString title = tr("Objective");
  if (!config.activation.positively_homogeneous()) {
    text = tr("Semidefinite program, σ(t) = %1").arg(formula);
    title = tr("Objective — semidefinite program");
  } else if (config.epsilon > 0) {
    text = tr("Robust ADMM (ε = %1), σ(t) = %2").arg(config.epsilon).arg(formula);
  } else if (config.solver == SolverKind::kGated) {
    text = tr("Gated ReLU relaxation (R-FISTA), σ(t) = %1").arg(formula);
    title = tr("Objective — gated ReLU relaxation");
  } else if (config.solver == SolverKind::kAugmentedLagrangian) {
    text = tr("Augmented Lagrangian, σ(t) = %1").arg(formula);
  } else if (config.solver == SolverKind::kRandomFeatures) {
    text = config.generate_patterns
               ? tr("SCP: lasso over growing ReLU neurons (from %1)")
                     .arg(config.random_features.features)
               : tr("SCP: lasso over %1 random ReLU features").arg(config.random_features.features);
    title = tr("Objective — random-feature lasso");
  } else if (config.generate_patterns) {
    text = tr("ADMM with pattern growing, σ(t) = %1").arg(formula);
  } else {
    text = tr("ADMM, σ(t) = %1").arg(formula);
  }
  run_label_->setText(text);
  run_label_->setToolTip(
      config.solver == SolverKind::kGated && config.activation.positively_homogeneous() &&
              config.epsilon == 0
          ? tr("U, L and the gap of this run belong to the gated ReLU relaxation. The network "
               "drawn and exported is the ReLU network from its cone decomposition; its own "
               "objective is shown when the run ends.")
          : tr("The program being solved; U, L and the gap refer to it."));
  charts_->setObjectiveTitle(title);
}

void MainWindow::onFinished(const SolverSummary& summary) {
  session_model_.reset();
  const auto& result = controller_.lastResult();
  QString text;
  QString style;
  if (summary.semidefinite) {
    text = summary.status == SolverStatus::kConverged
               ? tr("  ✔ Certified global optimum of the SDP — gap %1  ")
                     .arg(format_number(summary.relative_gap, 2))
               : tr("  SDP %1 — gap %2  ")
                     .arg(QString::fromLatin1(to_string(summary.status)))
                     .arg(format_number(summary.relative_gap, 2));
    style =
        summary.status == SolverStatus::kConverged
            ? QStringLiteral("background:#1b7f3b;color:white;font-weight:bold;border-radius:4px;")
            : QStringLiteral("background:#666;color:white;border-radius:4px;");
  } else if (summary.solver == SolverKind::kGated && !summary.robust) {
    // The gap certifies the relaxation; the network shown is its cone decomposition, whose
    // objective is not certified.
    text = tr("  %1 on the gated relaxation — gap %2 · ReLU network (decomposed): objective %3, "
              "not certified  ")
               .arg(summary.status == SolverStatus::kConverged
                        ? tr("✔ Optimal")
                        : QString::fromLatin1(to_string(summary.status)))
               .arg(format_number(summary.relative_gap, 2))
               .arg(format_number(summary.decomposed_objective, 6));
    style = QStringLiteral("background:#2a5d9f;color:white;font-weight:bold;border-radius:4px;");
  } else if (summary.solver == SolverKind::kRandomFeatures) {
    // The lasso's gap certifies the best network built from the sampled neurons only.
    text = (result && result->pattern_generation
                ? tr("  %1 among the %2 grown ReLU neurons — gap %3  ")
                : tr("  %1 among the %2 random ReLU features — gap %3  "))
               .arg(summary.status == SolverStatus::kConverged
                        ? tr("✔ Optimal")
                        : QString::fromLatin1(to_string(summary.status)))
               .arg(summary.num_patterns)
               .arg(format_number(summary.relative_gap, 2));
    style = QStringLiteral("background:#6b4fa0;color:white;font-weight:bold;border-radius:4px;");
  } else if (summary.certifies_global_optimum()) {
    text =
        tr("  ✔ Certified globally optimal — gap %1  ").arg(format_number(summary.relative_gap, 2));
    style = QStringLiteral("background:#1b7f3b;color:white;font-weight:bold;border-radius:4px;");
  } else if (summary.robust) {
    text = summary.status == SolverStatus::kConverged
               ? tr("  ✔ Robust program solved (ε = %1)  ").arg(summary.epsilon)
               : tr("  Robust training (ε = %1): %2  ")
                     .arg(summary.epsilon)
                     .arg(QString::fromLatin1(to_string(summary.status)));
    style = QStringLiteral("background:#8a1538;color:white;font-weight:bold;border-radius:4px;");
  } else if (summary.status == SolverStatus::kConverged) {
    text = tr("  ✔ Optimal for the %1 sampled patterns — gap %2  ")
               .arg(summary.num_patterns)
               .arg(format_number(summary.relative_gap, 2));
    style = QStringLiteral("background:#b36b00;color:white;font-weight:bold;border-radius:4px;");
  } else {
    text = tr("  %1 — gap %2  ")
               .arg(QString::fromLatin1(to_string(summary.status)))
               .arg(format_number(summary.relative_gap, 2));
    style = QStringLiteral("background:#666;color:white;border-radius:4px;");
  }
  if (result && result->pattern_generation) {
    const PatternGenerationSummary& generation = *result->pattern_generation;
    text += (summary.solver == SolverKind::kRandomFeatures
                 ? tr("· %n neuron(s) added by growing in %1 round(s)  ", nullptr,
                      static_cast<int>(generation.patterns_added))
                 : tr("· %n pattern(s) added by growing in %1 round(s)  ", nullptr,
                      static_cast<int>(generation.patterns_added)))
                .arg(generation.rounds);
    if (generation.slide_iterations > 0) {
      text += tr("· slid: %1 → %2  ")
                  .arg(format_number(generation.slide_objective_before, 6))
                  .arg(format_number(generation.slide_objective_after, 6));
    }
  }
  badge_label_->setText(text);
  badge_label_->setStyleSheet(style);
  badge_label_->setToolTip(QString::fromStdString(summary.certificate_statement()));
  badge_label_->show();
  // The result's own figures (the last report is the ADMM iterate, before polishing).
  gap_label_->setText(tr("Gap %1").arg(format_number(summary.relative_gap, 2)));
  neurons_label_->setText(tr("Neurons %1").arg(summary.active_neurons));
  updateActions();
}

void MainWindow::showBaselinePanel() {
  if (!baseline_dock_->isVisible()) {
    baseline_dock_->show();
    resizeDocks({baseline_dock_}, {480}, Qt::Horizontal);
  }
  baseline_dock_->raise();
}

void MainWindow::applyModelSettings() {
  config_debounce_.stop();
  controller_.setConfig(model_panel_->config());
  // A running solve restarts with the new settings: say what it now solves.
  if (controller_.state() != TrainingController::State::kIdle) describeRun(controller_.config());
}

void MainWindow::reportError(const QString& title, const QString& message) {
  if (error_handler_) error_handler_(title, message);
}

bool MainWindow::generateDataset(const GeneratorSettings& settings) {
  try {
    Dataset generated = generate_dataset(settings);
    generator_ = settings;
    loaded_data_.reset();
    applyDataset(std::move(generated));
    return true;
  } catch (const std::exception& error) {
    reportError(tr("Cannot generate the dataset"), QString::fromStdString(error.what()));
    return false;
  }
}

bool MainWindow::openCsv(const QString& path) {
  try {
    Dataset loaded = load_csv(path.toStdString());
    applyDataset(loaded);  // throws before anything changes if the split is impossible
    generator_.reset();
    loaded_data_ = std::move(loaded);
    return true;
  } catch (const std::exception& error) {
    reportError(tr("Cannot open the CSV file"), QString::fromStdString(error.what()));
    return false;
  }
}

void MainWindow::applyDataset(Dataset dataset) {
  const SplitSettings split_settings = dataset_panel_->splitSettings();
  TrainTestSplit split =
      split_train_test(dataset, split_settings.test_fraction, split_settings.seed);
  std::optional<Dataset> test;
  if (split.test.num_samples() > 0) test = std::move(split.test);
  std::optional<BoundaryGridSpec> grid;
  if (dataset.num_features() == 2) grid = boundary_grid_for(dataset);

  const bool exact_possible =
      dataset.num_features() == 2 && split.train.num_samples() <= kMaxExactSamples;
  QString reason;
  if (dataset.num_features() != 2) {
    reason = tr("Exact enumeration needs 2-D data; this dataset has %1 features.")
                 .arg(dataset.num_features());
  } else if (!exact_possible) {
    reason = tr("Exact enumeration is limited to %1 training points (here %2): the number of "
                "patterns grows with n², too many for interactive use.")
                 .arg(kMaxExactSamples)
                 .arg(split.train.num_samples());
  }
  model_panel_->setExactAvailable(exact_possible, reason);

  const Eigen::Index negatives = dataset.count_label(-1.0);
  const Eigen::Index positives = dataset.count_label(1.0);
  dataset_panel_->setSummary(QString::fromStdString(dataset.source),
                             tr("n = %1 (%2 train, %3 test), d = %4\nclasses: %5 × %6, %7 × %8")
                                 .arg(dataset.num_samples())
                                 .arg(split.train.num_samples())
                                 .arg(test ? test->num_samples() : 0)
                                 .arg(dataset.num_features())
                                 .arg(negatives)
                                 .arg(format_number(dataset.label_mapping.negative_value))
                                 .arg(positives)
                                 .arg(format_number(dataset.label_mapping.positive_value)));
  boundary_panel_->setData(split.train, test, grid);
  full_data_ = std::move(dataset);
  session_model_.reset();
  controller_.setConfig(model_panel_->config());
  controller_.setData(std::move(split.train), std::move(test), grid);
  badge_label_->hide();
  updateStatus();
  updateActions();
}

std::optional<Model> MainWindow::currentModel() const {
  const auto& result = controller_.lastResult();
  if (!result) return session_model_;
  Model model;
  model.network = result->network;
  model.training = make_training_record(result->summary, controller_.lastResultConfig());
  model.label_mapping = full_data_.label_mapping;
  return model;
}

bool MainWindow::exportModel(const QString& path) {
  const std::optional<Model> model = currentModel();
  if (!model) {
    reportError(tr("Nothing to export"), tr("Train a model first."));
    return false;
  }
  try {
    save_model(*model, path.toStdString());
    return true;
  } catch (const std::exception& error) {
    reportError(tr("Cannot export the model"), QString::fromStdString(error.what()));
    return false;
  }
}

bool MainWindow::writeImage(QWidget* widget, const QString& path, const QString& title) {
  if (path.endsWith(QStringLiteral(".svg"), Qt::CaseInsensitive)) {
    // QSvgGenerator writes directly; render into a temporary name and rename for atomicity.
    const QString temporary = path + QStringLiteral(".part");
    {
      QSvgGenerator generator;
      generator.setFileName(temporary);
      generator.setSize(widget->size());
      generator.setViewBox(widget->rect());
      generator.setTitle(title);
      QPainter painter;
      if (!painter.begin(&generator)) {
        reportError(tr("Cannot export"), tr("%1: cannot be written").arg(temporary));
        return false;
      }
      widget->render(&painter);
      painter.end();
    }
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
      QFile::remove(temporary);
      reportError(tr("Cannot export"), tr("%1: cannot be written").arg(path));
      return false;
    }
    return true;
  }
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly) || !widget->grab().save(&file, "PNG") || !file.commit()) {
    reportError(tr("Cannot export"),
                tr("%1: cannot be written (%2)").arg(path, file.errorString()));
    return false;
  }
  return true;
}

bool MainWindow::exportCharts(const QString& path) {
  return writeImage(charts_, path, tr("ConvexNN Studio charts"));
}

bool MainWindow::exportBoundary(const QString& path) {
  if (!boundary_panel_->showsPlot()) {
    reportError(tr("Cannot export"), boundary_panel_->message());
    return false;
  }
  return writeImage(boundary_panel_->view(), path, tr("ConvexNN Studio decision boundary"));
}

bool MainWindow::saveSession(const QString& path) {
  try {
    Session session;
    session.generator = generator_;
    session.loaded_data = loaded_data_;
    session.split = dataset_panel_->splitSettings();
    session.config = model_panel_->config();
    session.model = currentModel();
    save_session(session, path.toStdString());
    return true;
  } catch (const std::exception& error) {
    reportError(tr("Cannot save the session"), QString::fromStdString(error.what()));
    return false;
  }
}

bool MainWindow::openSession(const QString& path) {
  Session session;
  try {
    session = load_session(path.toStdString());
    if (session.generator) generate_dataset(*session.generator);  // validate before changing
  } catch (const std::exception& error) {
    reportError(tr("Cannot open the session"), QString::fromStdString(error.what()));
    return false;
  }
  controller_.reset();
  dataset_panel_->setSplitSettings(session.split);
  model_panel_->setConfig(session.config);
  if (session.generator) {
    dataset_panel_->setGeneratorSettings(*session.generator);
    dataset_panel_->setSplitSettings(session.split);
    if (!generateDataset(*session.generator)) return false;
  } else {
    applyDataset(*session.loaded_data);
    generator_.reset();
    loaded_data_ = session.loaded_data;
  }
  applyModelSettings();
  session_model_ = session.model;
  updateActions();
  if (session.model) {
    auto snapshot = std::make_shared<NetworkSnapshot>();
    snapshot->network = session.model->network;
    snapshot->final = true;
    if (full_data_.num_features() == 2) {
      snapshot->grid_spec = boundary_grid_for(full_data_);
      const BoundaryGridSpec& g = snapshot->grid_spec;
      snapshot->grid =
          snapshot->network.evaluate_grid(g.x_min, g.x_max, g.y_min, g.y_max, g.rows, g.cols);
    }
    boundary_panel_->setSnapshot(snapshot);
  }
  return true;
}

QString MainWindow::askSavePath(const QString& title, const QString& filter,
                                const QString& suffix) {
  QString path = QFileDialog::getSaveFileName(this, title, QString(), filter);
  if (!path.isEmpty() && QFileInfo(path).suffix().isEmpty()) path += suffix;
  return path;
}

}  // namespace convexnn::ui
