#include "decision_boundary_view.h"

#include <QChart>
#include <QGraphicsPixmapItem>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "boundary_overlay.h"
#include "diverging_color_map.h"

namespace convexnn::ui {
namespace {

// Between the plot-area background (z 0) and the grid lines and series (z >= 1) of Qt Charts.
constexpr double kHeatmapZ = 0.5;
constexpr double kOverlayZ = 3.5;  // above grid (2) and axes (3), below the series (4)

QScatterSeries* make_points(const QString& name, const QColor& color, bool hollow) {
  auto* series = new QScatterSeries;
  series->setName(name);
  series->setMarkerShape(QScatterSeries::MarkerShapeCircle);
  series->setMarkerSize(hollow ? 11.0 : 10.0);
  series->setUseOpenGL(false);
  if (hollow) {
    series->setBrush(Qt::white);
    series->setPen(QPen(color, 2.5));
  } else {
    series->setBrush(color);
    series->setPen(QPen(Qt::white, 1.2));
  }
  return series;
}

QList<QPointF> points_of_class(const Dataset& data, double label) {
  QList<QPointF> points;
  for (Eigen::Index i = 0; i < data.num_samples(); ++i) {
    if (data.y(i) == label) points.append(QPointF(data.X(i, 0), data.X(i, 1)));
  }
  return points;
}

// The segment of the line a x + b y + c = 0 inside the rectangle, if any.
std::optional<std::pair<QPointF, QPointF>> clip_line(double a, double b, double c,
                                                     const BoundaryGridSpec& box) {
  std::vector<QPointF> hits;
  const auto add = [&](double x, double y) {
    const double tol = 1e-9 * (1 + std::abs(x) + std::abs(y));
    if (x >= box.x_min - tol && x <= box.x_max + tol && y >= box.y_min - tol &&
        y <= box.y_max + tol) {
      hits.emplace_back(x, y);
    }
  };
  if (std::abs(b) > 1e-12) {
    add(box.x_min, -(a * box.x_min + c) / b);
    add(box.x_max, -(a * box.x_max + c) / b);
  }
  if (std::abs(a) > 1e-12) {
    add(-(b * box.y_min + c) / a, box.y_min);
    add(-(b * box.y_max + c) / a, box.y_max);
  }
  if (hits.size() < 2) return std::nullopt;
  // The two hits furthest apart (corners can appear twice).
  std::pair<QPointF, QPointF> best{hits[0], hits[1]};
  double best_length = -1;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    for (std::size_t j = i + 1; j < hits.size(); ++j) {
      const QPointF delta = hits[i] - hits[j];
      const double length = QPointF::dotProduct(delta, delta);
      if (length > best_length) {
        best_length = length;
        best = {hits[i], hits[j]};
      }
    }
  }
  if (best_length <= 0) return std::nullopt;
  return best;
}

// A tick spacing of 1, 2, 2.5 or 5 times a power of ten giving about `ticks` intervals.
double nice_step(double range, int ticks) {
  const double raw = std::max(range, 1e-12) / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (const double factor : {1.0, 2.0, 2.5, 5.0}) {
    if (raw <= factor * magnitude * 1.0000001) return factor * magnitude;
  }
  return 10.0 * magnitude;
}

void set_nice_ticks(QValueAxis* axis, double low, double high) {
  const double step = nice_step(high - low, 5);
  axis->setRange(low, high);
  axis->setTickCount(static_cast<int>(std::lround((high - low) / step)) + 1);
  axis->setLabelFormat(step >= 1     ? QStringLiteral("%.0f")
                       : step >= 0.1 ? QStringLiteral("%.1f")
                                     : QStringLiteral("%.2f"));
}

}  // namespace

BoundaryGridSpec boundary_grid_for(const Dataset& data) {
  const Eigen::RowVectorXd low = data.X.colwise().minCoeff();
  const Eigen::RowVectorXd high = data.X.colwise().maxCoeff();
  BoundaryGridSpec grid;
  const auto widen = [](double lo, double hi, double& out_lo, double& out_hi) {
    const double margin = 0.08 * std::max(1e-9, hi - lo);
    const double step = nice_step(hi - lo + 2 * margin, 5);
    out_lo = std::floor((lo - margin) / step) * step;
    out_hi = std::ceil((hi + margin) / step) * step;
  };
  widen(low(0), high(0), grid.x_min, grid.x_max);
  widen(low(1), high(1), grid.y_min, grid.y_max);
  return grid;
}

