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
  discretize_->setToolTip(tr("Colour only the predicted class (the sign of f) instead of the "
                             "network's confidence."));
  neurons_ = new QCheckBox(tr("Show neurons"), plot_page_);
  neurons_->setToolTip(tr("Draw the line where each active hidden neuron switches on "
                          "(w·x + b = 0). The network's boundary is built from these pieces."));
  hover_ = new QLabel(plot_page_);
  hover_->setToolTip(tr("The network's output at the mouse pointer."));
  toggles->addWidget(discretize_);
  toggles->addWidget(neurons_);
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
}

void BoundaryPanel::setData(const Dataset& train, const std::optional<Dataset>& test,
                            const std::optional<BoundaryGridSpec>& grid) {
  if (grid) {
    view_->setData(train, test, *grid);
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
  if (showsPlot()) view_->setSnapshot(std::move(snapshot));
}

bool BoundaryPanel::showsPlot() const { return stack_->currentWidget() == plot_page_; }

QString BoundaryPanel::message() const { return showsPlot() ? QString() : message_->text(); }

}  // namespace convexnn::ui

namespace convexnn::ui {

void BoundaryPanel::setShowNeurons(bool show) { neurons_->setChecked(show); }

void BoundaryPanel::setDiscretized(bool discretize) { discretize_->setChecked(discretize); }

}  // namespace convexnn::ui
