#pragma once
// The live charts of a run: objective (recovered network U and certified lower bound L), relative
// gap with primal/dual residuals on a log axis, and train/test accuracy. Data is replaced in bulk
// from a decimated history, so long runs stay smooth.
#include <QWidget>

#include "run_history.h"

class QChart;
class QChartView;
class QLineSeries;
class QValueAxis;
class QLogValueAxis;
class QAbstractAxis;

namespace convexnn::ui {

class LiveCharts : public QWidget {
  Q_OBJECT

 public:
  explicit LiveCharts(QWidget* parent = nullptr);

  void refresh(const RunHistory& history);
  std::vector<QChartView*> views() const { return views_; }
  int pointsIn(const QString& series_name) const;  // for tests
  // What U and L refer to, e.g. "Objective — gated ReLU relaxation" (the gated solver reports
  // the relaxation's objective, not the decomposed ReLU network's).
  void setObjectiveTitle(const QString& title);
  QString objectiveTitle() const;

  static constexpr int kMaxPointsPerSeries = 1500;
  static constexpr double kLogFloor = 1e-12;  // log axes show values clamped above 0

 private:
  QLineSeries* addSeries(QChart* chart, QValueAxis* x, QAbstractAxis* y, const QString& name,
                         const QColor& color, Qt::PenStyle style = Qt::SolidLine);

  std::vector<QChartView*> views_;
  std::vector<QValueAxis*> x_axes_;
  QChart* objective_chart_;
  QValueAxis* objective_axis_;
  QLogValueAxis* gap_axis_;
  QValueAxis* accuracy_axis_;
  QLineSeries* upper_;
  QLineSeries* current_;  // the current iterate's network: progress, not a bound
  QLineSeries* lower_;
  QLineSeries* gap_;
  QLineSeries* primal_;
  QLineSeries* dual_;
  QLineSeries* train_accuracy_;
  QLineSeries* test_accuracy_;
  QLineSeries* robust_accuracy_;
};

}  // namespace convexnn::ui
