#include "boundary_overlay.h"

#include <QAbstractSeries>
#include <QChart>
#include <QPainter>

#include "convexnn/box_output_range.h"

namespace convexnn::ui {

BoundaryOverlay::BoundaryOverlay(QChart* chart, QAbstractSeries* reference_series)
    : QGraphicsItem(chart), chart_(chart), series_(reference_series) {}

void BoundaryOverlay::setBoxes(std::vector<Box> boxes, double radius) {
  boxes_ = std::move(boxes);
  radius_ = radius;
  update();
}

void BoundaryOverlay::clearBoxes() {
  boxes_.clear();
  update();
}

void BoundaryOverlay::setReferenceContour(QList<QLineF> segments) {
  reference_ = std::move(segments);
  update();
}

void BoundaryOverlay::plotAreaChanged() {
  prepareGeometryChange();
  update();
}

QRectF BoundaryOverlay::boundingRect() const { return chart_->plotArea(); }

void BoundaryOverlay::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->save();
  painter->setClipRect(chart_->plotArea());
  painter->setRenderHint(QPainter::Antialiasing);
  const auto map = [this](QPointF value) { return chart_->mapToPosition(value, series_); };
  if (!reference_.isEmpty()) {
    QPen pen(QColor(20, 20, 20), 2.6, Qt::DashLine);
    pen.setCapStyle(Qt::RoundCap);
    painter->setPen(pen);
    for (const QLineF& segment : reference_) {
      painter->drawLine(QLineF(map(segment.p1()), map(segment.p2())));
    }
  }
  const QPen robust_pen(QColor(60, 60, 60, 170), 1.0);
  const QPen fragile_pen(QColor(200, 0, 60), 2.2);
  const QBrush fragile_brush(QColor(200, 0, 60, 40));
  for (const Box& box : boxes_) {
    const QPointF corner_a = map(box.center - QPointF(radius_, radius_));
    const QPointF corner_b = map(box.center + QPointF(radius_, radius_));
    const QRectF rect = QRectF(corner_a, corner_b).normalized();
    painter->setPen(box.robust ? robust_pen : fragile_pen);
    painter->setBrush(box.robust ? QBrush(Qt::NoBrush) : fragile_brush);
    painter->drawRect(rect);
  }
  painter->restore();
}

std::vector<BoundaryOverlay::Box> robustness_boxes(const TwoLayerNetwork& network,
                                                   const Dataset& train, double radius) {
  std::vector<BoundaryOverlay::Box> boxes;
  if (network.input_dim() != 2 || train.num_features() != 2) return boxes;
  if (!network.activation.positively_homogeneous()) return boxes;  // no exact range (see caller)
  boxes.reserve(static_cast<std::size_t>(train.num_samples()));
  for (Eigen::Index i = 0; i < train.num_samples(); ++i) {
    const Eigen::Vector2d center = train.X.row(i).transpose();
    const OutputRange range = output_range_on_box_2d(network, center, radius);
    const bool robust = train.y(i) > 0 ? range.min >= 0 : range.max < 0;  // f >= 0 means +1
    boxes.push_back({QPointF(center(0), center(1)), robust});
  }
  return boxes;
}

QList<QLineF> zero_contour(const Eigen::MatrixXd& grid, const BoundaryGridSpec& spec) {
  QList<QLineF> segments;
  const Eigen::Index rows = grid.rows(), cols = grid.cols();
  if (rows < 2 || cols < 2) return segments;
  const double dx = (spec.x_max - spec.x_min) / static_cast<double>(cols - 1);
  const double dy = (spec.y_max - spec.y_min) / static_cast<double>(rows - 1);
  const auto position = [&](double r, double c) {
    return QPointF(spec.x_min + c * dx, spec.y_max - r * dy);
  };
  // Where f crosses 0 on the edge between two grid nodes (linear interpolation).
  const auto crossing = [&](Eigen::Index r0, Eigen::Index c0, Eigen::Index r1, Eigen::Index c1) {
    const double f0 = grid(r0, c0), f1 = grid(r1, c1);
    const double t = f0 / (f0 - f1);
    return position(static_cast<double>(r0) + t * static_cast<double>(r1 - r0),
                    static_cast<double>(c0) + t * static_cast<double>(c1 - c0));
  };
  for (Eigen::Index r = 0; r + 1 < rows; ++r) {
    for (Eigen::Index c = 0; c + 1 < cols; ++c) {
      // Corners counter-clockwise from the top left; an edge is crossed when its signs differ.
      const Eigen::Index corner_r[4] = {r, r + 1, r + 1, r};
      const Eigen::Index corner_c[4] = {c, c, c + 1, c + 1};
      QList<QPointF> hits;
      for (int e = 0; e < 4; ++e) {
        const int next = (e + 1) % 4;
        const bool a = grid(corner_r[e], corner_c[e]) >= 0;
        const bool b = grid(corner_r[next], corner_c[next]) >= 0;
        if (a != b) hits.append(crossing(corner_r[e], corner_c[e], corner_r[next], corner_c[next]));
      }
      if (hits.size() == 2) {
        segments.append(QLineF(hits[0], hits[1]));
      } else if (hits.size() == 4) {  // saddle: pair the crossings consistently
        segments.append(QLineF(hits[0], hits[1]));
        segments.append(QLineF(hits[2], hits[3]));
      }
    }
  }
  return segments;
}

}  // namespace convexnn::ui
