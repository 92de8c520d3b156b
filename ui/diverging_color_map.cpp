#include "diverging_color_map.h"

#include <algorithm>
#include <cmath>

namespace convexnn::ui {
namespace {

// Heatmap colours are the class colours washed towards white so the data points stay readable.
constexpr double kWash = 0.55;
const QColor kNeutral(247, 247, 247);

int mix(int from, int to, double t) {
  return static_cast<int>(std::lround(from + (to - from) * t));
}

QColor blend(const QColor& from, const QColor& to, double t) {
  return QColor(mix(from.red(), to.red(), t), mix(from.green(), to.green(), t),
                mix(from.blue(), to.blue(), t));
}

}  // namespace

QColor output_color(double value, bool discretize) {
  if (!std::isfinite(value)) return kNeutral;
  double t = discretize ? (value >= 0 ? 1.0 : -1.0) : std::clamp(value, -1.0, 1.0);
  const QColor& target = t >= 0 ? kPositiveClassColor : kNegativeClassColor;
  return blend(kNeutral, target, std::abs(t) * kWash);
}

QImage output_image(const Eigen::MatrixXd& grid, bool discretize) {
  QImage image(static_cast<int>(grid.cols()), static_cast<int>(grid.rows()), QImage::Format_RGB32);
  for (int row = 0; row < image.height(); ++row) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(row));
    for (int col = 0; col < image.width(); ++col) {
      line[col] = output_color(grid(row, col), discretize).rgb();
    }
  }
  return image;
}

}  // namespace convexnn::ui
