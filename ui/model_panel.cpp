#include "model_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QStandardItemModel>

#include "log_slider.h"

namespace convexnn::ui {
namespace {
constexpr int kExactIndex = 0;
constexpr int kSampledIndex = 1;
}  // namespace

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);

  formulation_ = new QComboBox(this);
  formulation_->addItem(tr("Exact (all patterns)"), QStringLiteral("exact"));
  formulation_->addItem(tr("Sampled patterns"), QStringLiteral("sampled"));
  formulation_->setToolTip(
      tr("Exact: every way a ReLU neuron can split the training points is included, so the "
         "convex optimum is the best two-layer network of any width: a certified global optimum. "
         "Sampled: P random splits, faster on larger data; optimal for those splits."));
  loss_ = new QComboBox(this);
  loss_->addItem(tr("Squared"), QStringLiteral("squared"));
  loss_->addItem(tr("Hinge"), QStringLiteral("hinge"));
  loss_->addItem(tr("Logistic"), QStringLiteral("logistic"));
  loss_->setToolTip(tr("How wrong predictions are penalized: squared ½(f − y)², hinge "
                       "max(0, 1 − y f) as in support vector machines, or logistic "
                       "log(1 + e^(−y f)) as in logistic regression."));
  patterns_ = new QSpinBox(this);
  patterns_->setRange(1, 100000);
  patterns_->setValue(200);
  patterns_->setToolTip(tr("P, the number of random activation patterns (candidate neurons) for the "
                           "sampled formulation. More patterns: closer to the exact optimum, "
                           "slower iterations."));
  beta_ = new LogSlider(1e-5, 10.0, 1e-2, this);
  beta_->setToolTip(tr("β, the weight decay. Larger β gives simpler networks with fewer active "
                       "neurons and smoother boundaries; smaller β fits the training points "
                       "more closely."));
  rho_ = new LogSlider(1e-4, 1e4, 1.0, this);
  rho_->setToolTip(tr("ρ, the ADMM penalty. It changes how fast the solver converges, never the "
                      "answer. With Auto, ρ is rebalanced from the residuals during the run."));
  rho_auto_ = new QCheckBox(tr("Auto"), this);
  rho_auto_->setChecked(true);
  rho_auto_->setToolTip(tr("Adapt ρ during the run by balancing the primal and dual residuals."));
  epsilon_ = new LogSlider(1e-3, 1.0, 0.05, this);
  epsilon_->setToolTip(tr("ε, the radius of adversarial perturbations: an attacker may move each "
                          "coordinate of a point by up to ε (in the data's units). Turn on "
                          "ε-boxes above the plot to see which points such a move can flip."));
  robust_ = new QCheckBox(tr("Train robustly"), this);
  robust_->setToolTip(tr("Adversarial training: the robust convex program makes every neuron keep "
                         "its state on each training point's ε-box and minimizes the worst-case "
                         "loss over the boxes. The result is certified robust on the training "
                         "points; the price is a simpler, more cautious boundary."));
  max_iterations_ = new QSpinBox(this);
  max_iterations_->setRange(1, 10000000);
  max_iterations_->setValue(20000);
  max_iterations_->setSingleStep(1000);
  max_iterations_->setToolTip(tr("The solver stops after this many ADMM iterations even when the "
                                 "gap has not closed."));
  tolerance_ = new ScientificSpinBox(this);
  tolerance_->setRange(1e-12, 1.0);
  tolerance_->setValue(1e-6);
  tolerance_->setToolTip(tr("The run stops when the relative gap between the network's objective "
                            "U and the lower bound L falls below this: the network is then "
                            "provably within this factor of the best possible."));
  standardize_ = new QCheckBox(tr("Standardize features"), this);
  standardize_->setToolTip(tr("Shift and scale every feature to mean 0 and standard deviation 1 "
                              "before training (stored with the model). Helps when features have "
                              "very different units."));

  auto* rho_row = new QWidget(this);
  auto* rho_layout = new QHBoxLayout(rho_row);
  rho_layout->setContentsMargins(0, 0, 0, 0);
  rho_layout->addWidget(rho_, 1);
  rho_layout->addWidget(rho_auto_);

  form->addRow(tr("Formulation"), formulation_);
  form->addRow(tr("Loss"), loss_);
  form->addRow(tr("Patterns P"), patterns_);
  form->addRow(tr("β (weight decay)"), beta_);
  form->addRow(tr("ρ (ADMM penalty)"), rho_row);
  form->addRow(tr("ε (adversarial)"), epsilon_);
  form->addRow(QString(), robust_);
  form->addRow(tr("Max iterations"), max_iterations_);
  form->addRow(tr("Gap tolerance"), tolerance_);
  form->addRow(QString(), standardize_);

  const auto changed = [this] {
    updateEnabledState();
    Q_EMIT configChanged();
  };
  connect(formulation_, &QComboBox::currentIndexChanged, this, changed);
  connect(loss_, &QComboBox::currentIndexChanged, this, changed);
  connect(patterns_, &QSpinBox::valueChanged, this, changed);
  connect(beta_, &LogSlider::valueChanged, this, changed);
  connect(rho_, &LogSlider::valueChanged, this, changed);
  connect(rho_auto_, &QCheckBox::toggled, this, changed);
  connect(max_iterations_, &QSpinBox::valueChanged, this, changed);
  connect(epsilon_, &LogSlider::valueChanged, this, &ModelPanel::epsilonChanged);
  connect(epsilon_, &LogSlider::valueChanged, this, [this, changed] {
    if (robust_->isChecked()) changed();  // epsilon is a training setting only when robust
  });
  connect(robust_, &QCheckBox::toggled, this, changed);
  connect(tolerance_, &QDoubleSpinBox::valueChanged, this, changed);
  connect(standardize_, &QCheckBox::toggled, this, changed);
  updateEnabledState();
}

