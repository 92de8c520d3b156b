#include "model_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>
#include <QStandardItemModel>

#include "log_slider.h"

namespace convexnn::ui {
namespace {
constexpr int kExactIndex = 0;
constexpr int kSampledIndex = 1;
// Activation combo rows, in ActivationKind order.
constexpr int kReluIndex = 0;
constexpr int kLeakyIndex = 1;
constexpr int kAbsoluteIndex = 2;
constexpr int kQuadraticIndex = 3;
constexpr int kPolynomialIndex = 4;
// Solver combo rows, in SolverKind order.
constexpr int kAdmmIndex = 0;
constexpr int kAugmentedLagrangianIndex = 1;
constexpr int kGatedIndex = 2;
constexpr int kRandomFeaturesIndex = 3;
constexpr int kHingeIndex = 1;

QString formulation_tip() {
  return ModelPanel::tr(
      "Exact: every way a ReLU neuron can split the training points is included, so the "
      "convex optimum is the best two-layer network of any width: a certified global optimum. "
      "Sampled: P random splits, faster on larger data; optimal for those splits.");
}

QString activation_tip() {
  return ModelPanel::tr(
      "σ, what each hidden neuron applies to its input w·x + b.\n"
      "• ReLU max(0, t), leaky ReLU max(t, κt) and |t| are piecewise linear: training is a "
      "convex (group-Lasso) program over activation patterns. With exact patterns a closed gap "
      "certifies the best network of any width; with sampled patterns the best one using those "
      "patterns.\n"
      "• t² and a t² + b t + c are degree-2 polynomials: training is a semidefinite program "
      "(no patterns). A closed gap certifies the global optimum of that program, which is "
      "exactly the best network with unit-norm neurons.");
}

QString solver_tip() {
  return ModelPanel::tr(
      "The algorithm that solves the convex program; every choice reports the objective U and a "
      "lower bound L.\n"
      "• ADMM: splits the program into easy steps; the gap certifies the ReLU program itself.\n"
      "• Augmented Lagrangian: same program, same certificate, solved by accelerated "
      "gradient steps with a growing penalty.\n"
      "• Gated ReLU: solves an easier relaxation (neurons switched by fixed gates) with "
      "R-FISTA, then turns it into a ReLU network (cone decomposition). The gap certifies the "
      "relaxation only; the ReLU network's objective is shown separately and may be a little "
      "higher.\n"
      "• SCP (random ReLU features): draws N random hidden neurons, keeps them fixed and "
      "learns only their output weights (a lasso, solved by R-FISTA). Fast and simple; the gap "
      "certifies the best network built from those N neurons only, not the best network "
      "overall.");
}

QString features_tip() {
  return ModelPanel::tr(
      "N, how many random ReLU neurons the SCP solver draws (with the pattern seed). Only their "
      "output weights are trained; the weight decay β switches most of them off. More neurons: "
      "closer to the true optimum, slower iterations.");
}

QString grow_patterns_tip() {
  return ModelPanel::tr(
      "Column generation: after ADMM solves the sampled program, fresh random patterns are "
      "tested against its dual certificate; those that would lower the objective are added and "
      "the program is solved again, until a whole batch finds none. The gap then certifies the "
      "grown sampled program (all patterns it ended with), and the status bar says how many "
      "patterns were added. With the SCP solver the neurons grow instead: each round adds the "
      "ReLU neurons that most lower the objective (found by a search in neuron space) and drops "
      "those the lasso switched off.");
}
QString slide_neurons_tip() {
  return ModelPanel::tr(
      "After the last growing round, L-BFGS moves all neurons at once (first-layer and output "
      "weights) on the network's own objective, then the lasso is solved once more on the moved "
      "neurons. Growing fixes each neuron's direction once it is added; sliding lets the "
      "neurons settle between them. A local descent: the objective only drops, and the gap "
      "afterwards is the lasso's over the moved neurons, not a certificate of the global "
      "optimum.");
}

// Iterations of the final slide: a few seconds at most on the Studio's data sizes.
constexpr int kGuiFinalSlideIterations = 1000;
}  // namespace

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);

  formulation_ = new QComboBox(this);
  formulation_->addItem(tr("Exact (all patterns)"), QStringLiteral("exact"));
  formulation_->addItem(tr("Sampled patterns"), QStringLiteral("sampled"));
  formulation_->setObjectName(QStringLiteral("formulation"));
  formulation_->setToolTip(formulation_tip());
  activation_ = new QComboBox(this);
  activation_->setObjectName(QStringLiteral("activation"));
  activation_->addItem(tr("ReLU  max(0, t)"), QStringLiteral("relu"));
  activation_->addItem(tr("Leaky ReLU  max(t, κt)"), QStringLiteral("leaky-relu"));
  activation_->addItem(tr("Absolute value  |t|"), QStringLiteral("abs"));
  activation_->addItem(tr("Quadratic  t²"), QStringLiteral("quadratic"));
  activation_->addItem(tr("Polynomial  a t² + b t + c"), QStringLiteral("poly2"));
  leaky_slope_ = new QDoubleSpinBox(this);
  leaky_slope_->setObjectName(QStringLiteral("leaky_slope"));
  leaky_slope_->setRange(0.0, 0.99);
  leaky_slope_->setDecimals(3);
  leaky_slope_->setSingleStep(0.01);
  leaky_slope_->setValue(0.1);
  leaky_slope_->setToolTip(tr("κ, the leaky ReLU's slope for negative inputs (0 gives ReLU)."));
  const auto coefficient = [this](const char* name, double value, const QString& tip) {
    auto* box = new QDoubleSpinBox(this);
    box->setObjectName(QLatin1String(name));
    box->setRange(-10.0, 10.0);
    box->setDecimals(3);
    box->setSingleStep(0.01);
    box->setValue(value);
    box->setToolTip(tip);
    return box;
  };
  // 0.09 t² + 0.5 t + 0.47 is the classic least-squares fit of the ReLU on [-4, 4].
  poly_a_ = coefficient("poly_a", 0.09, tr("a, the coefficient of t²."));
  poly_b_ = coefficient("poly_b", 0.5, tr("b, the coefficient of t."));
  poly_c_ = coefficient("poly_c", 0.47, tr("c, the constant term."));
  solver_ = new QComboBox(this);
  solver_->setObjectName(QStringLiteral("solver"));
  solver_->addItem(tr("ADMM"), QStringLiteral("admm"));
  solver_->addItem(tr("Augmented Lagrangian"), QStringLiteral("al"));
  solver_->addItem(tr("Gated ReLU (R-FISTA + cone decomposition)"), QStringLiteral("gated"));
  solver_->addItem(tr("SCP: random ReLU features (lasso)"), QStringLiteral("scp"));
  // Long item texts must not widen the dock: the popup still shows them in full.
  for (QComboBox* box : {activation_, solver_}) {
    box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    box->setMinimumContentsLength(14);
  }
  loss_ = new QComboBox(this);
  loss_->addItem(tr("Squared"), QStringLiteral("squared"));
  loss_->addItem(tr("Hinge"), QStringLiteral("hinge"));
  loss_->addItem(tr("Logistic"), QStringLiteral("logistic"));
  loss_->setToolTip(
      tr("How wrong predictions are penalized: squared ½(f − y)², hinge "
         "max(0, 1 − y f) as in support vector machines, or logistic "
         "log(1 + e^(−y f)) as in logistic regression."));
  patterns_ = new QSpinBox(this);
  patterns_->setObjectName(QStringLiteral("patterns"));
  patterns_->setRange(1, 100000);
  patterns_->setValue(200);
  patterns_->setToolTip(
      tr("P, the number of random activation patterns (candidate neurons) for the "
         "sampled formulation. More patterns: closer to the exact optimum, "
         "slower iterations."));
  features_ = new QSpinBox(this);
  features_->setObjectName(QStringLiteral("features"));
  features_->setRange(1, 100000);
  features_->setValue(RandomFeatureOptions{}.features);
  features_->setSingleStep(100);
  features_->setToolTip(features_tip());
  grow_patterns_ = new QCheckBox(tr("Grow patterns (column generation)"), this);
  grow_patterns_->setObjectName(QStringLiteral("grow_patterns"));
  grow_patterns_->setToolTip(grow_patterns_tip());
  slide_neurons_ = new QCheckBox(tr("Slide the grown neurons (L-BFGS)"), this);
  slide_neurons_->setObjectName(QStringLiteral("slide_neurons"));
  slide_neurons_->setToolTip(slide_neurons_tip());
  beta_ = new LogSlider(1e-5, 10.0, 1e-2, this);
  beta_->setToolTip(
      tr("β, the weight decay. Larger β gives simpler networks with fewer active "
         "neurons and smoother boundaries; smaller β fits the training points "
         "more closely."));
  rho_ = new LogSlider(1e-4, 1e4, 1.0, this);
  rho_->setToolTip(
      tr("ρ, the ADMM penalty. It changes how fast the solver converges, never the "
         "answer. With Auto, ρ is rebalanced from the residuals during the run."));
  rho_auto_ = new QCheckBox(tr("Auto"), this);
  rho_auto_->setChecked(true);
  rho_auto_->setToolTip(tr("Adapt ρ during the run by balancing the primal and dual residuals."));
  epsilon_ = new LogSlider(1e-3, 1.0, 0.05, this);
  epsilon_->setToolTip(
      tr("ε, the radius of adversarial perturbations: an attacker may move each "
         "coordinate of a point by up to ε (in the data's units). Turn on "
         "ε-boxes above the plot to see which points such a move can flip."));
  robust_ = new QCheckBox(tr("Train robustly"), this);
  robust_->setToolTip(
      tr("Adversarial training: the robust convex program makes every neuron keep "
         "its state on each training point's ε-box and minimizes the worst-case "
         "loss over the boxes. The result is certified robust on the training "
         "points; the price is a simpler, more cautious boundary."));
  max_iterations_ = new QSpinBox(this);
  max_iterations_->setRange(1, 10000000);
  max_iterations_->setValue(20000);
  max_iterations_->setSingleStep(1000);
  max_iterations_->setToolTip(
      tr("The solver stops after this many ADMM iterations even when the "
         "gap has not closed."));
  tolerance_ = new ScientificSpinBox(this);
  tolerance_->setRange(1e-12, 1.0);
  tolerance_->setValue(1e-6);
  tolerance_->setToolTip(
      tr("The run stops when the relative gap between the network's objective "
         "U and the lower bound L falls below this: the network is then "
         "provably within this factor of the best possible."));
  standardize_ = new QCheckBox(tr("Standardize features"), this);
  standardize_->setToolTip(
      tr("Shift and scale every feature to mean 0 and standard deviation 1 "
         "before training (stored with the model). Helps when features have "
         "very different units."));

  auto* poly_row = new QWidget(this);
  auto* poly_layout = new QHBoxLayout(poly_row);
  poly_layout->setContentsMargins(0, 0, 0, 0);
  for (QDoubleSpinBox* box : {poly_a_, poly_b_, poly_c_}) poly_layout->addWidget(box, 1);

  auto* rho_row = new QWidget(this);
  auto* rho_layout = new QHBoxLayout(rho_row);
  rho_layout->setContentsMargins(0, 0, 0, 0);
  rho_layout->addWidget(rho_, 1);
  rho_layout->addWidget(rho_auto_);

  form->addRow(tr("Formulation"), formulation_);
  form->addRow(tr("Activation σ"), activation_);
  form->addRow(tr("Leaky slope κ"), leaky_slope_);
  form->addRow(tr("a, b, c"), poly_row);
  form_ = form;
  poly_row_ = poly_row;
  form->addRow(tr("Solver"), solver_);
  form->addRow(tr("Loss"), loss_);
  form->addRow(tr("Patterns P"), patterns_);
  form->addRow(tr("Features N"), features_);
  form->addRow(QString(), grow_patterns_);
  form->addRow(QString(), slide_neurons_);
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
  connect(activation_, &QComboBox::currentIndexChanged, this, changed);
  connect(solver_, &QComboBox::currentIndexChanged, this, changed);
  for (QDoubleSpinBox* box : {leaky_slope_, poly_a_, poly_b_, poly_c_}) {
    connect(box, &QDoubleSpinBox::valueChanged, this, changed);
  }
  connect(patterns_, &QSpinBox::valueChanged, this, changed);
  connect(features_, &QSpinBox::valueChanged, this, changed);
  connect(grow_patterns_, &QCheckBox::toggled, this, changed);
  connect(slide_neurons_, &QCheckBox::toggled, this, changed);
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
  config.seed = seed_;
  config.beta = beta_->value();
  config.standardize = standardize_->isChecked();
  config.admm.rho = rho_->value();
  config.admm.penalty_mode = rho_auto_->isChecked() ? PenaltyMode::kAdaptive : PenaltyMode::kFixed;
  config.epsilon = robust_->isChecked() && robust_->isEnabled() ? epsilon_->value() : 0.0;
  config.activation = selectedActivation();
  // Degree-2 activations are solved by their own semidefinite-program solver.
  config.solver = config.activation.positively_homogeneous() ? selectedSolver() : SolverKind::kAdmm;
  // One iteration limit and gap tolerance for whichever algorithm runs.
  config.set_stopping_rule(max_iterations_->value(), tolerance_->value(), 0.0);
  config.random_features.features = features_->value();
  config.random_features.seed = config.seed;
  config.generate_patterns = grow_patterns_->isChecked() && grow_patterns_->isEnabled();
  // SCP grows neurons: found by the neuron search for ReLU, by random draws otherwise.
  if (config.solver == SolverKind::kRandomFeatures) {
    config.pattern_generation.source = config.activation.kind == ActivationKind::kRelu
                                           ? CandidateSource::kNeuronSearch
                                           : CandidateSource::kRandomDraws;
    config.pattern_generation.batch_size = 20;
    config.pattern_generation.final_slide_iterations =
        slide_neurons_->isChecked() && slide_neurons_->isEnabled() ? kGuiFinalSlideIterations : 0;
  }
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
  const QSignalBlocker block_activation(activation_);
  const QSignalBlocker block_slope(leaky_slope_);
  const QSignalBlocker block_a(poly_a_);
  const QSignalBlocker block_b(poly_b_);
  const QSignalBlocker block_c(poly_c_);
  const QSignalBlocker block_solver(solver_);
  const QSignalBlocker block_features(features_);
  const QSignalBlocker block_grow(grow_patterns_);
  const QSignalBlocker block_slide(slide_neurons_);
  const Activation& activation = config.activation;
  const int activation_index = activation_->findData(QString::fromStdString(activation.name()));
  activation_->setCurrentIndex(activation_index >= 0 ? activation_index : kReluIndex);
  if (activation.kind == ActivationKind::kLeakyRelu) leaky_slope_->setValue(activation.leaky_slope);
  if (activation.kind == ActivationKind::kPolynomial) {
    poly_a_->setValue(activation.a);
    poly_b_->setValue(activation.b);
    poly_c_->setValue(activation.c);
  }
  const int solver_index = solver_->findData(QString::fromLatin1(to_string(config.solver)));
  solver_->setCurrentIndex(solver_index >= 0 ? solver_index : kAdmmIndex);
  formulation_->setCurrentIndex(config.pattern_mode == PatternMode::kExact ? kExactIndex
                                                                           : kSampledIndex);
  loss_->setCurrentIndex(loss_->findData(QString::fromLatin1(to_string(config.loss))));
  patterns_->setValue(config.pattern_samples);
  seed_ = config.seed;
  features_->setValue(config.random_features.features);
  grow_patterns_->setChecked(config.generate_patterns);
  slide_neurons_->setChecked(config.pattern_generation.final_slide_iterations > 0);
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
  exact_reason_ = reason;
  updateEnabledState();
}

