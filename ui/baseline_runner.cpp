#include "baseline_runner.h"

#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <numeric>
#include <stop_token>

#include "convexnn/errors.h"

namespace convexnn::ui {

struct BaselineRunner::Impl {
  // As for the convex solver: a worker runs the job (no master slots), one core stays with the GUI.
  tbb::task_arena arena{std::max(1, tbb::info::default_concurrency() - 1), 0};
  mutable std::mutex mutex;
  std::condition_variable idle;
  bool busy = false;
  std::stop_source stop;
  std::optional<BaselineOutcome> outcome;

  void run(const BaselineJob& job) {
    BaselineOutcome result;
    result.grid = job.grid;
    try {
      TrainingConfig config = job.config;
      // Back-propagation trains the weight-decayed objective of the piecewise-linear
      // activations; the degree-2 program has unit-norm neurons instead, a different objective.
      if (!config.activation.positively_homogeneous()) {
        throw InputError(
            "the back-propagation comparison needs a piecewise-linear activation "
            "(relu, leaky-relu or abs); '" +
            config.activation.name() + "' is trained as a semidefinite program");
      }
      config.solver = SolverKind::kAdmm;  // only the objective is used
      // The baseline needs the objective's data, loss and beta only, not activation patterns.
      config.pattern_mode = PatternMode::kSampled;
      config.pattern_samples = 1;
      config.epsilon = 0.0;
      const PreparedProblem prepared =
          prepare_problem(job.train, job.test ? &*job.test : nullptr, config);
      std::vector<std::uint64_t> seeds(static_cast<std::size_t>(std::max(1, job.seeds)));
      std::iota(seeds.begin(), seeds.end(), std::uint64_t{1});
      std::vector<NonconvexResult> runs =
          train_nonconvex_seeds(prepared, job.options, seeds, {}, stop.get_token());
      for (NonconvexResult& run : runs) {
        BaselineSeed seed;
        if (job.grid && run.network.input_dim() == 2) {
          const BoundaryGridSpec& g = *job.grid;
          seed.grid = run.network.evaluate_grid(g.x_min, g.x_max, g.y_min, g.y_max, g.rows, g.cols);
        }
        seed.result = std::move(run);
        result.seeds.push_back(std::move(seed));
      }
    } catch (const std::exception& error) {
      result.error = error.what();
    }
    std::lock_guard lock(mutex);
    outcome = std::move(result);
  }
};

BaselineRunner::BaselineRunner() : impl_(std::make_unique<Impl>()) {}

BaselineRunner::~BaselineRunner() {
  request_stop();
  wait();
}

void BaselineRunner::start(BaselineJob job, std::function<void()> on_finished) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->busy) throw std::logic_error("BaselineRunner::start while a job runs");
    impl_->busy = true;
    impl_->stop = std::stop_source();
    impl_->outcome.reset();
  }
  Impl* impl = impl_.get();
  impl->arena.enqueue([impl, job = std::move(job), on_finished = std::move(on_finished)] {
    impl->run(job);
    if (on_finished) on_finished();  // before clearing `busy`: the owner outlives the callback
    {
      std::lock_guard lock(impl->mutex);
      impl->busy = false;
    }
    impl->idle.notify_all();
  });
}

bool BaselineRunner::busy() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->busy;
}

void BaselineRunner::request_stop() {
  std::lock_guard lock(impl_->mutex);
  impl_->stop.request_stop();
}

void BaselineRunner::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->idle.wait(lock, [this] { return !impl_->busy; });
}

std::optional<BaselineOutcome> BaselineRunner::take_outcome() {
  std::lock_guard lock(impl_->mutex);
  std::optional<BaselineOutcome> outcome = std::move(impl_->outcome);
  impl_->outcome.reset();
  return outcome;
}

}  // namespace convexnn::ui
