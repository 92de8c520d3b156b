#include "boundary_panel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QStackedLayout>
#include <QVBoxLayout>

#include "color_bar.h"

namespace convexnn::ui {

BoundaryPanel::BoundaryPanel(QWidget* parent) : QWidget(parent) {
  stack_ = new QStackedLayout(this);

  plot_page_ = new QWidget(this);
  auto* page_layout = new QVBoxLayout(plot_page_);
  page_layout->setContentsMargins(0, 0, 0, 0);
  auto* toggles = new QHBoxLayout;
  discretize_ = new QCheckBox(tr("Discretize"), plot_page_);
  discretize_->setToolTip(
      tr("Colour only the predicted class (the sign of f) instead of the "
         "network's confidence."));
  neurons_ = new QCheckBox(tr("Show neurons"), plot_page_);
  neurons_->setToolTip(
      tr("Draw the line where each active hidden neuron switches on "
         "(w·x + b = 0). The network's boundary is built from these pieces."));
  boxes_ = new QCheckBox(tr("ε-boxes"), plot_page_);
  boxes_->setToolTip(boxesTip());
  pin_ = new QCheckBox(tr("Pin boundary"), plot_page_);
  pin_->setToolTip(
      tr("Keep the current decision boundary as a dashed line, to compare it with "
         "the next training (for example before and after robust training, or two "
         "values of β)."));
  robustness_ = new QLabel(plot_page_);
  hover_ = new QLabel(plot_page_);
  hover_->setToolTip(tr("The network's output at the mouse pointer."));
  toggles->addWidget(discretize_);
  toggles->addWidget(neurons_);
  toggles->addWidget(boxes_);
  toggles->addWidget(pin_);
  toggles->addWidget(robustness_);
  toggles->addStretch(1);
  toggles->addWidget(hover_);
  page_layout->addLayout(toggles);
  auto* plot_row = new QHBoxLayout;
  view_ = new DecisionBoundaryView(plot_page_);
  color_bar_ = new ColorBar(plot_page_);
  plot_row->addWidget(view_, 1);
  plot_row->addWidget(color_bar_);
  page_layout->addLayout(plot_row, 1);
  stack_->addWidget(plot_page_);

  message_ = new QLabel(this);
  message_->setAlignment(Qt::AlignCenter);
  message_->setWordWrap(true);
  QFont font = message_->font();
  font.setPointSizeF(font.pointSizeF() * 1.3);
  message_->setFont(font);
  stack_->addWidget(message_);

  connect(discretize_, &QCheckBox::toggled, this, [this](bool on) {
    view_->setDiscretized(on);
    color_bar_->setDiscretized(on);
  });
  connect(neurons_, &QCheckBox::toggled, view_, &DecisionBoundaryView::setShowNeurons);
  connect(view_, &DecisionBoundaryView::hovered, hover_, &QLabel::setText);
  connect(boxes_, &QCheckBox::toggled, this,
          [this](bool on) { view_->setEpsilonBoxes(on ? epsilon_ : 0.0); });
  connect(pin_, &QCheckBox::toggled, this, [this](bool on) {
    if (view_->pinReference(on) != on) {
      const QSignalBlocker block(pin_);
      pin_->setChecked(false);  // nothing to pin yet
    }
  });
  connect(view_, &DecisionBoundaryView::robustnessChanged, this, [this](int robust, int total) {
    robustness_->setText(total > 0
                             ? tr("robust at ε = %1: %2 of %3").arg(epsilon_).arg(robust).arg(total)
                             : QString());
  });
}

void BoundaryPanel::setData(const Dataset& train, const std::optional<Dataset>& test,
                            const std::optional<BoundaryGridSpec>& grid) {
  if (grid) {
    view_->setData(train, test, *grid);
    {
      const QSignalBlocker block(pin_);
      pin_->setChecked(false);  // a boundary of other data is no reference
    }
    stack_->setCurrentWidget(plot_page_);
  } else {
    view_->setSnapshot(nullptr);
    message_->setText(tr("The decision boundary is drawn for 2-D data only.\nThis dataset has "
                         "d = %1 features; training and the charts work as usual.")
                          .arg(train.num_features()));
    stack_->setCurrentWidget(message_);
  }
}

void BoundaryPanel::setSnapshot(std::shared_ptr<const NetworkSnapshot> snapshot) {
  // The exact box check relies on piecewise-linear neurons; degree-2 activations curve inside a
  // box, so the boxes are switched off for them (the view skips them as well).
  const bool boxes_apply = !snapshot || snapshot->network.activation.positively_homogeneous();
  boxes_->setEnabled(boxes_apply);
  boxes_->setToolTip(
      boxes_apply ? boxesTip()
                  : boxesTip() + QStringLiteral("\n\n") +
                        tr("Not available for the %1 activation: the exact check needs a "
                           "piecewise-linear activation (ReLU, leaky ReLU or |t|).")
                            .arg(QString::fromStdString(snapshot->network.activation.name())));
  if (showsPlot()) view_->setSnapshot(std::move(snapshot));
}

bool BoundaryPanel::boxesAvailable() const { return boxes_->isEnabled(); }

QString BoundaryPanel::boxesTip() const {
  return tr(
      "Draw a square of half-width ε (the Model panel's ε) around every training point. "
      "Red squares reach a region of the other class: an attacker who may move that point "
      "by up to ε in each coordinate can flip its prediction. The check is exact.");
}

bool BoundaryPanel::showsPlot() const { return stack_->currentWidget() == plot_page_; }

QString BoundaryPanel::message() const { return showsPlot() ? QString() : message_->text(); }

}  // namespace convexnn::ui

namespace convexnn::ui {

void BoundaryPanel::setShowNeurons(bool show) { neurons_->setChecked(show); }

void BoundaryPanel::setDiscretized(bool discretize) { discretize_->setChecked(discretize); }

}  // namespace convexnn::ui

namespace convexnn::ui {

void BoundaryPanel::setEpsilon(double epsilon) {
  epsilon_ = epsilon;
  if (boxes_->isChecked()) view_->setEpsilonBoxes(epsilon_);
}

void BoundaryPanel::setShowBoxes(bool show) { boxes_->setChecked(show); }

void BoundaryPanel::setPinned(bool pinned) { pin_->setChecked(pinned); }

QString BoundaryPanel::robustnessText() const { return robustness_->text(); }

}  // namespace convexnn::ui
