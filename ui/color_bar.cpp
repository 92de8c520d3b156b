#include "color_bar.h"

#include <QPainter>

#include "diverging_color_map.h"

namespace convexnn::ui {

ColorBar::ColorBar(QWidget* parent) : QWidget(parent) {
  setMinimumWidth(56);
  setToolTip(tr("Colour scale of the network output f(x): orange where the network predicts +1, "
                "blue where it predicts -1, pale near the decision boundary f(x) = 0."));
}

void ColorBar::setDiscretized(bool discretize) {
  discretize_ = discretize;
  update();
}

void ColorBar::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const int margin = fontMetrics().height();
  const QRect bar(4, margin, 18, height() - 2 * margin);
  for (int y = 0; y < bar.height(); ++y) {
    const double value = 1.0 - 2.0 * y / std::max(1, bar.height() - 1);
    painter.setPen(output_color(value, discretize_));
    painter.drawLine(bar.left(), bar.top() + y, bar.right(), bar.top() + y);
  }
  painter.setPen(palette().color(QPalette::WindowText));
  painter.drawRect(bar);
  const int text_x = bar.right() + 6;
  painter.drawText(text_x, bar.top() + margin / 3, QStringLiteral("+1"));
  painter.drawText(text_x, bar.center().y() + margin / 3, QStringLiteral("0"));
  painter.drawText(text_x, bar.bottom() + margin / 3, QStringLiteral("-1"));
  painter.save();
  painter.translate(width() - 4, bar.center().y());
  painter.rotate(-90);
  painter.drawText(QRect(-bar.height() / 2, -margin, bar.height(), margin), Qt::AlignCenter,
                   tr("output f(x)"));
  painter.restore();
}

}  // namespace convexnn::ui