TrainingConfig ModelPanel::config() const {
  TrainingConfig config;
  config.pattern_mode = formulation_->currentIndex() == kExactIndex && exact_available_
                            ? PatternMode::kExact
                            : PatternMode::kSampled;
  config.loss = loss_from_string(loss_->currentData().toString().toStdString());
  config.pattern_samples = patterns_->value();
  config.beta = beta_->value();
  config.standardize = standardize_->isChecked();
  config.admm.rho = rho_->value();
  config.admm.penalty_mode = rho_auto_->isChecked() ? PenaltyMode::kAdaptive : PenaltyMode::kFixed;
  config.admm.max_iterations = max_iterations_->value();
  config.admm.relative_gap_tolerance = tolerance_->value();
  config.epsilon = robust_->isChecked() ? epsilon_->value() : 0.0;
  return config;
}

void ModelPanel::setConfig(const TrainingConfig& config) {
  const QSignalBlocker block_formulation(formulation_);
  const QSignalBlocker block_loss(loss_);
  const QSignalBlocker block_patterns(patterns_);
  const QSignalBlocker block_beta(beta_);
  const QSignalBlocker block_rho(rho_);
  const QSignalBlocker block_auto(rho_auto_);
  const QSignalBlocker block_iterations(max_iterations_);
  const QSignalBlocker block_tolerance(tolerance_);
  const QSignalBlocker block_standardize(standardize_);
  const QSignalBlocker block_robust(robust_);
  const QSignalBlocker block_epsilon(epsilon_);
  formulation_->setCurrentIndex(config.pattern_mode == PatternMode::kExact ? kExactIndex
                                                                           : kSampledIndex);
  loss_->setCurrentIndex(loss_->findData(QString::fromLatin1(to_string(config.loss))));
  patterns_->setValue(config.pattern_samples);
  beta_->setValue(config.beta);
  rho_->setValue(config.admm.rho);
  rho_auto_->setChecked(config.admm.penalty_mode == PenaltyMode::kAdaptive);
  max_iterations_->setValue(static_cast<int>(config.admm.max_iterations));
  tolerance_->setValue(config.admm.relative_gap_tolerance);
  standardize_->setChecked(config.standardize);
  robust_->setChecked(config.epsilon > 0);
  if (config.epsilon > 0) {
    epsilon_->setValue(config.epsilon);
    Q_EMIT epsilonChanged(epsilon_->value());
  }
  updateEnabledState();
}

double ModelPanel::epsilon() const { return epsilon_->value(); }

void ModelPanel::setEpsilon(double epsilon) {
  epsilon_->setValue(epsilon);
  Q_EMIT epsilonChanged(epsilon_->value());
}

void ModelPanel::setExactAvailable(bool available, const QString& reason) {
  exact_available_ = available;
  auto* model = qobject_cast<QStandardItemModel*>(formulation_->model());
  if (model) {
    QStandardItem* exact = model->item(kExactIndex);
    exact->setEnabled(available);
    exact->setToolTip(available ? QString() : reason);
  }
  if (!available && formulation_->currentIndex() == kExactIndex) {
    formulation_->setCurrentIndex(kSampledIndex);  // emits configChanged
  }
  formulation_->setToolTip(
      tr("Exact: every way a ReLU neuron can split the training points is included, so the "
         "convex optimum is the best two-layer network of any width: a certified global optimum. "
         "Sampled: P random splits, faster on larger data; optimal for those splits.") +
      (available ? QString() : QStringLiteral("\n\n") + reason));
  updateEnabledState();
}

void ModelPanel::updateEnabledState() {
  const bool sampled = formulation_->currentIndex() == kSampledIndex || !exact_available_;
  patterns_->setEnabled(sampled);
}

}  // namespace convexnn::ui
