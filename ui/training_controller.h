#pragma once
// Owns the training of the GUI: starts, pauses, steps and cancels the background solver, collects
// its reports at most ~30 times a second on the GUI thread, and restarts it warm when the user
// changes beta, rho or the data mid-run.
#include <QObject>
#include <QTimer>
#include <memory>
#include <optional>

#include "run_history.h"
#include "training_job.h"

namespace convexnn::ui {

class BackgroundTrainer;

class TrainingController : public QObject {
  Q_OBJECT

 public:
  enum class State { kIdle, kRunning, kPaused };

  explicit TrainingController(QObject* parent = nullptr);
  ~TrainingController() override;

  // Replaces the data (clears the history). During a run the solver restarts on the new data,
  // warm from the current iterate when the shapes still fit.
  void setData(Dataset train, std::optional<Dataset> test, std::optional<BoundaryGridSpec> grid);
  // New settings; during a run the solver restarts warm from its current iterate.
  void setConfig(const TrainingConfig& config);
  const TrainingConfig& config() const { return config_; }
  bool hasData() const { return train_.num_samples() > 0; }
  const Dataset& trainData() const { return train_; }
  const std::optional<Dataset>& testData() const { return test_; }

  void run();             // start, or resume when paused
  void pause();
  void step(int iterations = kStepIterations);
  void reset();           // cancel, forget the solution and the history
  void cancel();          // stop the run, keep what it reached
  State state() const { return state_; }

  const RunHistory& history() const { return history_; }
  std::shared_ptr<const NetworkSnapshot> latestNetwork() const { return latest_network_; }
  // The last finished run's result (also after a cancel), for export.
  const std::optional<TrainingResult>& lastResult() const { return last_result_; }
  const TrainingConfig& lastResultConfig() const { return last_result_config_; }
  // Runs started so far (a warm restart counts), for tests and the status bar.
  int runsStarted() const { return runs_started_; }

  static constexpr int kStepIterations = 10;

 Q_SIGNALS:
  void progressed();  // history() grew
  void networkUpdated(std::shared_ptr<const convexnn::ui::NetworkSnapshot> snapshot);
  void finished(const convexnn::SolverSummary& summary);
  void failed(const QString& message);
  void stateChanged(convexnn::ui::TrainingController::State state);

 private:
  void startJob(bool start_paused, int initial_steps);
  void poll();
  void onJobFinished();
  void setState(State state);

  std::unique_ptr<BackgroundTrainer> trainer_;
  QTimer poll_timer_;
  Dataset train_;
  std::optional<Dataset> test_;
  std::optional<BoundaryGridSpec> grid_;
  TrainingConfig config_;
  State state_ = State::kIdle;
  RunHistory history_;
  std::shared_ptr<const NetworkSnapshot> latest_network_;
  std::optional<TrainingResult> last_result_;
  TrainingConfig last_result_config_;
  std::optional<AdmmState> warm_state_;  // where the next run starts
  bool restart_pending_ = false;         // a settings change asked for a warm restart
  bool discard_pending_ = false;         // a reset: the finishing job's result is dropped
  bool data_changed_pending_ = false;    // new data: the finishing job's reports are dropped
  bool start_pending_ = false;           // Run pressed while a reset run was still stopping
  int runs_started_ = 0;
};

}  // namespace convexnn::ui
