#include "training_controller.h"

#include "background_trainer.h"
#include "convexnn/heap_policy.h"

namespace convexnn::ui {

TrainingController::TrainingController(QObject* parent)
    : QObject(parent), trainer_(std::make_unique<BackgroundTrainer>()) {
  poll_timer_.setInterval(33);  // the GUI takes snapshots at most ~30 times a second
  connect(&poll_timer_, &QTimer::timeout, this, &TrainingController::poll);
}

TrainingController::~TrainingController() {
  // Closing the window cancels the run; the solver stops within one iteration.
  trainer_->request_stop();
  trainer_->wait();
}

void TrainingController::setData(Dataset train, std::optional<Dataset> test,
                                 std::optional<BoundaryGridSpec> grid) {
  train_ = std::move(train);
  test_ = std::move(test);
  grid_ = grid;
  history_.clear();
  latest_network_.reset();
  last_result_.reset();
  Q_EMIT progressed();
  if (state_ != State::kIdle) {
    restart_pending_ = true;
    data_changed_pending_ = true;  // what the old run still reports belongs to the old data
    trainer_->request_stop();
  }
}

void TrainingController::setConfig(const TrainingConfig& config) {
  config_ = config;
  if (state_ != State::kIdle) {
    restart_pending_ = true;
    trainer_->request_stop();
  }
}

void TrainingController::run() {
  if (state_ == State::kPaused) {
    trainer_->set_paused(false);
    setState(State::kRunning);
    return;
  }
  if (state_ != State::kIdle) return;
  if (trainer_->busy()) {
    start_pending_ = true;  // a reset run is still stopping: start as soon as it has
    return;
  }
  startJob(false, 0);
}

void TrainingController::pause() {
  if (state_ != State::kRunning) return;
  trainer_->set_paused(true);
  setState(State::kPaused);
}

void TrainingController::step(int iterations) {
  if (state_ == State::kIdle) {
    if (!trainer_->busy()) startJob(true, iterations);
    return;
  }
  trainer_->step(iterations);
  setState(State::kPaused);
}

void TrainingController::cancel() {
  if (state_ == State::kIdle) return;
  restart_pending_ = false;
  trainer_->request_stop();
}

void TrainingController::reset() {
  restart_pending_ = false;
  start_pending_ = false;
  if (trainer_->busy()) {
    discard_pending_ = true;
    trainer_->request_stop();
  }
  warm_state_.reset();
  history_.clear();
  latest_network_.reset();
  last_result_.reset();
  Q_EMIT progressed();
  Q_EMIT networkUpdated(nullptr);
  setState(State::kIdle);
}

void TrainingController::startJob(bool start_paused, int initial_steps) {
  if (!hasData()) {
    Q_EMIT failed(tr("No data to train on."));
    return;
  }
  TrainingJob job;
  job.train = train_;
  job.test = test_;
  job.config = config_;
  job.grid = grid_;
  job.warm_start = warm_state_;
  job.start_paused = start_paused;
  job.initial_steps = initial_steps;
  if (!history_.empty()) {
    job.iteration_offset = history_.last().iteration;
    job.elapsed_offset = history_.last().elapsed_seconds;
  }
  ++runs_started_;
  discard_pending_ = false;
  data_changed_pending_ = false;
  trainer_->start(std::move(job), [this] {
    // Worker thread: hand over to the GUI thread (dropped if this object is gone by then).
    QMetaObject::invokeMethod(this, &TrainingController::onJobFinished, Qt::QueuedConnection);
  });
  poll_timer_.start();
  setState(start_paused ? State::kPaused : State::kRunning);
}

void TrainingController::poll() {
  BackgroundTrainer::Progress progress = trainer_->take_progress();
  if (discard_pending_ || data_changed_pending_) return;
  if (!progress.reports.empty()) {
    history_.append(progress.reports);
    Q_EMIT progressed();
  }
  if (progress.network) {
    latest_network_ = progress.network;
    Q_EMIT networkUpdated(latest_network_);
  }
}

void TrainingController::onJobFinished() {
  trainer_->wait();  // the worker clears `busy` right after its callback
  if (discard_pending_) {
    trainer_->take_progress();
    trainer_->take_outcome();
    discard_pending_ = false;
    poll_timer_.stop();
    setState(State::kIdle);
    if (start_pending_) {
      start_pending_ = false;
      startJob(false, 0);
    }
    return;
  }
  poll();  // the last reports and the final snapshot
  std::optional<TrainingOutcome> outcome = trainer_->take_outcome();
  if (!outcome) return;
  if (!outcome->result) {
    poll_timer_.stop();
    restart_pending_ = false;
    setState(State::kIdle);
    Q_EMIT failed(QString::fromStdString(outcome->error));
    return;
  }
  // SCP runs have no ADMM state: keep the previous one for the next ADMM run. A grown run's
  // state belongs to its grown pattern set; ADMM only reuses a state whose shape matches.
  if (outcome->config.solver != SolverKind::kRandomFeatures) {
    warm_state_ = outcome->result->solution.state;
  }
  if (!data_changed_pending_) {
    last_result_ = std::move(outcome->result);
    last_result_config_ = outcome->config;
  }
  if (restart_pending_) {
    restart_pending_ = false;
    const bool was_paused = state_ == State::kPaused;
    state_ = State::kIdle;
    startJob(was_paused, 0);
    return;
  }
  poll_timer_.stop();
  setState(State::kIdle);
  if (last_result_) Q_EMIT finished(last_result_->summary);
}

void TrainingController::setState(State state) {
  if (state_ == state) return;
  state_ = state;
  // The solvers keep freed memory during a run (keep_freed_heap in main); an idle session
  // returns it.
  if (state == State::kIdle) release_freed_heap();
  Q_EMIT stateChanged(state);
}

}  // namespace convexnn::ui
