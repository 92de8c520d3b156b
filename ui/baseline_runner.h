#pragma once
// Runs the non-convex baseline (back-propagation from K seeds, in parallel) on a oneTBB worker so
// the GUI stays responsive; oneTBB stays in the .cpp (its headers use `emit`).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convexnn/nonconvex_training.h"
#include "training_job.h"

namespace convexnn::ui {

struct BaselineJob {
  Dataset train;
  std::optional<Dataset> test;
  TrainingConfig config;  // loss, beta, standardization: the same objective as the convex run
  NonconvexOptions options;
  int seeds = 8;  // seeds 1..K
  std::optional<BoundaryGridSpec> grid;
};

struct BaselineSeed {
  NonconvexResult result;
  Eigen::MatrixXd grid;  // the network's output on the job's grid (2-D data only)
};

struct BaselineOutcome {
  std::vector<BaselineSeed> seeds;
  std::optional<BoundaryGridSpec> grid;
  std::string error;  // the core's message when the job failed
};

class BaselineRunner {
 public:
  BaselineRunner();
  ~BaselineRunner();  // stops a running job and waits for it
  BaselineRunner(const BaselineRunner&) = delete;
  BaselineRunner& operator=(const BaselineRunner&) = delete;

  // `on_finished` runs on the worker thread once the outcome is ready. Precondition: !busy().
  void start(BaselineJob job, std::function<void()> on_finished);
  bool busy() const;
  void request_stop();
  void wait();
  std::optional<BaselineOutcome> take_outcome();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convexnn::ui
