#pragma once
// The training settings: formulation, activation, solver, loss, pattern count P, beta, rho,
// epsilon, limits. Combinations the core rejects are disabled, with the reason in the tooltip.
#include <QWidget>

#include "convexnn/training.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
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
  QComboBox* activationBox() const { return activation_; }
  QComboBox* solverBox() const { return solver_; }
  QComboBox* lossBox() const { return loss_; }
  QCheckBox* robustBox() const { return robust_; }
  QSpinBox* featuresBox() const { return features_; }
  QCheckBox* growPatternsBox() const { return grow_patterns_; }
  QCheckBox* slideNeuronsBox() const { return slide_neurons_; }

 Q_SIGNALS:
  void configChanged();
  void epsilonChanged(double epsilon);

 private:
  void updateEnabledState();

  Activation selectedActivation() const;
  SolverKind selectedSolver() const;
  void setItemEnabled(QComboBox* box, int index, bool enabled, const QString& reason);

  QFormLayout* form_;
  QWidget* poly_row_;
  QComboBox* formulation_;
  QComboBox* activation_;
  QDoubleSpinBox* leaky_slope_;
  QDoubleSpinBox* poly_a_;
  QDoubleSpinBox* poly_b_;
  QDoubleSpinBox* poly_c_;
  QComboBox* solver_;
  QComboBox* loss_;
  QSpinBox* patterns_;
  QSpinBox* features_;
  QCheckBox* grow_patterns_;
  QCheckBox* slide_neurons_;  // SCP growing: L-BFGS on the grown network at the end
  LogSlider* beta_;
  LogSlider* rho_;
  QCheckBox* rho_auto_;
  LogSlider* epsilon_;
  QSpinBox* max_iterations_;
  ScientificSpinBox* tolerance_;
  QCheckBox* standardize_;
  QCheckBox* robust_;
  // No control of its own: kept from setConfig so sessions reproduce their patterns and features.
  std::uint64_t seed_ = TrainingConfig{}.seed;
  bool exact_available_ = true;
  QString exact_reason_;
};

}  // namespace convexnn::ui
