#pragma once
// Back-propagation side by side with the convex optimum: K seeds of SGD or Adam on the same
// objective, their objective curves (thin) against the certified optimum U and lower bound L, a
// small multiple of each seed's decision boundary next to the convex one, and a summary of how
// many seeds came within 1% of the optimum and how many neurons died. "Certify best seed" takes
// the lowest-objective seed's network to the convex program over its own activation patterns
// (science.md 8.3): is it optimal there, do fresh patterns beat it, and what the convex program
// re-solved from it on own + violating patterns reaches.
#include <QWidget>
#include <memory>
#include <optional>

#include "baseline_runner.h"

class QChart;
class QChartView;
class QComboBox;
class QGridLayout;
class QLabel;
class QLineSeries;
class QPushButton;
class QSpinBox;
class QValueAxis;

namespace convexnn::ui {

class ScientificSpinBox;
class TrainingController;

class BaselinePanel : public QWidget {
  Q_OBJECT

 public:
  explicit BaselinePanel(TrainingController* controller, QWidget* parent = nullptr);
  ~BaselinePanel() override;

  void setOptions(int seeds, NonconvexOptimizer optimizer, int epochs);
  void run();  // uses the controller's data and settings
  bool busy() const;
  const std::optional<BaselineOutcome>& outcome() const { return outcome_; }
  QString summary() const;
  int thumbnails() const;

  // Certifies the lowest-objective seed's network on the data and settings it was trained with
  // (they must still be the controller's current ones) and re-solves from it, off the GUI thread.
  void certifyBestSeed();
  bool canCertify() const;
  const std::optional<CertifyOutcome>& certifyOutcome() const { return certify_outcome_; }
  QString certificateText() const;

 Q_SIGNALS:
  void finished();
  void certified();
  void failed(const QString& message);

 private:
  void onFinished();
  void onCertified();
  void showCertificate();
  void updateButtons();
  // Empty when the controller's data, loss, beta and activation are still those the seeds were
  // trained with, else why not.
  QString trainingSetupChanged() const;
  void showOutcome();
  QPixmap boundaryThumbnail(const Eigen::MatrixXd& grid, const BoundaryGridSpec& spec) const;

  TrainingController* controller_;
  std::unique_ptr<BaselineRunner> runner_;
  QComboBox* optimizer_;
  QSpinBox* seeds_;
  QSpinBox* epochs_;
  QSpinBox* width_;
  ScientificSpinBox* learning_rate_;
  QPushButton* run_button_;
  QPushButton* certify_button_;
  QLabel* certificate_;
  QChart* chart_;
  QValueAxis* axis_x_;
  QValueAxis* axis_y_;
  QLabel* summary_;
  QGridLayout* gallery_;
  std::optional<BaselineOutcome> outcome_;
  Dataset train_;                  // the data the outcome was trained on, for the thumbnails
  TrainingConfig trained_config_;  // the settings it was trained with
  std::optional<CertifyOutcome> certify_outcome_;
  double certify_tolerance_ = 0.0;  // the gap tolerance the certificate was computed with
};

}  // namespace convexnn::ui
