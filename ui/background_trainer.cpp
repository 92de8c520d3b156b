#include "background_trainer.h"

#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <algorithm>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>

#include "convexnn/errors.h"

namespace convexnn::ui {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSnapshotPeriod = std::chrono::milliseconds(33);  // ~30 Hz, the GUI's pace

std::shared_ptr<NetworkSnapshot> make_snapshot(TwoLayerNetwork network, std::int64_t iteration,
                                               const std::optional<BoundaryGridSpec>& grid,
                                               bool final) {
  auto snapshot = std::make_shared<NetworkSnapshot>();
  snapshot->iteration = iteration;
  snapshot->network = std::move(network);
  snapshot->final = final;
  if (grid && snapshot->network.input_dim() == 2) {
    snapshot->grid_spec = *grid;
    snapshot->grid = snapshot->network.evaluate_grid(grid->x_min, grid->x_max, grid->y_min,
                                                     grid->y_max, grid->rows, grid->cols);
  }
  return snapshot;
}

}  // namespace

struct BackgroundTrainer::Impl {
  // reserved_for_masters = 0: the enqueued job must run on a oneTBB worker, not on a thread that
  // joins the arena (the GUI thread never does). One core is left to the GUI thread.
  tbb::task_arena arena{std::max(1, tbb::info::default_concurrency() - 1), 0};

  mutable std::mutex mutex;
  std::condition_variable_any gate;  // pause / step / stop
  std::condition_variable idle;      // busy -> false
  bool busy = false;
  bool paused = false;
  int steps_remaining = 0;
  std::stop_source stop;
  std::vector<IterationReport> pending_reports;
  std::shared_ptr<const NetworkSnapshot> pending_network;
  bool network_taken = true;
  std::optional<TrainingOutcome> outcome;

  class Observer final : public SolverObserver {
   public:
    Observer(Impl& impl, const TrainingJob& job) : impl_(impl), job_(job) {}

    ObserverAction on_iteration(const IterationReport& report,
                                const IterateView& iterate) override {
      // Growing rounds already count on from the previous round (RoundOffsetObserver); a warm
      // restart continues the previous run's count.
      IterationReport shifted = report;
      shifted.iteration += job_.iteration_offset;
      shifted.elapsed_seconds += job_.elapsed_offset;
      last_iteration_ = shifted.iteration;
      bool will_hold = false;
      bool snapshot_wanted = false;
      {
        std::lock_guard lock(impl_.mutex);
        impl_.pending_reports.push_back(shifted);
        if (impl_.paused && impl_.steps_remaining > 0) --impl_.steps_remaining;
        will_hold = impl_.paused && impl_.steps_remaining == 0;
        snapshot_wanted = impl_.network_taken;
      }
      const auto now = Clock::now();
      // Before holding, always publish the iterate the user will look at while paused. Otherwise
      // at most ~30 Hz, and spaced so that snapshots (a grid evaluation over every active
      // neuron) take at most a fifth of the solver's time.
      if (will_hold || (snapshot_wanted && now - last_snapshot_ >= snapshot_spacing_)) {
        last_snapshot_ = now;
        auto snapshot = make_snapshot(iterate.network(), shifted.iteration, job_.grid, false);
        snapshot_spacing_ = std::max<Clock::duration>(kSnapshotPeriod, 4 * (Clock::now() - now));
        std::lock_guard lock(impl_.mutex);
        impl_.pending_network = std::move(snapshot);
        impl_.network_taken = false;
      }
      std::unique_lock lock(impl_.mutex);
      impl_.gate.wait(lock, impl_.stop.get_token(),
                      [this] { return !impl_.paused || impl_.steps_remaining > 0; });
      return ObserverAction::kContinue;
    }

    // The iteration number (job offset included) of the last report; -1 before any.
    std::int64_t last_iteration() const { return last_iteration_; }

   private:
    Impl& impl_;
    const TrainingJob& job_;
    std::int64_t last_iteration_ = -1;
    Clock::time_point last_snapshot_{};
    Clock::duration snapshot_spacing_ = kSnapshotPeriod;
  };

  void run(const TrainingJob& job) {
    TrainingOutcome result;
    result.config = job.config;
    result.iteration_offset = job.iteration_offset;
    result.elapsed_offset = job.elapsed_offset;
    try {
      const PreparedProblem prepared =
          prepare_problem(job.train, job.test ? &*job.test : nullptr, job.config);
      Observer observer(*this, job);
      TrainingConfig config = job.config;
      config.admm.report_every = 1;
      result.result = train_network(prepared, config, &observer, stop.get_token(),
                                    job.warm_start ? &*job.warm_start : nullptr);
      // After pattern growing, summary.iterations counts the last solve only.
      const std::int64_t final_iteration = std::max(
          observer.last_iteration(), job.iteration_offset + result.result->summary.iterations);
      auto final_snapshot = make_snapshot(result.result->network, final_iteration, job.grid, true);
      std::lock_guard lock(mutex);
      pending_network = std::move(final_snapshot);
      network_taken = false;
    } catch (const std::exception& error) {
      result.error = error.what();
    }
    std::lock_guard lock(mutex);
    outcome = std::move(result);
  }
};

BackgroundTrainer::BackgroundTrainer() : impl_(std::make_unique<Impl>()) {}

BackgroundTrainer::~BackgroundTrainer() {
  request_stop();
  wait();
}

void BackgroundTrainer::start(TrainingJob job, std::function<void()> on_finished) {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->busy) throw std::logic_error("BackgroundTrainer::start while a job runs");
    impl_->busy = true;
    impl_->stop = std::stop_source();
    impl_->paused = job.start_paused;
    impl_->steps_remaining = job.start_paused ? job.initial_steps : 0;
    impl_->outcome.reset();
  }
  Impl* impl = impl_.get();
  impl->arena.enqueue([impl, job = std::move(job), on_finished = std::move(on_finished)] {
    impl->run(job);
    // Notify before clearing `busy`: wait() (and so the owner's destructor) must not return while
    // the callback still uses the owner.
    if (on_finished) on_finished();
    {
      std::lock_guard lock(impl->mutex);
      impl->busy = false;
    }
    impl->idle.notify_all();
  });
}

bool BackgroundTrainer::busy() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->busy;
}

void BackgroundTrainer::request_stop() {
  std::lock_guard lock(impl_->mutex);
  impl_->stop.request_stop();  // also wakes a paused solver (the gate waits on this token)
}

void BackgroundTrainer::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->idle.wait(lock, [this] { return !impl_->busy; });
}

void BackgroundTrainer::set_paused(bool paused) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->paused = paused;
    impl_->steps_remaining = 0;
  }
  impl_->gate.notify_all();
}

void BackgroundTrainer::step(int iterations) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->paused = true;
    impl_->steps_remaining = std::max(1, iterations);
  }
  impl_->gate.notify_all();
}

bool BackgroundTrainer::paused() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->paused;
}

BackgroundTrainer::Progress BackgroundTrainer::take_progress() {
  Progress progress;
  std::lock_guard lock(impl_->mutex);
  progress.reports.swap(impl_->pending_reports);
  if (!impl_->network_taken) {
    progress.network = std::move(impl_->pending_network);
    impl_->network_taken = true;
  }
  return progress;
}

std::optional<TrainingOutcome> BackgroundTrainer::take_outcome() {
  std::lock_guard lock(impl_->mutex);
  std::optional<TrainingOutcome> outcome = std::move(impl_->outcome);
  impl_->outcome.reset();
  return outcome;
}

}  // namespace convexnn::ui
