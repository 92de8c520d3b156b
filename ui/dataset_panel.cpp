#include "dataset_panel.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "diverging_color_map.h"

namespace convexnn::ui {
namespace {

QIcon thumbnail(const GeneratorInfo& info) {
  constexpr int kSize = 72;
  GeneratorSettings settings;
  settings.name = info.name;
  settings.n = 160;
  settings.noise = info.default_noise;
  settings.seed = 7;
  const Dataset data = generate_dataset(settings);
  const Eigen::VectorXd low = data.X.colwise().minCoeff();
  const Eigen::VectorXd high = data.X.colwise().maxCoeff();
  QPixmap pixmap(kSize, kSize);
  pixmap.fill(QColor(250, 250, 250));
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(Qt::NoPen);
  for (Eigen::Index i = 0; i < data.num_samples(); ++i) {
    const double u = (data.X(i, 0) - low(0)) / std::max(1e-12, high(0) - low(0));
    const double v = (data.X(i, 1) - low(1)) / std::max(1e-12, high(1) - low(1));
    painter.setBrush(data.y(i) > 0 ? kPositiveClassColor : kNegativeClassColor);
    painter.drawEllipse(QPointF(5 + u * (kSize - 10), 5 + (1 - v) * (kSize - 10)), 2.2, 2.2);
  }
  painter.setPen(QColor(200, 200, 200));
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(0, 0, kSize - 1, kSize - 1);
  return QIcon(pixmap);
}

}  // namespace

DatasetPanel::DatasetPanel(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  gallery_ = new QListWidget(this);
  gallery_->setViewMode(QListView::IconMode);
  gallery_->setIconSize(QSize(72, 72));
  gallery_->setGridSize(QSize(92, 100));
  gallery_->setMovement(QListView::Static);
  gallery_->setResizeMode(QListView::Adjust);
  gallery_->setWrapping(true);
  gallery_->setMinimumHeight(215);
  gallery_->setToolTip(tr("Built-in datasets. Click one to generate it with the settings below."));
  for (const GeneratorInfo& info : dataset_generators()) {
    auto* item = new QListWidgetItem(thumbnail(info), QString::fromStdString(info.name), gallery_);
    item->setData(Qt::UserRole, QString::fromStdString(info.name));
    item->setData(Qt::UserRole + 1, info.default_noise);
    item->setToolTip(QString::fromStdString(info.description));
  }
  layout->addWidget(gallery_);

  auto* form = new QFormLayout;
  samples_ = new QSpinBox(this);
  samples_->setRange(4, 20000);
  samples_->setValue(80);
  samples_->setToolTip(tr("Number of points to generate (train and test together). Exact "
                          "enumeration of activation patterns is practical up to about 120 "
                          "training points."));
  noise_ = new QDoubleSpinBox(this);
  noise_->setRange(0.0, 1.0);
  noise_->setSingleStep(0.05);
  noise_->setDecimals(2);
  noise_->setToolTip(tr("How much the points scatter around the clean shape. For xor-clusters it "
                        "is also the fraction of labels that are flipped (label noise)."));
  test_fraction_ = new QDoubleSpinBox(this);
  test_fraction_->setRange(0.0, 0.9);
  test_fraction_->setSingleStep(0.05);
  test_fraction_->setDecimals(2);
  test_fraction_->setValue(0.25);
  test_fraction_->setToolTip(tr("Share of the points held out as a test set: the network never "
                                "trains on them, so their accuracy shows how well it generalizes."));
  seed_ = new QSpinBox(this);
  seed_->setRange(0, 1000000);
  seed_->setValue(1);
  seed_->setToolTip(tr("Random seed of the generator and of the train/test split; the same seed "
                       "always gives the same points on every computer."));
  form->addRow(tr("Points n"), samples_);
  form->addRow(tr("Noise"), noise_);
  form->addRow(tr("Test fraction"), test_fraction_);
  form->addRow(tr("Seed"), seed_);
  layout->addLayout(form);

  auto* buttons = new QHBoxLayout;
  regenerate_ = new QPushButton(tr("Regenerate"), this);
  regenerate_->setToolTip(tr("Draw the selected dataset again with these settings."));
  open_csv_ = new QPushButton(tr("Open CSV…"), this);
  open_csv_->setToolTip(tr("Load your own two-class data: a CSV file with a header row, numeric "
                           "columns and the label in the last column."));
  buttons->addWidget(regenerate_);
  buttons->addWidget(open_csv_);
  layout->addLayout(buttons);

  source_ = new QLabel(this);
  source_->setWordWrap(true);
  QFont bold = source_->font();
  bold.setBold(true);
  source_->setFont(bold);
  summary_ = new QLabel(this);
  summary_->setWordWrap(true);
  layout->addWidget(source_);
  layout->addWidget(summary_);
  layout->addStretch(1);

  connect(gallery_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
    noise_->setValue(item->data(Qt::UserRole + 1).toDouble());
    Q_EMIT generateRequested();
  });
  connect(regenerate_, &QPushButton::clicked, this, &DatasetPanel::generateRequested);
  connect(open_csv_, &QPushButton::clicked, this, &DatasetPanel::openCsvRequested);
}

GeneratorSettings DatasetPanel::generatorSettings() const {
  GeneratorSettings settings;
  const QListWidgetItem* item = gallery_->currentItem();
  settings.name = item ? item->data(Qt::UserRole).toString().toStdString() : "xor";
  settings.n = samples_->value();
  settings.noise = noise_->value();
  settings.seed = static_cast<std::uint64_t>(seed_->value());
  return settings;
}

void DatasetPanel::setGeneratorSettings(const GeneratorSettings& settings) {
  for (int i = 0; i < gallery_->count(); ++i) {
    if (gallery_->item(i)->data(Qt::UserRole).toString().toStdString() == settings.name) {
      gallery_->setCurrentRow(i);
    }
  }
  samples_->setValue(settings.n);
  noise_->setValue(settings.noise);
  seed_->setValue(static_cast<int>(settings.seed));
}

SplitSettings DatasetPanel::splitSettings() const {
  return {test_fraction_->value(), static_cast<std::uint64_t>(seed_->value())};
}

void DatasetPanel::setSplitSettings(const SplitSettings& settings) {
  test_fraction_->setValue(settings.test_fraction);
  seed_->setValue(static_cast<int>(settings.seed));
}

void DatasetPanel::setSummary(const QString& source, const QString& summary) {
  source_->setText(source);
  summary_->setText(summary);
}

}  // namespace convexnn::ui
