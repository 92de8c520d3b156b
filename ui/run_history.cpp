#include "run_history.h"

#include <algorithm>
#include <cmath>

namespace convexnn::ui {

void RunHistory::append(const std::vector<IterationReport>& reports) {
  reports_.insert(reports_.end(), reports.begin(), reports.end());
}

QList<QPointF> RunHistory::series(const std::function<double(const IterationReport&)>& value,
                                  int max_points, double floor) const {
  QList<QPointF> points;
  if (reports_.empty()) return points;
  const std::size_t count = reports_.size();
  const std::size_t stride =
      std::max<std::size_t>(1, (count + static_cast<std::size_t>(max_points) - 1) /
                                   static_cast<std::size_t>(std::max(1, max_points)));
  points.reserve(static_cast<qsizetype>(count / stride + 2));
  const auto add = [&](const IterationReport& report) {
    const double v = value(report);
    if (std::isfinite(v)) points.append(QPointF(static_cast<double>(report.iteration), std::max(v, floor)));
  };
  for (std::size_t i = 0; i < count; i += stride) add(reports_[i]);
  if ((count - 1) % stride != 0) add(reports_.back());
  return points;
}

}  // namespace convexnn::ui