DecisionBoundaryView::DecisionBoundaryView(QWidget* parent) : QChartView(parent) {
  auto* chart = new QChart;
  chart->setTitle(tr("Decision boundary"));
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setBackgroundRoundness(0);
  chart->setMargins(QMargins(4, 4, 4, 4));
  setChart(chart);
  setRenderHint(QPainter::Antialiasing);
  setMouseTracking(true);
  setMinimumSize(360, 360);

  axis_x_ = new QValueAxis;
  axis_y_ = new QValueAxis;
  axis_x_->setTitleText(QStringLiteral("x₁"));
  axis_y_->setTitleText(QStringLiteral("x₂"));
  chart->addAxis(axis_x_, Qt::AlignBottom);
  chart->addAxis(axis_y_, Qt::AlignLeft);

  for (int j = 0; j < kMaxNeuronLines; ++j) {
    auto* line = new QLineSeries;
    line->setPen(QPen(QColor(40, 40, 40, 150), 1.4, Qt::DashLine));
    chart->addSeries(line);
    line->attachAxis(axis_x_);
    line->attachAxis(axis_y_);
    line->setVisible(false);
    neuron_lines_.push_back(line);
  }
  train_negative_ = make_points(tr("train −1"), kNegativeClassColor, false);
  train_positive_ = make_points(tr("train +1"), kPositiveClassColor, false);
  test_negative_ = make_points(tr("test −1"), kNegativeClassColor, true);
  test_positive_ = make_points(tr("test +1"), kPositiveClassColor, true);
  for (QScatterSeries* series :
       {train_negative_, train_positive_, test_negative_, test_positive_}) {
    chart->addSeries(series);
    series->attachAxis(axis_x_);
    series->attachAxis(axis_y_);
  }
  for (QLineSeries* line : neuron_lines_) {
    for (QLegendMarker* marker : chart->legend()->markers(line)) marker->setVisible(false);
  }

  heatmap_item_ = new QGraphicsPixmapItem(chart);
  heatmap_item_->setZValue(kHeatmapZ);
  heatmap_item_->setTransformationMode(Qt::SmoothTransformation);
  overlay_ = new BoundaryOverlay(chart, train_negative_);
  overlay_->setZValue(kOverlayZ);
  connect(chart, &QChart::plotAreaChanged, this, [this] {
    realignHeatmap();
    overlay_->plotAreaChanged();
  });
}

void DecisionBoundaryView::setData(const Dataset& train, const std::optional<Dataset>& test,
                                   const BoundaryGridSpec& grid) {
  grid_ = grid;
  set_nice_ticks(axis_x_, grid.x_min, grid.x_max);
  set_nice_ticks(axis_y_, grid.y_min, grid.y_max);
  train_negative_->replace(points_of_class(train, -1.0));
  train_positive_->replace(points_of_class(train, 1.0));
  test_negative_->replace(test ? points_of_class(*test, -1.0) : QList<QPointF>{});
  test_positive_->replace(test ? points_of_class(*test, 1.0) : QList<QPointF>{});
  train_ = train;
  overlay_->setReferenceContour({});
  setSnapshot(nullptr);
}

void DecisionBoundaryView::setEpsilonBoxes(double radius) {
  box_radius_ = radius;
  updateBoxes();
}

void DecisionBoundaryView::updateBoxes() {
  // Degree-2 activations have no exact box check (output_range_on_box_2d rejects them).
  if (!(box_radius_ > 0) || !snapshot_ || snapshot_->network.input_dim() != 2 ||
      !snapshot_->network.activation.positively_homogeneous()) {
    overlay_->clearBoxes();
    robust_boxes_ = {0, 0};
    Q_EMIT robustnessChanged(0, 0);
    return;
  }
  if (!snapshot_->final && snapshot_->network.width() > kMaxWidthForLiveBoxes) return;
  auto boxes = robustness_boxes(snapshot_->network, train_, box_radius_);
  const int robust = static_cast<int>(
      std::count_if(boxes.begin(), boxes.end(), [](const auto& box) { return box.robust; }));
  robust_boxes_ = {robust, static_cast<int>(boxes.size())};
  overlay_->setBoxes(std::move(boxes), box_radius_);
  Q_EMIT robustnessChanged(robust_boxes_.first, robust_boxes_.second);
}

std::pair<int, int> DecisionBoundaryView::robustBoxes() const { return robust_boxes_; }

bool DecisionBoundaryView::pinReference(bool pin) {
  if (!pin || !snapshot_ || snapshot_->grid.size() == 0) {
    overlay_->setReferenceContour({});
    return false;
  }
  overlay_->setReferenceContour(zero_contour(snapshot_->grid, snapshot_->grid_spec));
  return overlay_->hasReference();
}

int DecisionBoundaryView::plottedPoints() const {
  return static_cast<int>(train_negative_->count() + train_positive_->count() +
                          test_negative_->count() + test_positive_->count());
}

