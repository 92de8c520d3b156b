#pragma once
// ConvexNN Studio's main window: data and model panels, the decision boundary, the live charts,
// run controls and the status bar; menus for CSV, model, image and session files.
#include <QMainWindow>
#include <QTimer>
#include <functional>
#include <optional>

#include "session_file.h"
#include "training_controller.h"

class QAction;
class QDockWidget;
class QLabel;

namespace convexnn::ui {

class BaselinePanel;
class BoundaryPanel;
class DatasetPanel;
class LiveCharts;
class ModelPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Each returns false and reports through the error handler (a dialog by default) on failure,
  // leaving the current state as it was.
  bool generateDataset(const GeneratorSettings& settings);
  bool openCsv(const QString& path);
  bool exportModel(const QString& path);
  bool exportCharts(const QString& path);    // .png or .svg
  bool exportBoundary(const QString& path);  // .png or .svg
  bool saveSession(const QString& path);
  bool openSession(const QString& path);

  using ErrorHandler = std::function<void(const QString& title, const QString& message)>;
  void setErrorHandler(ErrorHandler handler) { error_handler_ = std::move(handler); }

  TrainingController* controller() { return &controller_; }
  ModelPanel* modelPanel() const { return model_panel_; }
  DatasetPanel* datasetPanel() const { return dataset_panel_; }
  BoundaryPanel* boundaryPanel() const { return boundary_panel_; }
  LiveCharts* charts() const { return charts_; }
  BaselinePanel* baselinePanel() const { return baseline_panel_; }
  void showBaselinePanel();
  QString certificateBadgeText() const;
  // What the running (or last) solve is and what its U, L and gap refer to.
  QString runDescription() const;
  // The model to export or save: the last run's, else the one an opened session brought.
  std::optional<Model> currentModel() const;
  // Sends the model panel's settings to the controller now instead of after the short debounce.
  void applyModelSettings();

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void buildMenus();
  void buildToolBar();
  void buildStatusBar();
  void applyDataset(Dataset dataset);
  void updateStatus();
  void updateActions();
  void describeRun(const TrainingConfig& config);
  void onFinished(const SolverSummary& summary);
  void reportError(const QString& title, const QString& message);
  bool writeImage(QWidget* widget, const QString& path, const QString& title);
  QString askSavePath(const QString& title, const QString& filter, const QString& suffix);

  TrainingController controller_;
  DatasetPanel* dataset_panel_;
  ModelPanel* model_panel_;
  BoundaryPanel* boundary_panel_;
  LiveCharts* charts_;
  BaselinePanel* baseline_panel_;
  QDockWidget* baseline_dock_;
  QAction* run_action_;
  QAction* pause_action_;
  QAction* step_action_;
  QAction* reset_action_;
  QAction* export_model_action_;
  QLabel* iteration_label_;
  QLabel* gap_label_;
  QLabel* neurons_label_;
  QLabel* time_label_;
  QLabel* badge_label_;
  QLabel* run_label_;
  QTimer config_debounce_;
  ErrorHandler error_handler_;

  // Where the current data came from, for sessions.
  std::optional<GeneratorSettings> generator_;
  std::optional<Dataset> loaded_data_;
  Dataset full_data_;
  std::optional<Model> session_model_;  // from an opened session, until the next run finishes
};

}  // namespace convexnn::ui
