#pragma once
// The 2-D data over the network's output: a heatmap (a QImage kept behind the series and realigned
// whenever the plot area moves), train points solid, test points hollow, and optionally the
// hyperplanes u_j . [x, 1] = 0 of the active neurons. Hovering reports f(x).
#include <QChartView>
#include <QImage>
#include <memory>
#include <optional>

#include "training_job.h"

class QGraphicsPixmapItem;
class QScatterSeries;
class QLineSeries;
class QValueAxis;

namespace convexnn::ui {

// The plotted rectangle for a 2-D dataset: its bounding box with a margin, widened to round
// numbers so the axis ticks read well.
BoundaryGridSpec boundary_grid_for(const Dataset& data);

class DecisionBoundaryView : public QChartView {
  Q_OBJECT

 public:
  explicit DecisionBoundaryView(QWidget* parent = nullptr);

  void setData(const Dataset& train, const std::optional<Dataset>& test,
               const BoundaryGridSpec& grid);
  void setSnapshot(std::shared_ptr<const NetworkSnapshot> snapshot);  // null clears
  void setDiscretized(bool discretize);
  void setShowNeurons(bool show);
  // l_inf boxes of `radius` around the training points, coloured by exact robustness; 0 hides.
  void setEpsilonBoxes(double radius);
  // Keeps the current network's boundary (f = 0) as a dashed reference line; false removes it.
  bool pinReference(bool pin);
  // Training points whose box is certified robust, and how many boxes are drawn.
  std::pair<int, int> robustBoxes() const;

  // For tests and export.
  const QImage& heatmap() const { return heatmap_; }
  int drawnNeuronLines() const { return drawn_neuron_lines_; }
  int plottedPoints() const;
  QRectF heatmapRect() const;  // scene rectangle the heatmap covers
  QRectF plotArea() const;

  static constexpr int kMaxNeuronLines = 40;
  // The exact box check costs O(n m^2); intermediate ADMM iterates can carry hundreds of small
  // neurons, so boxes follow them only up to this width (and always follow the final network).
  static constexpr Eigen::Index kMaxWidthForLiveBoxes = 60;

 Q_SIGNALS:
  void robustnessChanged(int robust, int total);

  // The network's output under the cursor (empty text when it leaves the plot).
  void hovered(const QString& text);

 protected:
  void mouseMoveEvent(QMouseEvent* event) override;
  void leaveEvent(QEvent* event) override;

 private:
  void realignHeatmap();
  void updateBoxes();
  void redrawHeatmap();
  void redrawNeuronLines();

  QScatterSeries* train_negative_;
  QScatterSeries* train_positive_;
  QScatterSeries* test_negative_;
  QScatterSeries* test_positive_;
  std::vector<QLineSeries*> neuron_lines_;
  QValueAxis* axis_x_;
  QValueAxis* axis_y_;
  QGraphicsPixmapItem* heatmap_item_;
  class BoundaryOverlay* overlay_;
  Dataset train_;
  double box_radius_ = 0.0;
  std::pair<int, int> robust_boxes_{0, 0};
  QImage heatmap_;
  BoundaryGridSpec grid_;
  std::shared_ptr<const NetworkSnapshot> snapshot_;
  bool discretize_ = false;
  bool show_neurons_ = false;
  int drawn_neuron_lines_ = 0;
};

}  // namespace convexnn::ui
