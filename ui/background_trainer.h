#pragma once
// Runs one training job at a time on a oneTBB worker thread (never the GUI thread) and lets the
// GUI pull progress at its own pace. oneTBB stays inside the .cpp (pimpl) because its headers use
// the identifier `emit`, which Qt's moc-generated code must not see.
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "training_job.h"

namespace convexnn::ui {

class BackgroundTrainer {
 public:
  BackgroundTrainer();
  ~BackgroundTrainer();  // cancels a running job and waits for it (prompt: one iteration)
  BackgroundTrainer(const BackgroundTrainer&) = delete;
  BackgroundTrainer& operator=(const BackgroundTrainer&) = delete;

  // Starts `job`; `on_finished` is called on the worker thread once the outcome is ready.
  // Precondition: !busy().
  void start(TrainingJob job, std::function<void()> on_finished);
  bool busy() const;
  void request_stop();
  void wait();  // blocks until no job runs

  // Pausing holds the solver between two iterations; step lets `iterations` more run, then
  // holds it again.
  void set_paused(bool paused);
  void step(int iterations);
  bool paused() const;

  struct Progress {
    std::vector<IterationReport> reports;  // appended since the previous call, in order
    std::shared_ptr<const NetworkSnapshot> network;  // newest snapshot if a new one exists
  };
  // Thread-safe; cheap. Intermediate snapshots are taken at most about 30 times a second and
  // only after the previous one was taken out here.
  Progress take_progress();
  std::optional<TrainingOutcome> take_outcome();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convexnn::ui
