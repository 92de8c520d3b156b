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
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "convexnn/optimum_comparison.h"
#include "diverging_color_map.h"
#include "log_slider.h"
#include "training_controller.h"

namespace convexnn::ui {
namespace {
constexpr int kThumbnailSize = 118;
constexpr int kThumbnailColumns = 2;
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
  optimizer_->setToolTip(
      tr("The update rule of back-propagation. Adam adapts the step per weight; "
         "SGD with momentum is the classic method."));
  seeds_ = new QSpinBox(this);
  seeds_->setRange(1, 64);
  seeds_->setValue(8);
  seeds_->setToolTip(
      tr("How many random initializations to train (seeds 1..K, run in parallel). "
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
  learning_rate_->setToolTip(
      tr("Step size. Too large and training diverges, too small and it "
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
  view->setToolTip(
      tr("Thin lines: the objective of each back-propagation run. Red dashes: the "
         "convex optimum U; green dashes: the certified lower bound L that no "
         "network can go below."));
  layout->addWidget(view);

  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  layout->addWidget(summary_);
  certify_button_ = new QPushButton(tr("Certify best seed / train convex on its patterns"), this);
  certify_button_->setObjectName(QStringLiteral("certifyBestSeed"));
  certify_button_->setToolTip(
      tr("Takes the seed with the lowest objective and writes its network as a point of the "
         "convex program over the network's own activation patterns. The dual certificate "
         "then tells whether it is optimal there, and P freshly sampled patterns (P and the "
         "gap tolerance from the Model panel) whether some pattern still lowers the objective. "
         "The convex program is then re-solved from the network on its own and the violating "
         "patterns: it starts at the network, so it can only do better."));
  layout->addWidget(certify_button_);
  certificate_ = new QLabel(this);
  certificate_->setWordWrap(true);
  certificate_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(certificate_);
  gallery_ = new QGridLayout;
  layout->addLayout(gallery_);
  layout->addStretch(1);

  connect(run_button_, &QPushButton::clicked, this, &BaselinePanel::run);
  connect(certify_button_, &QPushButton::clicked, this, &BaselinePanel::certifyBestSeed);
  updateButtons();
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

QString BaselinePanel::certificateText() const { return certificate_->text(); }

bool BaselinePanel::canCertify() const {
  return !runner_->busy() && outcome_.has_value() && !outcome_->seeds.empty();
}

void BaselinePanel::updateButtons() {
  const bool busy = runner_->busy();
  run_button_->setEnabled(!busy);
  certify_button_->setEnabled(canCertify());
}

void BaselinePanel::run() {
  if (runner_->busy() || !controller_->hasData()) return;
  BaselineJob job;
  job.train = controller_->trainData();
  job.test = controller_->testData();
  job.config = controller_->config();
  job.options.optimizer =
      nonconvex_optimizer_from_string(optimizer_->currentData().toString().toStdString());
  job.options.epochs = epochs_->value();
  job.options.width = width_->value();
  job.options.learning_rate = learning_rate_->value();
  job.options.report_every = std::max(1, epochs_->value() / 500);
  job.seeds = seeds_->value();
  if (const auto snapshot = controller_->latestNetwork(); snapshot && snapshot->grid.size() > 0) {
    job.grid = snapshot->grid_spec;
  }
  train_ = job.train;
  trained_config_ = job.config;
  outcome_.reset();
  certify_outcome_.reset();
  certificate_->clear();
  summary_->setText(tr("Training %1 networks…").arg(job.seeds));
  runner_->start(std::move(job), [this] {
    QMetaObject::invokeMethod(this, &BaselinePanel::onFinished, Qt::QueuedConnection);
  });
  updateButtons();
}

void BaselinePanel::onFinished() {
  runner_->wait();
  std::optional<BaselineOutcome> outcome = runner_->take_outcome();
  updateButtons();
  if (!outcome) return;
  if (!outcome->error.empty()) {
    summary_->setText(QString());
    Q_EMIT failed(QString::fromStdString(outcome->error));
    return;
  }
  outcome_ = std::move(outcome);
  showOutcome();
  updateButtons();
  Q_EMIT finished();
}

QString BaselinePanel::trainingSetupChanged() const {
  const Dataset& now = controller_->trainData();
  const TrainingConfig& config = controller_->config();
  const bool same_data = now.X.rows() == train_.X.rows() && now.X.cols() == train_.X.cols() &&
                         now.X == train_.X && now.y == train_.y;
  if (!same_data || config.loss != trained_config_.loss || config.beta != trained_config_.beta ||
      !(config.activation == trained_config_.activation) ||
      config.standardize != trained_config_.standardize) {
    return tr(
        "The data or the loss, β, activation or standardization changed since "
        "back-propagation ran: run it again before certifying.");
  }
  return QString();
}

void BaselinePanel::certifyBestSeed() {
  if (!canCertify()) return;
  if (const QString reason = trainingSetupChanged(); !reason.isEmpty()) {
    certify_outcome_.reset();
    certificate_->setText(reason);
    return;
  }
  const BaselineSeed* best = nullptr;
  for (const BaselineSeed& seed : outcome_->seeds) {
    if (!std::isfinite(seed.result.objective)) continue;
    if (best == nullptr || seed.result.objective < best->result.objective) best = &seed;
  }
  if (best == nullptr) {
    certificate_->setText(tr("No seed ended with a finite objective: nothing to certify."));
    return;
  }
  const TrainingConfig& config = controller_->config();
  CertifyJob job;
  job.network = best->result.network;
  job.seed = best->result.seed;
  job.train = controller_->trainData();
  job.loss = config.loss;
  job.beta = config.beta;
  job.certificate.fresh_patterns = config.pattern_samples;
  job.certificate.seed = config.seed;
  job.certificate.gap_tolerance = config.admm.relative_gap_tolerance;
  job.admm = config.admm;
  certify_tolerance_ = job.certificate.gap_tolerance;
  certify_outcome_.reset();
  certificate_->setText(
      tr("Certifying the network of seed %1 and re-solving from it…").arg(job.seed));
  runner_->start_certify(std::move(job), [this] {
    QMetaObject::invokeMethod(this, &BaselinePanel::onCertified, Qt::QueuedConnection);
  });
  updateButtons();
}

void BaselinePanel::onCertified() {
  runner_->wait();
  std::optional<CertifyOutcome> outcome = runner_->take_certify_outcome();
  updateButtons();
  if (!outcome) return;
  if (!outcome->error.empty()) {
    certificate_->clear();
    Q_EMIT failed(QString::fromStdString(outcome->error));
    return;
  }
  certify_outcome_ = std::move(outcome);
  showCertificate();
  Q_EMIT certified();
}

void BaselinePanel::showCertificate() {
  const NetworkCertificate& certificate = *certify_outcome_->certificate;
  QStringList lines;
  lines << tr("Seed %1 (objective %2) as a point of the convex program over its own %3 "
              "activation patterns:")
               .arg(certify_outcome_->seed)
               .arg(certificate.network_objective, 0, 'g', 6)
               .arg(certificate.own_problem.num_patterns());
  if (certificate.optimal_on_own_patterns) {
    lines << tr("• Optimal for that subsampled program: relative gap %1 (tolerance %2).")
                 .arg(certificate.own_relative_gap, 0, 'g', 2)
                 .arg(certify_tolerance_, 0, 'g', 2);
  } else {
    lines << tr("• Not optimal even for that subsampled program: relative gap %1 "
                "(tolerance %2).")
                 .arg(certificate.own_relative_gap, 0, 'g', 2)
                 .arg(certify_tolerance_, 0, 'g', 2);
  }
  const qsizetype fresh = certificate.fresh_patterns.num_patterns();
  const qsizetype violated = static_cast<qsizetype>(certificate.violations.size());
  if (violated > 0) {
    lines << tr("• %1 of %2 fresh patterns violate the dual certificate: each one is a direction "
                "in which the objective still decreases, so the network is not globally optimal.")
                 .arg(violated)
                 .arg(fresh);
  } else {
    lines << tr("• None of %1 fresh patterns violates the dual certificate (sampled patterns: "
                "evidence, not a proof of global optimality).")
                 .arg(fresh);
  }
  if (const auto& resolved = certify_outcome_->resolved;
      resolved && resolved->summary.status != SolverStatus::kCancelled) {
    lines << tr("• Convex program re-solved from it on %1 patterns (own + violating): objective "
                "%2 vs the network's %3 (it starts at the network, so it is never worse); "
                "relative gap %4, %5, certifies these %1 patterns only.")
                 .arg(resolved->problem.num_patterns())
                 .arg(resolved->summary.network_objective, 0, 'g', 6)
                 .arg(certificate.network_objective, 0, 'g', 6)
                 .arg(resolved->summary.relative_gap, 0, 'g', 2)
                 .arg(QString::fromUtf8(to_string(resolved->summary.status)));
  } else {
    lines << tr("• Re-solve cancelled.");
  }
  certificate_->setText(lines.join(QLatin1Char('\n')));
}

QPixmap BaselinePanel::boundaryThumbnail(const Eigen::MatrixXd& grid,
                                         const BoundaryGridSpec& spec) const {
  QPixmap pixmap = QPixmap::fromImage(
      output_image(grid, false)
          .scaled(kThumbnailSize, kThumbnailSize, Qt::IgnoreAspectRatio, Qt::SmoothTransformation));
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
  const bool have_convex =
      convex.has_value() && !convex->summary.robust && convex->summary.network_objective > 0;
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

  std::vector<double> objectives;
  std::int64_t dead = 0, total = 0;
  for (const BaselineSeed& seed : seeds) {
    objectives.push_back(seed.result.objective);
    dead += seed.result.dead_neurons;
    total += seed.result.network.width();
  }
  const int k = static_cast<int>(seeds.size());
  QString text;
  if (have_convex) {
    const convexnn::OptimumTally tally = convexnn::tally_against_optimum(objectives, optimum);
    text = tr("%1 of %2 seeds ended within 1% of the convex optimum U = %3%4. ")
               .arg(tally.within)
               .arg(k)
               .arg(optimum, 0, 'g', 6)
               .arg(convex->summary.certifies_global_optimum() ? tr(" (certified)") : QString());
    if (tally.far_below > 0) {
      text += tr("%1 of them more than 1% below it: they use activation patterns the %2 sampled "
                 "ones lack. ")
                  .arg(tally.far_below)
                  .arg(convex->summary.num_patterns);
    }
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
        have_convex
            ? QStringLiteral(" (+%1%)").arg(
                  100.0 * convexnn::relative_excess(seed.result.objective, optimum), 0, 'f', 1)
            : QString();
    add_thumbnail(index++, boundaryThumbnail(seed.grid, *outcome_->grid),
                  tr("seed %1: %2%3")
                      .arg(seed.result.seed)
                      .arg(seed.result.objective, 0, 'g', 5)
                      .arg(relative));
  }
}

}  // namespace convexnn::ui
