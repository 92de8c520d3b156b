#pragma once
// Choosing the data: a gallery of the built-in generators with thumbnails, their settings, the
// train/test split, "Open CSV..." and a summary of the current data.
#include <QWidget>

#include "convexnn/generators.h"

class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace convexnn::ui {

struct SplitSettings {
  double test_fraction = 0.25;
  std::uint64_t seed = 1;
};

class DatasetPanel : public QWidget {
  Q_OBJECT

 public:
  explicit DatasetPanel(QWidget* parent = nullptr);

  GeneratorSettings generatorSettings() const;
  void setGeneratorSettings(const GeneratorSettings& settings);
  SplitSettings splitSettings() const;
  void setSplitSettings(const SplitSettings& settings);
  // "n = 200 (150 train, 50 test), d = 2, classes 98 / 102".
  void setSummary(const QString& source, const QString& summary);

 Q_SIGNALS:
  void generateRequested();  // a generator was picked or Regenerate pressed
  void openCsvRequested();

 private:
  QListWidget* gallery_;
  QSpinBox* samples_;
  QDoubleSpinBox* noise_;
  QDoubleSpinBox* test_fraction_;
  QSpinBox* seed_;
  QPushButton* regenerate_;
  QPushButton* open_csv_;
  QLabel* source_;
  QLabel* summary_;
};

}  // namespace convexnn::ui
