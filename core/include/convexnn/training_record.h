#pragma once
// The "training" section of a model file, filled from a finished run (shared by the CLI and GUI).
#include "convexnn/model_json.h"
#include "convexnn/solver_summary.h"
#include "convexnn/training.h"

namespace convexnn {

TrainingRecord make_training_record(const SolverSummary& summary, const TrainingConfig& config);

}  // namespace convexnn
