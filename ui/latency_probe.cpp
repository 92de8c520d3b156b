#include "latency_probe.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace convexnn::ui {

EventLoopLatencyProbe::EventLoopLatencyProbe(int interval_ms, QObject* parent)
    : QObject(parent), interval_ms_(interval_ms) {
  timer_.setTimerType(Qt::PreciseTimer);
  timer_.setInterval(interval_ms_);
  connect(&timer_, &QTimer::timeout, this, &EventLoopLatencyProbe::tick);
}

void EventLoopLatencyProbe::start() {
  lateness_ms_.clear();
  clock_.start();
  last_ns_ = clock_.nsecsElapsed();
  timer_.start();
}

void EventLoopLatencyProbe::stop() { timer_.stop(); }

void EventLoopLatencyProbe::tick() {
  const qint64 now = clock_.nsecsElapsed();
  const double interval = static_cast<double>(now - last_ns_) * 1e-6;
  last_ns_ = now;
  lateness_ms_.push_back(std::max(0.0, interval - interval_ms_));
}

double EventLoopLatencyProbe::latenessQuantile(double q) const {
  if (lateness_ms_.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> sorted = lateness_ms_;
  std::sort(sorted.begin(), sorted.end());
  const auto index = static_cast<std::size_t>(
      std::clamp(std::ceil(q * static_cast<double>(sorted.size())) - 1.0, 0.0,
                 static_cast<double>(sorted.size() - 1)));
  return sorted[index];
}

double EventLoopLatencyProbe::maxLateness() const {
  return lateness_ms_.empty() ? std::numeric_limits<double>::quiet_NaN()
                              : *std::max_element(lateness_ms_.begin(), lateness_ms_.end());
}

}  // namespace convexnn::ui
