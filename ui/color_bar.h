#pragma once
// A vertical legend for the heatmap: network output from -1 (bottom) to +1 (top).
#include <QWidget>

namespace convexnn::ui {

class ColorBar : public QWidget {
  Q_OBJECT

 public:
  explicit ColorBar(QWidget* parent = nullptr);
  void setDiscretized(bool discretize);
  QSize sizeHint() const override { return {64, 200}; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  bool discretize_ = false;
};

}  // namespace convexnn::ui
