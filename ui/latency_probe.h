#pragma once
// Measures how responsive the GUI event loop is: a 5 ms precise timer records how late each tick
// arrives; percentiles of that lateness are the figure (p99 should stay well under 30 ms while
// training runs).
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <vector>

namespace convexnn::ui {

class EventLoopLatencyProbe : public QObject {
  Q_OBJECT

 public:
  explicit EventLoopLatencyProbe(int interval_ms = 5, QObject* parent = nullptr);
  void start();
  void stop();
  // Lateness of ticks in milliseconds, at quantile q in [0, 1]; NaN without samples.
  double latenessQuantile(double q) const;
  double maxLateness() const;
  std::size_t samples() const { return lateness_ms_.size(); }

 private:
  void tick();

  int interval_ms_;
  QTimer timer_;
  QElapsedTimer clock_;
  qint64 last_ns_ = 0;
  std::vector<double> lateness_ms_;
};

}  // namespace convexnn::ui
