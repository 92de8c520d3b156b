#pragma once
// A positive parameter spanning decades (beta, rho, epsilon): a slider on a log10 scale beside a
// spin box that shows and accepts numbers like 0.001 or 1e-4.
#include <QDoubleSpinBox>
#include <QWidget>

class QSlider;

namespace convexnn::ui {

class ScientificSpinBox : public QDoubleSpinBox {
  Q_OBJECT

 public:
  explicit ScientificSpinBox(QWidget* parent = nullptr);
  QString textFromValue(double value) const override;
  double valueFromText(const QString& text) const override;
  QValidator::State validate(QString& text, int& pos) const override;
  void stepBy(int steps) override;  // multiplies or divides by ~1.26 per step (10 steps a decade)
};

class LogSlider : public QWidget {
  Q_OBJECT

 public:
  LogSlider(double minimum, double maximum, double value, QWidget* parent = nullptr);
  double value() const;
  void setValue(double value);
  void setToolTip(const QString& text);

 Q_SIGNALS:
  void valueChanged(double value);

 private:
  int toSlider(double value) const;
  double fromSlider(int position) const;

  double log_min_;
  double log_max_;
  QSlider* slider_;
  ScientificSpinBox* spin_;
  bool syncing_ = false;
};

}  // namespace convexnn::ui
