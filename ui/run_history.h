#pragma once
// Every report of the current training (across warm restarts), and decimated views of it for the
// charts: a 100k-iteration run is drawn from at most a few thousand points.
#include <QList>
#include <QPointF>
#include <functional>
#include <vector>

#include "convexnn/solver_observer.h"

namespace convexnn::ui {

class RunHistory {
 public:
  void clear() { reports_.clear(); }
  void append(const std::vector<IterationReport>& reports);
  bool empty() const { return reports_.empty(); }
  std::size_t size() const { return reports_.size(); }
  const IterationReport& last() const { return reports_.back(); }
  const std::vector<IterationReport>& reports() const { return reports_; }

  // (iteration, value) pairs of at most about `max_points` evenly spaced reports plus the newest
  // one; non-finite values are skipped and values are clamped to >= `floor` (log axes need
  // positive values).
  QList<QPointF> series(const std::function<double(const IterationReport&)>& value,
                        int max_points, double floor = -1e300) const;

 private:
  std::vector<IterationReport> reports_;
};

}  // namespace convexnn::ui
