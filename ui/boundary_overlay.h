#pragma once
// Drawn over the heatmap, under the points: the l_inf boxes of radius epsilon around the training
// points (red where the box reaches the other class, by the exact 2-D range check) and a pinned
// reference boundary (the f = 0 line of an earlier network, dashed) for side-by-side comparison,
// e.g. standard vs robust training. Positions are kept in data units and mapped through the chart
// at paint time, so the overlay follows the plot area.
#include <QGraphicsItem>
#include <QLineF>
#include <QList>
#include <QRectF>
#include <vector>

#include "training_job.h"

class QChart;
class QAbstractSeries;

namespace convexnn::ui {

class BoundaryOverlay : public QGraphicsItem {
 public:
  BoundaryOverlay(QChart* chart, QAbstractSeries* reference_series);

  struct Box {
    QPointF center;
    bool robust = true;
  };
  void setBoxes(std::vector<Box> boxes, double radius);
  void clearBoxes();
  // Segments of the f = 0 contour in data units; empty hides it.
  void setReferenceContour(QList<QLineF> segments);
  bool hasReference() const { return !reference_.isEmpty(); }
  void plotAreaChanged();

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  QChart* chart_;
  QAbstractSeries* series_;  // any series on the data axes, for mapping values to positions
  std::vector<Box> boxes_;
  double radius_ = 0.0;
  QList<QLineF> reference_;
};

// Robustness of every training point's box: robust when the network's sign cannot change to the
// wrong class anywhere on the box (exact for 2-D networks).
std::vector<BoundaryOverlay::Box> robustness_boxes(const TwoLayerNetwork& network,
                                                   const Dataset& train, double radius);

// The f = 0 contour of a sampled grid by marching squares, in data units.
QList<QLineF> zero_contour(const Eigen::MatrixXd& grid, const BoundaryGridSpec& spec);

}  // namespace convexnn::ui
