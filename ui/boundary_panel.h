#pragma once
// The decision-boundary view with its colour bar, display toggles and hover readout; for data
// with more than two features it shows why there is no plot instead.
#include <QWidget>

#include "decision_boundary_view.h"

class QCheckBox;
class QLabel;
class QStackedLayout;

namespace convexnn::ui {

class ColorBar;

class BoundaryPanel : public QWidget {
  Q_OBJECT

 public:
  explicit BoundaryPanel(QWidget* parent = nullptr);

  // `grid` is empty for data that is not 2-D.
  void setData(const Dataset& train, const std::optional<Dataset>& test,
               const std::optional<BoundaryGridSpec>& grid);
  void setSnapshot(std::shared_ptr<const NetworkSnapshot> snapshot);
  DecisionBoundaryView* view() const { return view_; }
  bool showsPlot() const;
  void setShowNeurons(bool show);
  void setEpsilon(double epsilon);  // radius of the boxes drawn with "ε-boxes"
  void setShowBoxes(bool show);
  void setPinned(bool pinned);
  QString robustnessText() const;
  // False while the network's activation has no exact ε-box check (degree-2 activations).
  bool boxesAvailable() const;
  void setDiscretized(bool discretize);
  QString message() const;

 private:
  QString boxesTip() const;

  DecisionBoundaryView* view_;
  ColorBar* color_bar_;
  QCheckBox* discretize_;
  QCheckBox* neurons_;
  QCheckBox* boxes_;
  QCheckBox* pin_;
  QLabel* robustness_;
  double epsilon_ = 0.05;
  QLabel* hover_;
  QLabel* message_;
  QStackedLayout* stack_;
  QWidget* plot_page_;
};

}  // namespace convexnn::ui