void DecisionBoundaryView::setSnapshot(std::shared_ptr<const NetworkSnapshot> snapshot) {
  snapshot_ = std::move(snapshot);
  redrawHeatmap();
  redrawNeuronLines();
  updateBoxes();
}

void DecisionBoundaryView::setDiscretized(bool discretize) {
  discretize_ = discretize;
  redrawHeatmap();
}

void DecisionBoundaryView::setShowNeurons(bool show) {
  show_neurons_ = show;
  redrawNeuronLines();
}

void DecisionBoundaryView::redrawHeatmap() {
  if (snapshot_ && snapshot_->grid.size() > 0) {
    heatmap_ = output_image(snapshot_->grid, discretize_);
  } else {
    heatmap_ = QImage();
  }
  heatmap_item_->setPixmap(heatmap_.isNull() ? QPixmap() : QPixmap::fromImage(heatmap_));
  realignHeatmap();
}

QRectF DecisionBoundaryView::plotArea() const { return chart()->plotArea(); }

QRectF DecisionBoundaryView::heatmapRect() const {
  return heatmap_item_->mapRectToParent(heatmap_item_->boundingRect());
}

void DecisionBoundaryView::realignHeatmap() {
  if (heatmap_.isNull()) return;
  // The grid spans exactly the axis ranges, so the image is stretched over the plot area.
  const QRectF area = chart()->plotArea();
  heatmap_item_->setPos(area.topLeft());
  heatmap_item_->setTransform(
      QTransform::fromScale(area.width() / heatmap_.width(), area.height() / heatmap_.height()));
}

void DecisionBoundaryView::redrawNeuronLines() {
  drawn_neuron_lines_ = 0;
  std::vector<std::pair<double, QList<QPointF>>> lines;
  if (show_neurons_ && snapshot_ && snapshot_->network.input_dim() == 2) {
    const TwoLayerNetwork& network = snapshot_->network;
    for (Eigen::Index j = 0; j < network.width(); ++j) {
      // Hyperplane in standardized units w . z + b = 0 with z = (x - mean) / scale, in raw units.
      double a = network.first_weights(j, 0);
      double b = network.first_weights(j, 1);
      double c = network.first_bias(j);
      if (network.standardization) {
        const auto& s = *network.standardization;
        a /= s.scale(0);
        b /= s.scale(1);
        c -= a * s.mean(0) + b * s.mean(1);
      }
      const double strength = std::abs(network.second_weights(j)) *
                              std::hypot(network.first_weights(j, 0), network.first_weights(j, 1));
      if (!(strength > 1e-9)) continue;
      if (auto segment = clip_line(a, b, c, grid_)) {
        lines.push_back({strength, QList<QPointF>{segment->first, segment->second}});
      }
    }
    // Keep the neurons that matter most when there are many.
    std::sort(lines.begin(), lines.end(),
              [](const auto& l, const auto& r) { return l.first > r.first; });
  }
  for (std::size_t j = 0; j < neuron_lines_.size(); ++j) {
    if (j < lines.size()) {
      neuron_lines_[j]->replace(lines[j].second);
      neuron_lines_[j]->setVisible(true);
      ++drawn_neuron_lines_;
    } else if (neuron_lines_[j]->isVisible()) {
      neuron_lines_[j]->setVisible(false);
    }
    // Showing a series shows its legend marker again; the legend is for the data only.
    for (QLegendMarker* marker : chart()->legend()->markers(neuron_lines_[j])) {
      marker->setVisible(false);
    }
  }
}

void DecisionBoundaryView::mouseMoveEvent(QMouseEvent* event) {
  QChartView::mouseMoveEvent(event);
  const QPointF scene = mapToScene(event->position().toPoint());
  const QPointF in_chart = chart()->mapFromScene(scene);
  if (!chart()->plotArea().contains(in_chart) || !snapshot_) {
    Q_EMIT hovered(QString());
    return;
  }
  const QPointF value = chart()->mapToValue(in_chart);
  Eigen::MatrixXd x(1, 2);
  x << value.x(), value.y();
  const double f = snapshot_->network.predict(x)(0);
  Q_EMIT hovered(tr("f(%1, %2) = %3  → class %4")
                     .arg(value.x(), 0, 'f', 2)
                     .arg(value.y(), 0, 'f', 2)
                     .arg(f, 0, 'f', 3)
                     .arg(f >= 0 ? QStringLiteral("+1") : QStringLiteral("−1")));
}

void DecisionBoundaryView::leaveEvent(QEvent* event) {
  QChartView::leaveEvent(event);
  Q_EMIT hovered(QString());
}

}  // namespace convexnn::ui
