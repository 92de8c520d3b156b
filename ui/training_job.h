#pragma once
// What the GUI hands to the background trainer and what it gets back. Plain core types only: this
// header is included by widgets, so it must not pull in oneTBB (whose headers use `emit`).
#include <cstdint>
#include <optional>
#include <string>

#include "convexnn/dataset.h"
#include "convexnn/training.h"
#include "convexnn/two_layer_network.h"

namespace convexnn::ui {

// The rectangle (data units) and resolution on which the network's output is sampled for the
// decision-boundary heatmap.
struct BoundaryGridSpec {
  double x_min = -1.0;
  double x_max = 1.0;
  double y_min = -1.0;
  double y_max = 1.0;
  int rows = 128;  // drawn smoothly scaled; finer grids cost more than they show
  int cols = 128;
};

struct TrainingJob {
  Dataset train;
  std::optional<Dataset> test;
  TrainingConfig config;
  std::optional<BoundaryGridSpec> grid;  // 2-D data only
  std::optional<AdmmState> warm_start;   // used when it matches the new problem
  // Continue the iteration count and clock of a previous run so charts continue seamlessly.
  std::int64_t iteration_offset = 0;
  double elapsed_offset = 0.0;
  bool start_paused = false;
  int initial_steps = 0;  // iterations to run before pausing when start_paused
};

// The network at some iteration and, for 2-D data, its output on the boundary grid.
struct NetworkSnapshot {
  std::int64_t iteration = 0;
  TwoLayerNetwork network;
  Eigen::MatrixXd grid;  // rows x cols, row 0 at y_max; empty without a grid spec
  BoundaryGridSpec grid_spec;
  bool final = false;  // the run's result (best certified point), not an intermediate iterate
};

struct TrainingOutcome {
  std::optional<TrainingResult> result;  // empty when the job failed before solving
  std::string error;                     // the core's message when it failed
  TrainingConfig config;
  std::int64_t iteration_offset = 0;
  double elapsed_offset = 0.0;
};

}  // namespace convexnn::ui
