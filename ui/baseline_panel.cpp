#include "baseline_panel.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QValueAxis>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "diverging_color_map.h"
#include "log_slider.h"
#include "training_controller.h"

namespace convexnn::ui {
namespace {
constexpr int kThumbnailSize = 118;
constexpr int kThumbnailColumns = 2;
constexpr double kWithinFraction = 0.01;  // "reached the optimum" means within 1% of U
}  // namespace

BaselinePanel::BaselinePanel(TrainingController* controller, QWidget* parent)
    : QWidget(parent), controller_(controller), runner_(std::make_unique<BaselineRunner>()) {
  auto* layout = new QVBoxLayout(this);
  auto* intro = new QLabel(
      tr("Ordinary training by back-propagation on the same objective, from several random "
         "starts. Compare where it ends with the convex optimum."),
      this);
  intro->setWordWrap(true);
  layout->addWidget(intro);

  auto* form = new QFormLayout;
  optimizer_ = new QComboBox(this);
  optimizer_->addItem(tr("Adam"), QStringLiteral("adam"));
  optimizer_->addItem(tr("SGD with momentum"), QStringLiteral("sgd"));
  optimizer_->setToolTip(tr("The update rule of back-propagation. Adam adapts the step per weight; "
                            "SGD with momentum is the classic method."));
  seeds_ = new QSpinBox(this);
  seeds_->setRange(1, 64);
  seeds_->setValue(8);
  seeds_->setToolTip(tr("How many random initializations to train (seeds 1..K, run in parallel). "
                        "Each can end in a different place: the problem is not convex."));
  epochs_ = new QSpinBox(this);
  epochs_->setRange(1, 1000000);
  epochs_->setValue(2000);
  epochs_->setSingleStep(500);
  epochs_->setToolTip(tr("Passes over the training data (full batch: one step per epoch)."));
  width_ = new QSpinBox(this);
  width_->setRange(1, 10000);
  width_->setValue(50);
  width_->setToolTip(tr("Hidden neurons m of the network trained by back-propagation."));
  learning_rate_ = new ScientificSpinBox(this);
  learning_rate_->setRange(1e-6, 10.0);
  learning_rate_->setValue(0.01);
  learning_rate_->setToolTip(tr("Step size. Too large and training diverges, too small and it "
                                "stalls: one more knob the convex method does not have."));
  form->addRow(tr("Optimizer"), optimizer_);
  form->addRow(tr("Seeds K"), seeds_);
  form->addRow(tr("Epochs"), epochs_);
  form->addRow(tr("Width m"), width_);
  form->addRow(tr("Learning rate"), learning_rate_);
  layout->addLayout(form);
  run_button_ = new QPushButton(tr("Run back-propagation"), this);
  run_button_->setToolTip(tr("Train the K networks with the current data, loss and β."));
  layout->addWidget(run_button_);

  chart_ = new QChart;
  chart_->setTitle(tr("Objective per epoch"));
  chart_->legend()->setAlignment(Qt::AlignBottom);
  chart_->setMargins(QMargins(2, 2, 2, 2));
  axis_x_ = new QValueAxis;
  axis_x_->setTitleText(tr("epoch"));
  axis_x_->setLabelFormat(QStringLiteral("%d"));
  axis_y_ = new QValueAxis;
  chart_->addAxis(axis_x_, Qt::AlignBottom);
  chart_->addAxis(axis_y_, Qt::AlignLeft);
  auto* view = new QChartView(chart_, this);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(220);
  view->setToolTip(tr("Thin lines: the objective of each back-propagation run. Red dashes: the "
                      "convex optimum U; green dashes: the certified lower bound L that no "
                      "network can go below."));
  layout->addWidget(view);

  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  gallery_ = new QGridLayout;
  layout->addLayout(gallery_);
  layout->addStretch(1);

  connect(run_button_, &QPushButton::clicked, this, &BaselinePanel::run);
}

BaselinePanel::~BaselinePanel() = default;

void BaselinePanel::setOptions(int seeds, NonconvexOptimizer optimizer, int epochs) {
  seeds_->setValue(seeds);
  optimizer_->setCurrentIndex(optimizer == NonconvexOptimizer::kAdam ? 0 : 1);
  epochs_->setValue(epochs);
}

bool BaselinePanel::busy() const { return runner_->busy(); }

int BaselinePanel::thumbnails() const { return gallery_->count(); }

QString BaselinePanel::summary() const { return summary_->text(); }

void BaselinePanel::run() {
  if (runner_->busy() || !controller_->hasData()) return;
  BaselineJob job;
  job.train = controller_->trainData();
  job.test = controller_->testData();
  job.config = controller_->config();
  job.options.optimizer = nonconvex_optimizer_from_string(
      optimizer_->currentData().toString().toStdString());
  job.options.epochs = epochs_->value();
  job.options.width = width_->value();
  job.options.learning_rate = learning_rate_->value();
  job.options.report_every = std::max(1, epochs_->value() / 500);
  job.seeds = seeds_->value();
  if (const auto snapshot = controller_->latestNetwork(); snapshot && snapshot->grid.size() > 0) {
    job.grid = snapshot->grid_spec;
  }
  train_ = job.train;
  run_button_->setEnabled(false);
  summary_->setText(tr("Training %1 networks…").arg(job.seeds));
  runner_->start(std::move(job), [this] {
    QMetaObject::invokeMethod(this, &BaselinePanel::onFinished, Qt::QueuedConnection);
  });
}

void BaselinePanel::onFinished() {
  runner_->wait();
  run_button_->setEnabled(true);
  std::optional<BaselineOutcome> outcome = runner_->take_outcome();
  if (!outcome) return;
  if (!outcome->error.empty()) {
    summary_->setText(QString());
    Q_EMIT failed(QString::fromStdString(outcome->error));
    return;
  }
  outcome_ = std::move(outcome);
  showOutcome();
  Q_EMIT finished();
}

QPixmap BaselinePanel::boundaryThumbnail(const Eigen::MatrixXd& grid,
                                         const BoundaryGridSpec& spec) const {
  QPixmap pixmap = QPixmap::fromImage(output_image(grid, false).scaled(
      kThumbnailSize, kThumbnailSize, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(QPen(Qt::white, 0.8));
  for (Eigen::Index i = 0; i < train_.num_samples(); ++i) {
    const double u = (train_.X(i, 0) - spec.x_min) / (spec.x_max - spec.x_min);
    const double v = (spec.y_max - train_.X(i, 1)) / (spec.y_max - spec.y_min);
    painter.setBrush(train_.y(i) > 0 ? kPositiveClassColor : kNegativeClassColor);
    painter.drawEllipse(QPointF(u * kThumbnailSize, v * kThumbnailSize), 2.6, 2.6);
  }
  painter.setPen(QColor(120, 120, 120));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(0, 0, kThumbnailSize - 1, kThumbnailSize - 1);
  return pixmap;
}

void BaselinePanel::showOutcome() {
  chart_->removeAllSeries();
  while (QLayoutItem* item = gallery_->takeAt(0)) {
    delete item->widget();
    delete item;
  }
  const std::vector<BaselineSeed>& seeds = outcome_->seeds;
  const auto& convex = controller_->lastResult();
  const bool have_convex = convex.has_value() && !convex->summary.robust &&
                           convex->summary.network_objective > 0;
  const double optimum = have_convex ? convex->summary.network_objective : NAN;
  const double bound = have_convex ? convex->summary.lower_bound : NAN;

  double y_low = have_convex ? bound : INFINITY, y_high = have_convex ? optimum : -INFINITY;
  std::int64_t longest = 1;
  for (const BaselineSeed& seed : seeds) {
    const std::vector<double>& history = seed.result.objective_history;
    QList<QPointF> points;
    const std::size_t stride = std::max<std::size_t>(1, history.size() / 800);
    for (std::size_t e = 0; e < history.size(); e += stride) {
      if (std::isfinite(history[e])) points.append(QPointF(static_cast<double>(e), history[e]));
    }
    if (!history.empty() && std::isfinite(history.back())) {
      points.append(QPointF(static_cast<double>(history.size() - 1), history.back()));
    }
    auto* series = new QLineSeries;
    series->setPen(QPen(QColor(90, 90, 90, 150), 1.0));
    series->replace(points);
    chart_->addSeries(series);
    series->attachAxis(axis_x_);
    series->attachAxis(axis_y_);
    for (QLegendMarker* marker : chart_->legend()->markers(series)) marker->setVisible(false);
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(history.size()) - 1);
    // Scale to the later part of the runs, where they settle.
    for (std::size_t e = history.size() / 4; e < history.size(); ++e) {
      if (std::isfinite(history[e])) {
        y_low = std::min(y_low, history[e]);
        y_high = std::max(y_high, history[e]);
      }
    }
  }
  const auto add_level = [&](double value, const QString& name, const QColor& color) {
    auto* line = new QLineSeries;
    line->setName(name);
    line->setPen(QPen(color, 2.4, Qt::DashLine));
    line->replace({QPointF(0, value), QPointF(static_cast<double>(longest), value)});
    chart_->addSeries(line);
    line->attachAxis(axis_x_);
    line->attachAxis(axis_y_);
  };
  if (have_convex) {
    add_level(optimum, tr("convex optimum U"), QColor(200, 40, 40));
    add_level(bound, tr("lower bound L"), QColor(30, 120, 60));
  }
  axis_x_->setRange(0, static_cast<double>(longest));
  if (std::isfinite(y_low) && std::isfinite(y_high)) {
    const double pad = std::max(1e-9, 0.08 * (y_high - y_low));
    axis_y_->setRange(y_low - pad, y_high + pad);
  }

  int within = 0;
  std::int64_t dead = 0, total = 0;
  for (const BaselineSeed& seed : seeds) {
    if (have_convex && seed.result.objective <= optimum * (1 + kWithinFraction)) ++within;
    dead += seed.result.dead_neurons;
    total += seed.result.network.width();
  }
  const int k = static_cast<int>(seeds.size());
  QString text;
  if (have_convex) {
    text = tr("%1 of %2 seeds ended within 1% of the convex optimum U = %3%4. ")
               .arg(within)
               .arg(k)
               .arg(optimum, 0, 'g', 6)
               .arg(convex->summary.certifies_global_optimum() ? tr(" (certified)") : QString());
  } else {
    text = tr("Train the convex model first to compare with its optimum. ");
  }
  text += tr("%1 of %2 neurons died (never active on any training point).").arg(dead).arg(total);
  summary_->setText(text);

  if (!outcome_->grid) return;
  const auto add_thumbnail = [&](int index, const QPixmap& pixmap, const QString& caption) {
    auto* cell = new QLabel;
    cell->setPixmap(pixmap);
    cell->setToolTip(caption);
    auto* label = new QLabel(caption);
    label->setAlignment(Qt::AlignCenter);
    auto* box = new QWidget;
    auto* box_layout = new QVBoxLayout(box);
    box_layout->setContentsMargins(2, 2, 2, 2);
    box_layout->setSpacing(1);
    box_layout->addWidget(cell, 0, Qt::AlignCenter);
    box_layout->addWidget(label);
    gallery_->addWidget(box, index / kThumbnailColumns, index % kThumbnailColumns);
  };
  int index = 0;
  if (const auto snapshot = controller_->latestNetwork();
      have_convex && snapshot && snapshot->final && snapshot->grid.size() > 0) {
    add_thumbnail(index++, boundaryThumbnail(snapshot->grid, *outcome_->grid),
                  tr("convex: %1").arg(optimum, 0, 'g', 5));
  }
  for (const BaselineSeed& seed : seeds) {
    if (seed.grid.size() == 0) continue;
    const QString relative =
        have_convex ? QStringLiteral(" (+%1%)").arg(100.0 * (seed.result.objective / optimum - 1.0), 0,
                                                    'f', 1)
                    : QString();
    add_thumbnail(index++, boundaryThumbnail(seed.grid, *outcome_->grid),
                  tr("seed %1: %2%3").arg(seed.result.seed).arg(seed.result.objective, 0, 'g', 5)
                      .arg(relative));
  }
}

}  // namespace convexnn::ui
