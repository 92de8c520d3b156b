#pragma once
// The colours of the two classes and the network output between them: blue for -1, a light
// neutral at 0, orange for +1 (colour-blind safe, readable on a projector).
#include <QColor>
#include <QImage>
#include <Eigen/Core>

namespace convexnn::ui {

inline const QColor kNegativeClassColor(33, 102, 172);
inline const QColor kPositiveClassColor(230, 97, 1);

// Colour of a network output f: saturates at |f| = 1; `discretize` shows only sign(f).
QColor output_color(double value, bool discretize);

// One pixel per grid entry (row 0 at the top).
QImage output_image(const Eigen::MatrixXd& grid, bool discretize);

}  // namespace convexnn::ui
