#include "live_charts.h"

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

#include "diverging_color_map.h"

namespace convexnn::ui {
namespace {

QChart* make_chart(const QString& title) {
  auto* chart = new QChart;
  chart->setTitle(title);
  QFont title_font = chart->titleFont();
  title_font.setBold(true);
  title_font.setPointSizeF(title_font.pointSizeF() * 1.1);
  chart->setTitleFont(title_font);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(2, 2, 2, 2));
  chart->setBackgroundRoundness(0);
  return chart;
}

std::pair<double, double> value_range(const std::vector<const QList<QPointF>*>& lists) {
  double low = std::numeric_limits<double>::infinity();
  double high = -std::numeric_limits<double>::infinity();
  for (const QList<QPointF>* list : lists) {
    for (const QPointF& p : *list) {
      low = std::min(low, p.y());
      high = std::max(high, p.y());
    }
  }
  return {low, high};
}

}  // namespace

LiveCharts::LiveCharts(QWidget* parent) : QWidget(parent) {
  setMinimumWidth(440);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(2);
  const auto add_view = [&](QChart* chart, const QString& tooltip) {
    auto* view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setToolTip(tooltip);
    view->setMinimumHeight(170);
    layout->addWidget(view);
    views_.push_back(view);
    auto* x = new QValueAxis;
    x->setTitleText(tr("iteration"));
    x->setLabelFormat(QStringLiteral("%d"));
    x->setRange(0, 1);
    chart->addAxis(x, Qt::AlignBottom);
    x_axes_.push_back(x);
    return x;
  };

  QChart* objective = make_chart(tr("Objective"));
  objective_chart_ = objective;
  QValueAxis* objective_x = add_view(
      objective, tr("U: training objective of the best feasible solution so far (an upper bound "
                    "on the optimum). L: a certified lower bound from the dual; no network can "
                    "do better than L. When they meet, the network is optimal. The thin line is "
                    "the network of the current iterate, which need not satisfy the program's "
                    "constraints yet and bounds nothing."));
  objective_axis_ = new QValueAxis;
  objective->addAxis(objective_axis_, Qt::AlignLeft);
  upper_ = addSeries(objective, objective_x, objective_axis_, tr("network U"), QColor(200, 40, 40));
  current_ = addSeries(objective, objective_x, objective_axis_, tr("current iterate"),
                       QColor(200, 40, 40, 110), Qt::DotLine);
  lower_ = addSeries(objective, objective_x, objective_axis_, tr("lower bound L"),
                     QColor(30, 120, 60), Qt::DashLine);

  QChart* gap = make_chart(tr("Gap and residuals"));
  QValueAxis* gap_x = add_view(
      gap, tr("Relative gap (U − L) / max(1, |U|): the run stops when it falls below the "
              "tolerance. Primal and dual residuals measure how far ADMM is from agreeing with "
              "itself."));
  gap_axis_ = new QLogValueAxis;
  gap_axis_->setBase(10);
  gap_axis_->setLabelFormat(QStringLiteral("%.0e"));
  gap_axis_->setMinorTickCount(0);
  gap->addAxis(gap_axis_, Qt::AlignLeft);
  gap_ = addSeries(gap, gap_x, gap_axis_, tr("relative gap"), QColor(120, 40, 160));
  primal_ =
      addSeries(gap, gap_x, gap_axis_, tr("primal residual"), QColor(90, 90, 90), Qt::DashLine);
  dual_ = addSeries(gap, gap_x, gap_axis_, tr("dual residual"), QColor(0, 140, 170), Qt::DotLine);

  QChart* accuracy = make_chart(tr("Accuracy"));
  QValueAxis* accuracy_x = add_view(
      accuracy, tr("Share of correctly classified points, on the training set and on the "
                   "held-out test set. With robust training also the share of training points "
                   "whose whole ε-box is provably classified correctly."));
  accuracy_axis_ = new QValueAxis;
  accuracy_axis_->setRange(0, 100);
  accuracy_axis_->setLabelFormat(QStringLiteral("%d%%"));
  accuracy->addAxis(accuracy_axis_, Qt::AlignLeft);
  train_accuracy_ =
      addSeries(accuracy, accuracy_x, accuracy_axis_, tr("train"), kPositiveClassColor);
  test_accuracy_ = addSeries(accuracy, accuracy_x, accuracy_axis_, tr("test"), kNegativeClassColor,
                             Qt::DashLine);
  robust_accuracy_ = addSeries(accuracy, accuracy_x, accuracy_axis_, tr("certified robust (train)"),
                               QColor(200, 0, 60), Qt::DotLine);
}

QLineSeries* LiveCharts::addSeries(QChart* chart, QValueAxis* x, QAbstractAxis* y,
                                   const QString& name, const QColor& color, Qt::PenStyle style) {
  auto* series = new QLineSeries;
  series->setName(name);
  series->setPen(QPen(color, 2.4, style));
  chart->addSeries(series);
  series->attachAxis(x);
  series->attachAxis(y);
  return series;
}

