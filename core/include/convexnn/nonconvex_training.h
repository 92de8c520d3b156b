#pragma once
// The non-convex baseline: back-propagation (SGD with momentum or Adam) on the very objective the
// convex program certifies, TwoLayerNetwork::objective (science.md 1.2): same loss, same weight
// decay beta/2 sum_j (|[w_j, b_j]|^2 + a_j^2), no output bias. Comparing its final objectives with
// the convex optimum and lower bound shows what local search does and does not reach.
#include <cstdint>
#include <limits>
#include <stop_token>
#include <string>
#include <vector>

#include "convexnn/solver_observer.h"
#include "convexnn/training.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

enum class NonconvexOptimizer {
  kSgd,   // heavy-ball momentum: v = momentum v + g, theta -= learning_rate v
  kAdam,  // Kingma & Ba with bias correction
};

const char* to_string(NonconvexOptimizer optimizer);
NonconvexOptimizer nonconvex_optimizer_from_string(const std::string& name);  // throws InputError

struct NonconvexOptions {
  NonconvexOptimizer optimizer = NonconvexOptimizer::kAdam;
  // Steps are taken on objective / n (the per-sample mean, same minimizers) so that one learning
  // rate suits datasets of any size; mini-batches estimate that gradient without bias.
  double learning_rate = 1e-2;
  double momentum = 0.9;  // SGD only, in [0, 1); 0 is plain (stochastic) gradient descent
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  int epochs = 2000;
  int batch_size = 0;  // 0 (or >= n): full batch, one step per epoch
  int width = 50;      // m hidden neurons
  std::uint64_t seed = 1;
  // Initial weights: [w_j, b_j] ~ N(0, init_scale^2 * 2 / (d + 1)) (He), a_j ~ N(0, init_scale^2 /
  // m).
  double init_scale = 1.0;
  int report_every = 1;  // epochs between observer reports (the last epoch is always reported)

  // Empty when valid, else a message naming the field.
  std::string validate() const;
};

enum class NonconvexStatus {
  kCompleted,  // all epochs ran
  kCancelled,  // stop token or observer
  kDiverged,   // the objective became non-finite; the network is the last finite one
};

const char* to_string(NonconvexStatus status);

struct NonconvexResult {
  NonconvexStatus status = NonconvexStatus::kCompleted;
  std::uint64_t seed = 0;
  TwoLayerNetwork network;  // output bias 0, the problem's standardization attached
  // TwoLayerNetwork::objective of `network` on the (standardized) training inputs.
  double objective = std::numeric_limits<double>::quiet_NaN();
  // Objective before training (entry 0) and after each completed epoch.
  std::vector<double> objective_history;
  std::int64_t epochs_completed = 0;
  // ReLU neurons that are 0 on every training point (always 0 for leaky ReLU and abs, whose slope
  // never vanishes): they no longer get any gradient from the loss,
  // so weight decay only shrinks them.
  std::int64_t dead_neurons = 0;
  double train_accuracy = 0.0;
  double test_accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN without a test set
  double seconds = 0.0;
};

// Trains on prepared.problem's inputs, labels, loss and beta (its patterns are not used) and
// evaluates on prepared.test_set. The observer gets one report per `report_every` epochs
// (iteration = epoch; network_objective, best_network_objective, active_neurons = width - dead,
// accuracies and elapsed time; the convex-only fields are NaN). Throws InputError for invalid
// options.
NonconvexResult train_nonconvex(const PreparedProblem& prepared, const NonconvexOptions& options,
                                SolverObserver* observer = nullptr, std::stop_token stop = {});

// One run per seed (options.seed is replaced), in parallel with oneTBB; each result equals that of
// train_nonconvex alone with the same seed. `observers` is empty or holds one (possibly null)
// observer per seed, each called only from the thread running its seed. Results are in seed order.
std::vector<NonconvexResult> train_nonconvex_seeds(
    const PreparedProblem& prepared, const NonconvexOptions& options,
    const std::vector<std::uint64_t>& seeds, const std::vector<SolverObserver*>& observers = {},
    std::stop_token stop = {});

}  // namespace convexnn