Activation ModelPanel::selectedActivation() const {
  switch (activation_->currentIndex()) {
    case kLeakyIndex:
      return Activation::leaky_relu(leaky_slope_->value());
    case kAbsoluteIndex:
      return Activation::absolute();
    case kQuadraticIndex:
      return Activation::quadratic();
    case kPolynomialIndex:
      return Activation::polynomial(poly_a_->value(), poly_b_->value(), poly_c_->value());
    default:
      return Activation::relu();
  }
}

SolverKind ModelPanel::selectedSolver() const {
  switch (solver_->currentIndex()) {
    case kAugmentedLagrangianIndex:
      return SolverKind::kAugmentedLagrangian;
    case kGatedIndex:
      return SolverKind::kGated;
    case kRandomFeaturesIndex:
      return SolverKind::kRandomFeatures;
    default:
      return SolverKind::kAdmm;
  }
}

void ModelPanel::setItemEnabled(QComboBox* box, int index, bool enabled, const QString& reason) {
  auto* model = qobject_cast<QStandardItemModel*>(box->model());
  if (!model) return;
  QStandardItem* item = model->item(index);
  item->setEnabled(enabled);
  item->setToolTip(enabled ? QString() : reason);
}

void ModelPanel::updateEnabledState() {
  // The rules of TrainingConfig::validate, shown before the user runs into them. A control
  // that does not apply is disabled and its tooltip ends with the reason.
  const auto with_reason = [](QWidget* widget, const QString& tip, const QString& reason) {
    widget->setEnabled(reason.isEmpty());
    widget->setToolTip(reason.isEmpty() ? tip : tip + QStringLiteral("\n\n") + reason);
  };
  const int activation = activation_->currentIndex();
  const bool polynomial = activation == kQuadraticIndex || activation == kPolynomialIndex;
  const bool hinge = loss_->currentIndex() == kHingeIndex;
  const bool robust = robust_->isChecked() && robust_->isEnabled();
  const SolverKind solver = polynomial ? SolverKind::kAdmm : selectedSolver();

  const QString no_patterns =
      tr("Not used by degree-2 activations: their semidefinite program needs no activation "
         "patterns.");
  formulation_->setEnabled(!polynomial);
  formulation_->setToolTip(formulation_tip() +
                           (exact_available_ ? QString() : QStringLiteral("\n\n") + exact_reason_) +
                           (polynomial ? QStringLiteral("\n\n") + no_patterns : QString()));
  const bool sampled = formulation_->currentIndex() == kSampledIndex || !exact_available_;
  with_reason(patterns_,
              tr("P, the number of random activation patterns (candidate neurons) for the "
                 "sampled formulation. More patterns: closer to the exact optimum, slower "
                 "iterations."),
              polynomial ? no_patterns
                         : (sampled ? QString()
                                    : tr("Exact patterns: P is the number of all "
                                         "patterns, not a choice.")));
  with_reason(leaky_slope_, tr("κ, the leaky ReLU's slope for negative inputs (0 gives ReLU)."),
              activation == kLeakyIndex ? QString() : tr("Only for the leaky ReLU."));
  for (QDoubleSpinBox* box : {poly_a_, poly_b_, poly_c_}) {
    box->setEnabled(activation == kPolynomialIndex);
  }
  // The coefficient rows only take room when their activation is chosen.
  form_->setRowVisible(leaky_slope_, activation == kLeakyIndex);
  form_->setRowVisible(poly_row_, activation == kPolynomialIndex);

  // Activation choices: robust training needs ReLU; degree-2 programs need a smooth loss.
  const QString robust_needs_relu =
      tr("Robust training (ε > 0) is only available for ReLU: turn off \"Train robustly\".");
  const QString polynomial_needs_smooth =
      tr("The semidefinite program of degree-2 activations needs the squared or logistic loss, "
         "not hinge.");
  for (int index : {kLeakyIndex, kAbsoluteIndex}) {
    setItemEnabled(activation_, index, !robust, robust_needs_relu);
  }
  for (int index : {kQuadraticIndex, kPolynomialIndex}) {
    setItemEnabled(activation_, index, !robust && !hinge,
                   robust ? robust_needs_relu : polynomial_needs_smooth);
  }
  activation_->setToolTip(activation_tip());

  // Solver choices: degree-2 activations have their own solver; al and gated need a smooth loss
  // and the standard (non-robust) program.
  with_reason(solver_, solver_tip(),
              polynomial ? tr("Degree-2 activations are always solved as a semidefinite program "
                              "(accelerated proximal gradient); the gap then certifies that "
                              "program.")
                         : QString());
  const QString solver_reason =
      robust ? tr("Robust training (ε > 0) is solved by ADMM only: turn off \"Train robustly\".")
             : tr("Needs a smooth loss (squared or logistic), not hinge.");
  for (int index : {kAugmentedLagrangianIndex, kGatedIndex, kRandomFeaturesIndex}) {
    setItemEnabled(solver_, index, !robust && !hinge, solver_reason);
  }

  // Loss choices: hinge only with ADMM on a piecewise-linear activation.
  setItemEnabled(loss_, kHingeIndex, solver == SolverKind::kAdmm && !polynomial,
                 polynomial ? polynomial_needs_smooth
                            : tr("The augmented Lagrangian, gated ReLU and SCP solvers need a "
                                 "smooth loss; hinge needs ADMM."));

  // SCP draws its own neurons: N applies to it only; it grows neurons, not patterns.
  const bool scp = solver == SolverKind::kRandomFeatures;
  form_->setRowVisible(features_, scp);
  with_reason(features_, features_tip(), scp ? QString() : tr("Only for the SCP solver."));
  QString grow_reason;
  if (polynomial) {
    grow_reason = no_patterns;
  } else if (solver != SolverKind::kAdmm && !scp) {
    grow_reason = tr("Growing runs around ADMM (patterns) and SCP (neurons) only.");
  } else if (robust) {
    grow_reason = tr("Not available for robust training (ε > 0): turn off \"Train robustly\".");
  } else if (!sampled && !scp) {
    grow_reason = tr("Exact patterns are already all there: nothing to grow.");
  }
  grow_patterns_->setText(scp ? tr("Grow neurons (column generation)")
                              : tr("Grow patterns (column generation)"));
  with_reason(grow_patterns_, grow_patterns_tip(), grow_reason);
  form_->setRowVisible(slide_neurons_, scp);
  with_reason(slide_neurons_, slide_neurons_tip(),
              !grow_reason.isEmpty() || !grow_patterns_->isChecked()
                  ? tr("Slides the neurons that growing found: turn on \"Grow neurons\".")
                  : QString());

  with_reason(rho_,
              tr("ρ, the ADMM penalty. It changes how fast the solver converges, never the "
                 "answer. With Auto, ρ is rebalanced from the residuals during the run."),
              solver == SolverKind::kAdmm && !polynomial
                  ? QString()
                  : tr("Only used by the ADMM solver on piecewise-linear activations."));
  rho_auto_->setEnabled(rho_->isEnabled());

  QString robust_reason;
  if (activation != kReluIndex) {
    robust_reason = tr("Robust training is only available for ReLU activations.");
  } else if (solver != SolverKind::kAdmm) {
    robust_reason = tr("Robust training is solved by ADMM only; choose the ADMM solver.");
  }
  with_reason(robust_,
              tr("Adversarial training: the robust convex program makes every neuron keep "
                 "its state on each training point's ε-box and minimizes the worst-case "
                 "loss over the boxes. The result is certified robust on the training "
                 "points; the price is a simpler, more cautious boundary."),
              robust_reason);
}

}  // namespace convexnn::ui