int LiveCharts::pointsIn(const QString& series_name) const {
  for (QLineSeries* series : {upper_, current_, lower_, gap_, primal_, dual_, train_accuracy_,
                              test_accuracy_, robust_accuracy_}) {
    if (series->name() == series_name) return static_cast<int>(series->count());
  }
  return -1;
}

void LiveCharts::refresh(const RunHistory& history) {
  const int n = kMaxPointsPerSeries;
  const QList<QPointF> upper =
      history.series([](const IterationReport& r) { return r.best_network_objective; }, n);
  const QList<QPointF> current =
      history.series([](const IterationReport& r) { return r.network_objective; }, n);
  // The loss is non-negative, so 0 is always a valid bound; earlier values only squash the plot.
  // NaN (no bound at that report, e.g. while neurons slide) stays a hole.
  const QList<QPointF> lower = history.series(
      [](const IterationReport& r) {
        return std::isnan(r.lower_bound) ? r.lower_bound : std::max(0.0, r.lower_bound);
      },
      n);
  const QList<QPointF> gap =
      history.series([](const IterationReport& r) { return r.relative_gap; }, n, kLogFloor);
  const QList<QPointF> primal =
      history.series([](const IterationReport& r) { return r.primal_residual; }, n, kLogFloor);
  const QList<QPointF> dual =
      history.series([](const IterationReport& r) { return r.dual_residual; }, n, kLogFloor);
  const QList<QPointF> train =
      history.series([](const IterationReport& r) { return 100.0 * r.train_accuracy; }, n);
  const QList<QPointF> test =
      history.series([](const IterationReport& r) { return 100.0 * r.test_accuracy; }, n);
  const QList<QPointF> robust =
      history.series([](const IterationReport& r) { return 100.0 * r.robust_train_accuracy; }, n);
  robust_accuracy_->replace(robust);
  robust_accuracy_->setVisible(!robust.isEmpty());
  upper_->replace(upper);
  current_->replace(current);
  lower_->replace(lower);
  gap_->replace(gap);
  primal_->replace(primal);
  dual_->replace(dual);
  train_accuracy_->replace(train);
  test_accuracy_->replace(test);

  const double first =
      history.empty() ? 0.0 : static_cast<double>(history.reports().front().iteration);
  const double last = history.empty() ? 1.0 : static_cast<double>(history.last().iteration);
  // Ticks at round iteration counts (1, 2, 2.5 or 5 times a power of ten), about five of them.
  const double raw = (std::max(last, first + 1.0) - first) / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
  double interval = 10.0 * magnitude;
  for (const double factor : {1.0, 2.0, 2.5, 5.0}) {
    if (raw <= factor * magnitude) {
      interval = factor * magnitude;
      break;
    }
  }
  for (QValueAxis* x : x_axes_) {
    x->setRange(first, std::max(last, first + 1.0));
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(0.0);
    x->setTickInterval(std::max(1.0, interval));
  }

  // The first iterations start far above the optimum; scale to the last three quarters of the run
  // so the squeeze of U and L stays visible.
  const double cut = first + 0.25 * (last - first);
  QList<QPointF> recent_upper, recent_lower;
  for (const QPointF& p : upper) {
    if (p.x() >= cut) recent_upper.append(p);
  }
  for (const QPointF& p : lower) {
    if (p.x() >= cut) recent_lower.append(p);
  }
  if (recent_upper.size() < 2) recent_upper = upper;
  if (recent_lower.size() < 2) recent_lower = lower;
  auto [objective_low, objective_high] = value_range({&recent_upper, &recent_lower});
  if (std::isfinite(objective_low) && std::isfinite(objective_high)) {
    const double pad = std::max(1e-9, 0.05 * (objective_high - objective_low));
    objective_axis_->setRange(std::max(0.0, objective_low - pad), objective_high + pad);
  }
  auto [gap_low, gap_high] = value_range({&gap, &primal, &dual});
  if (std::isfinite(gap_low) && std::isfinite(gap_high)) {
    // One label per power of the base: widen the base when the run spans many decades so the
    // labels never crowd out (and get elided).
    double low_decade = std::floor(std::log10(gap_low));
    double high_decade = std::ceil(std::log10(std::max(gap_high, gap_low * 10)));
    const double span = high_decade - low_decade;
    const int step = span <= 5 ? 1 : span <= 10 ? 2 : span <= 15 ? 3 : 4;
    low_decade = std::floor(low_decade / step) * step;
    high_decade = std::ceil(high_decade / step) * step;
    gap_axis_->setBase(std::pow(10.0, step));
    gap_axis_->setRange(std::pow(10.0, low_decade), std::pow(10.0, high_decade));
  }
}

}  // namespace convexnn::ui

namespace convexnn::ui {

void LiveCharts::setObjectiveTitle(const QString& title) { objective_chart_->setTitle(title); }

QString LiveCharts::objectiveTitle() const { return objective_chart_->title(); }

}  // namespace convexnn::ui
