#pragma once
// The training settings: formulation, loss, pattern count P, beta, rho, epsilon, limits.
#include <QWidget>

#include "convexnn/training.h"

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace convexnn::ui {

class LogSlider;
class ScientificSpinBox;

class ModelPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPanel(QWidget* parent = nullptr);

  TrainingConfig config() const;
  void setConfig(const TrainingConfig& config);
  // Exact enumeration needs 2-D data and few samples; `reason` says why it is unavailable.
  void setExactAvailable(bool available, const QString& reason);
  double epsilon() const;
  void setEpsilon(double epsilon);

 Q_SIGNALS:
  void configChanged();
  void epsilonChanged(double epsilon);

 private:
  void updateEnabledState();

  QComboBox* formulation_;
  QComboBox* loss_;
  QSpinBox* patterns_;
  LogSlider* beta_;
  LogSlider* rho_;
  QCheckBox* rho_auto_;
  LogSlider* epsilon_;
  QSpinBox* max_iterations_;
  ScientificSpinBox* tolerance_;
  QCheckBox* standardize_;
  QCheckBox* robust_;
  bool exact_available_ = true;
};

}  // namespace convexnn::ui
