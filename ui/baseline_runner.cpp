#include "baseline_runner.h"

#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <numeric>
#include <stdexcept>
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
  std::optional<CertifyOutcome> certify_outcome;

  // Marks the runner busy and runs `work` on the worker, then `on_finished`.
  void enqueue(std::function<void()> work, std::function<void()> on_finished) {
    {
      std::lock_guard lock(mutex);
      if (busy) throw std::logic_error("BaselineRunner: a job is already running");
      busy = true;
      stop = std::stop_source();
      outcome.reset();
      certify_outcome.reset();
    }
    arena.enqueue([this, work = std::move(work), on_finished = std::move(on_finished)] {
      work();
      if (on_finished) on_finished();  // before clearing `busy`: the owner outlives the callback
      {
        std::lock_guard lock(mutex);
        busy = false;
      }
      idle.notify_all();
    });
  }

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

  void certify(const CertifyJob& job) {
    CertifyOutcome result;
    result.seed = job.seed;
    try {
      result.certificate =
          certify_network(job.network, job.train, job.loss, job.beta, job.certificate);
      if (!stop.stop_requested()) {
        SolveContext context;
        context.stop_token = stop.get_token();
        result.resolved = resolve_from_certificate(*result.certificate, job.admm, context);
      }
    } catch (const std::exception& error) {
      result.error = error.what();
    }
    std::lock_guard lock(mutex);
    certify_outcome = std::move(result);
  }
};

BaselineRunner::BaselineRunner() : impl_(std::make_unique<Impl>()) {}

BaselineRunner::~BaselineRunner() {
  request_stop();
  wait();
}

void BaselineRunner::start(BaselineJob job, std::function<void()> on_finished) {
  Impl* impl = impl_.get();
  impl->enqueue([impl, job = std::move(job)] { impl->run(job); }, std::move(on_finished));
}

void BaselineRunner::start_certify(CertifyJob job, std::function<void()> on_finished) {
  Impl* impl = impl_.get();
  impl->enqueue([impl, job = std::move(job)] { impl->certify(job); }, std::move(on_finished));
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

std::optional<CertifyOutcome> BaselineRunner::take_certify_outcome() {
  std::lock_guard lock(impl_->mutex);
  std::optional<CertifyOutcome> outcome = std::move(impl_->certify_outcome);
  impl_->certify_outcome.reset();
  return outcome;
}

}  // namespace convexnn::ui
