#include "log_slider.h"

#include <QHBoxLayout>
#include <QLocale>
#include <QRegularExpression>
#include <QSlider>
#include <algorithm>
#include <cmath>

namespace convexnn::ui {
namespace {
constexpr int kSliderSteps = 1000;
}

ScientificSpinBox::ScientificSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
  setDecimals(12);  // QDoubleSpinBox rounds values to `decimals`; text is formatted below
  setKeyboardTracking(false);
  setMinimumWidth(90);
}

QString ScientificSpinBox::textFromValue(double value) const {
  return QLocale::c().toString(value, 'g', 3);
}

double ScientificSpinBox::valueFromText(const QString& text) const {
  bool ok = false;
  const double value = QLocale::c().toDouble(text.trimmed(), &ok);
  return ok ? value : this->value();
}

QValidator::State ScientificSpinBox::validate(QString& text, int&) const {
  const QString trimmed = text.trimmed();
  if (trimmed.isEmpty()) return QValidator::Intermediate;
  bool ok = false;
  const double value = QLocale::c().toDouble(trimmed, &ok);
  if (!ok) {
    // Partial input like "1e" or "0." while typing.
    static const QRegularExpression partial(QStringLiteral("^[0-9]*\\.?[0-9]*([eE][-+]?[0-9]*)?$"));
    return partial.match(trimmed).hasMatch() ? QValidator::Intermediate : QValidator::Invalid;
  }
  return value >= minimum() && value <= maximum() ? QValidator::Acceptable
                                                  : QValidator::Intermediate;
}

void ScientificSpinBox::stepBy(int steps) {
  setValue(std::clamp(value() * std::pow(10.0, 0.1 * steps), minimum(), maximum()));
}

LogSlider::LogSlider(double minimum, double maximum, double value, QWidget* parent)
    : QWidget(parent), log_min_(std::log10(minimum)), log_max_(std::log10(maximum)) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  slider_ = new QSlider(Qt::Horizontal, this);
  slider_->setRange(0, kSliderSteps);
  spin_ = new ScientificSpinBox(this);
  spin_->setRange(minimum, maximum);
  layout->addWidget(slider_, 1);
  layout->addWidget(spin_);
  setValue(value);
  connect(slider_, &QSlider::valueChanged, this, [this](int position) {
    if (syncing_) return;
    syncing_ = true;
    spin_->setValue(fromSlider(position));
    syncing_ = false;
    Q_EMIT valueChanged(spin_->value());
  });
  connect(spin_, &QDoubleSpinBox::valueChanged, this, [this](double v) {
    if (syncing_) return;
    syncing_ = true;
    slider_->setValue(toSlider(v));
    syncing_ = false;
    Q_EMIT valueChanged(v);
  });
}

double LogSlider::value() const { return spin_->value(); }

void LogSlider::setValue(double value) {
  syncing_ = true;
  spin_->setValue(value);
  slider_->setValue(toSlider(spin_->value()));
  syncing_ = false;
}

void LogSlider::setToolTip(const QString& text) {
  QWidget::setToolTip(text);
  slider_->setToolTip(text);
  spin_->setToolTip(text);
}

int LogSlider::toSlider(double value) const {
  const double t = (std::log10(std::max(value, 1e-300)) - log_min_) / (log_max_ - log_min_);
  return static_cast<int>(std::lround(std::clamp(t, 0.0, 1.0) * kSliderSteps));
}

double LogSlider::fromSlider(int position) const {
  // Round to 3 significant digits so the spin box shows what the solver gets.
  const double raw = std::pow(10.0, log_min_ + (log_max_ - log_min_) * position / kSliderSteps);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)) - 2);
  return std::round(raw / magnitude) * magnitude;
}

}  // namespace convexnn::ui
