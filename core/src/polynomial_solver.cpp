#include "convexnn/solver_summary.h"
#include "convexnn/polynomial_solver.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "convexnn/errors.h"
#include "convexnn/neural_decomposition.h"
#include "convexnn/polynomial_certificate.h"
#include "convexnn/semidefinite_projection.h"
#include "convexnn/solver_clock.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

// Upper bound on l''(yhat), the factor between ||A||^2 and the gradient's Lipschitz constant.
double loss_curvature(LossKind loss) { return loss == LossKind::kLogistic ? 0.25 : 1.0; }

// One of the two programs, seen by R-FISTA as  min f(x) + g(x)  with
// f(x) = l(A x, y) + <linear_gradient, x> smooth and g handled by `prox`. A point x is a matrix:
// W for the nuclear-norm form, [Z; Z'] stacked vertically for the lifted SDP.
class Formulation {
 public:
  explicit Formulation(const PolynomialProblem& problem) : problem_(problem) {}
  virtual ~Formulation() = default;

  virtual Eigen::MatrixXd zero() const = 0;
  virtual Eigen::VectorXd predict(const Eigen::MatrixXd& x) const = 0;
  virtual Eigen::MatrixXd adjoint(const Eigen::VectorXd& r) const = 0;
  // The gradient of the linear part of f (zero for the nuclear-norm form).
  virtual const Eigen::MatrixXd& linear_gradient() const = 0;
  // prox of step * g; `g_value` receives g at the result.
  virtual Eigen::MatrixXd prox(const Eigen::MatrixXd& x, double step, double* g_value) = 0;
  virtual double g(const Eigen::MatrixXd& x) const = 0;
  // A feasible point near x (x itself when it is feasible): the start of a warm-started run.
  virtual Eigen::MatrixXd make_feasible(const Eigen::MatrixXd& x) = 0;
  // |<J, Z>| + |<J, Z'>| for the lifted SDP, 0 for the nuclear-norm form.
  virtual double infeasibility(const Eigen::MatrixXd& x) const = 0;
  virtual TwoLayerNetwork network(const Eigen::MatrixXd& x, double tolerance) const = 0;
  virtual PolynomialDualBound bound(const Eigen::VectorXd& lambda) const = 0;
  virtual void store(const Eigen::MatrixXd& x, PolynomialIterate* iterate) const = 0;
  virtual Eigen::MatrixXd load(const PolynomialIterate& iterate) const = 0;

  double smooth(const Eigen::MatrixXd& x, const Eigen::VectorXd& prediction) const {
    return loss_value(problem_.loss, prediction, problem_.y) +
           linear_gradient().cwiseProduct(x).sum();
  }

  // curvature * ||A||^2 by power iteration on A* A, from A*(1) (a direction the data sees).
  double lipschitz_estimate() const {
    Eigen::MatrixXd x = adjoint(Eigen::VectorXd::Ones(problem_.num_samples()));
    double estimate = 0.0;
    for (int iteration = 0; iteration < 30; ++iteration) {
      const double norm = x.norm();
      if (!(norm > 0) || !std::isfinite(norm)) break;
      x /= norm;
      x = adjoint(predict(x));
      estimate = x.norm();
    }
    return loss_curvature(problem_.loss) * estimate;
  }

 protected:
  const PolynomialProblem& problem_;
};

class NuclearNormFormulation final : public Formulation {
 public:
  using Formulation::Formulation;

  Eigen::MatrixXd zero() const override {
    return Eigen::MatrixXd::Zero(problem_.dim(), problem_.dim());
  }
  Eigen::VectorXd predict(const Eigen::MatrixXd& W) const override {
    return problem_.quadratic_prediction(W);
  }
  Eigen::MatrixXd adjoint(const Eigen::VectorXd& r) const override {
    return problem_.quadratic_adjoint(r);
  }
  const Eigen::MatrixXd& linear_gradient() const override {
    if (zero_.size() == 0) zero_ = zero();
    return zero_;
  }
  Eigen::MatrixXd prox(const Eigen::MatrixXd& W, double step, double* g_value) override {
    // Soft-threshold the eigenvalues (science.md 9.5).
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(W);
    const double threshold = step * problem_.beta;
    const Eigen::VectorXd shrunk = eigen.eigenvalues().unaryExpr([threshold](double value) {
      return std::copysign(std::max(std::abs(value) - threshold, 0.0), value);
    });
    *g_value = problem_.beta * shrunk.cwiseAbs().sum();
    return eigen.eigenvectors() * shrunk.asDiagonal() * eigen.eigenvectors().transpose();
  }
  double g(const Eigen::MatrixXd& W) const override {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(W, Eigen::EigenvaluesOnly);
    return problem_.beta * eigen.eigenvalues().cwiseAbs().sum();
  }
  Eigen::MatrixXd make_feasible(const Eigen::MatrixXd& W) override {
    return 0.5 * (W + W.transpose());
  }
  double infeasibility(const Eigen::MatrixXd&) const override { return 0.0; }
  TwoLayerNetwork network(const Eigen::MatrixXd& W, double tolerance) const override {
    return network_from_quadratic(problem_, W, tolerance);
  }
  PolynomialDualBound bound(const Eigen::VectorXd& lambda) const override {
    return quadratic_dual_bound(problem_, lambda);
  }
  void store(const Eigen::MatrixXd& W, PolynomialIterate* iterate) const override {
    iterate->method = PolynomialMethod::kNuclearNorm;
    iterate->W = W;
    iterate->Z.resize(0, 0);
    iterate->Z_neg.resize(0, 0);
  }
  Eigen::MatrixXd load(const PolynomialIterate& iterate) const override { return iterate.W; }

 private:
  mutable Eigen::MatrixXd zero_;
};

class LiftedFormulation final : public Formulation {
 public:
  LiftedFormulation(const PolynomialProblem& problem, double projection_tolerance)
      : Formulation(problem),
        size_(problem.dim() + 1),
        projection_tolerance_(projection_tolerance) {
    // f includes (beta/2)(tr Z + tr Z'), so its gradient has (beta/2) I in both blocks.
    linear_gradient_ = Eigen::MatrixXd::Zero(2 * size_, size_);
    linear_gradient_.topRows(size_).diagonal().setConstant(0.5 * problem.beta);
    linear_gradient_.bottomRows(size_).diagonal().setConstant(0.5 * problem.beta);
  }

  Eigen::MatrixXd zero() const override { return Eigen::MatrixXd::Zero(2 * size_, size_); }
  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const override {
    return problem_.lifted_prediction(x.topRows(size_) - x.bottomRows(size_));
  }
  Eigen::MatrixXd adjoint(const Eigen::VectorXd& r) const override {
    const Eigen::MatrixXd half = problem_.lifted_adjoint(r);
    Eigen::MatrixXd result(2 * size_, size_);
    result.topRows(size_) = half;
    result.bottomRows(size_) = -half;
    return result;
  }
  const Eigen::MatrixXd& linear_gradient() const override { return linear_gradient_; }
  Eigen::MatrixXd prox(const Eigen::MatrixXd& x, double, double* g_value) override {
    Eigen::MatrixXd result(2 * size_, size_);
    for (int block = 0; block < 2; ++block) {
      const Eigen::MatrixXd Y = x.middleRows(block * size_, size_);
      TraceBalancedProjection projection = project_trace_balanced_psd(
          0.5 * (Y + Y.transpose()), theta_hint_[block], projection_tolerance_);
      theta_hint_[block] = projection.theta;
      result.middleRows(block * size_, size_) = std::move(projection.Z);
    }
    *g_value = 0.0;
    return result;
  }
  double g(const Eigen::MatrixXd&) const override { return 0.0; }
  Eigen::MatrixXd make_feasible(const Eigen::MatrixXd& x) override {
    double unused = 0.0;
    return prox(x, 0.0, &unused);
  }
  double infeasibility(const Eigen::MatrixXd& x) const override {
    const Eigen::MatrixXd J = trace_balance_matrix(size_);
    return std::abs(J.cwiseProduct(x.topRows(size_)).sum()) +
           std::abs(J.cwiseProduct(x.bottomRows(size_)).sum());
  }
  TwoLayerNetwork network(const Eigen::MatrixXd& x, double tolerance) const override {
    return network_from_lifted(problem_, x.topRows(size_), x.bottomRows(size_), tolerance);
  }
  PolynomialDualBound bound(const Eigen::VectorXd& lambda) const override {
    return lifted_dual_bound(problem_, lambda);
  }
  void store(const Eigen::MatrixXd& x, PolynomialIterate* iterate) const override {
    iterate->method = PolynomialMethod::kLiftedSdp;
    iterate->W.resize(0, 0);
    iterate->Z = x.topRows(size_);
    iterate->Z_neg = x.bottomRows(size_);
  }
  Eigen::MatrixXd load(const PolynomialIterate& iterate) const override {
    Eigen::MatrixXd x(2 * size_, size_);
    x.topRows(size_) = iterate.Z;
    x.bottomRows(size_) = iterate.Z_neg;
    return x;
  }

 private:
  Eigen::Index size_;
  double projection_tolerance_;
  Eigen::MatrixXd linear_gradient_;
  double theta_hint_[2] = {0.0, 0.0};
};

class PointView final : public IterateView {
 public:
  PointView(const Formulation& formulation, const Eigen::MatrixXd& x, double tolerance)
      : formulation_(formulation), x_(x), tolerance_(tolerance) {}
  TwoLayerNetwork network() const override { return formulation_.network(x_, tolerance_); }

 private:
  const Formulation& formulation_;
  const Eigen::MatrixXd& x_;
  double tolerance_;
};

class PolynomialRun {
 public:
  PolynomialRun(const PolynomialProblem& problem, const PolynomialSolverOptions& options,
                PolynomialSolution* solution, const SolveContext& context)
      : problem_(problem), options_(options), solution_(*solution), context_(context) {}

  SolverSummary run();

 private:
  // Evaluates U (the recovered network) and L (the dual bound) at x with prediction yhat.
  void certify(const Eigen::MatrixXd& x, const Eigen::VectorXd& prediction);
  IterationReport make_report(std::int64_t iteration, const Eigen::MatrixXd& x,
                              double objective) const;

  const PolynomialProblem& problem_;
  const PolynomialSolverOptions& options_;
  PolynomialSolution& solution_;
  const SolveContext& context_;
  Clock::time_point start_ = Clock::now();
  std::unique_ptr<Formulation> formulation_;
  Eigen::MatrixXd features_;  // X without the bias column: the network's inputs
  double best_upper_ = std::numeric_limits<double>::infinity();
  double best_lower_ = -std::numeric_limits<double>::infinity();
  double last_upper_ = std::numeric_limits<double>::quiet_NaN();
  Eigen::Index last_width_ = 0;
  double primal_residual_ = 0.0;
  double dual_residual_ = std::numeric_limits<double>::quiet_NaN();
};

void PolynomialRun::certify(const Eigen::MatrixXd& x, const Eigen::VectorXd& prediction) {
  const Eigen::VectorXd lambda = loss_gradient(problem_.loss, prediction, problem_.y);
  best_lower_ = std::max(best_lower_, formulation_->bound(lambda).lower_bound);
  TwoLayerNetwork network = formulation_->network(x, options_.decomposition_tolerance);
  last_upper_ = network.objective(features_, problem_.y, problem_.loss, problem_.beta);
  last_width_ = network.width();
  if (last_upper_ < best_upper_) {
    best_upper_ = last_upper_;
    solution_.network = std::move(network);
    formulation_->store(x, &solution_.best);
  }
}

IterationReport PolynomialRun::make_report(std::int64_t iteration, const Eigen::MatrixXd& x,
                                           double objective) const {
  IterationReport report;
  report.iteration = iteration;
  report.convex_objective = objective;
  report.network_objective = last_upper_;
  report.best_network_objective = best_upper_;
  report.lower_bound = best_lower_;
  report.relative_gap = relative_gap(best_upper_, best_lower_);
  report.primal_residual = primal_residual_;
  report.dual_residual = dual_residual_;
  report.rho = std::numeric_limits<double>::quiet_NaN();
  report.active_neurons = last_width_;
  const TwoLayerNetwork network = formulation_->network(x, options_.decomposition_tolerance);
  report.train_accuracy =
      classification_accuracy(network.predict_standardized(features_), problem_.y);
  report.test_accuracy = std::numeric_limits<double>::quiet_NaN();
  if (context_.test_set && context_.test_set->X.rows() > 0) {
    const Eigen::MatrixXd& test = context_.test_set->X;
    const Eigen::MatrixXd test_features =
        problem_.has_bias_column ? Eigen::MatrixXd(test.leftCols(test.cols() - 1)) : test;
    report.test_accuracy =
        classification_accuracy(network.predict_standardized(test_features), context_.test_set->y);
  }
  report.elapsed_seconds = seconds_since(start_);
  return report;
}

SolverSummary PolynomialRun::run() {
  SolverSummary summary;
  summary.semidefinite = true;
  summary.pattern_mode = PatternMode::kExact;  // the program is exact: no patterns are sampled
  if (const std::string error = options_.validate(); !error.empty()) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = error;
    return summary;
  }
  if (const std::string error = problem_.validate(); !error.empty()) throw InputError(error);
  const PolynomialMethod method = resolve_polynomial_method(problem_, options_.method);
  if (method == PolynomialMethod::kNuclearNorm) {
    formulation_ = std::make_unique<NuclearNormFormulation>(problem_);
  } else {
    formulation_ = std::make_unique<LiftedFormulation>(problem_, options_.projection_tolerance);
  }
  features_ = problem_.has_bias_column ? Eigen::MatrixXd(problem_.X.leftCols(problem_.dim() - 1))
                                       : problem_.X;
  Formulation& formulation = *formulation_;

  Eigen::MatrixXd x = formulation.zero();
  double step = options_.initial_step;
  if (solution_.state.matches(problem_, method)) {
    x = formulation.load(solution_.state);
    if (step == 0.0) step = solution_.state.step;
  }
  if (!(step > 0.0)) {
    const double lipschitz = formulation.lipschitz_estimate();
    step = lipschitz > 0 ? 1.0 / lipschitz : 1.0;
  }
  // Start from a feasible point: the warm start may come from another problem.
  x = formulation.make_feasible(x);
  double g_value = formulation.g(x);
  Eigen::VectorXd prediction = formulation.predict(x);
  double f_value = formulation.smooth(x, prediction);
  primal_residual_ = formulation.infeasibility(x);
  certify(x, prediction);
  summary.setup_seconds = seconds_since(start_);

  Eigen::MatrixXd extrapolated = x;
  double momentum = 1.0;
  summary.status = SolverStatus::kIterationLimit;
  std::int64_t iteration = 0;
  bool stop = false;
  std::int64_t last_report = -1;
  while (!stop && iteration < options_.max_iterations) {
    if (context_.stop_token.stop_requested()) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "cancelled";
      break;
    }
    ++iteration;
    const Eigen::VectorXd extrapolated_prediction = formulation.predict(extrapolated);
    const double f_extrapolated = formulation.smooth(extrapolated, extrapolated_prediction);
    const Eigen::MatrixXd gradient =
        formulation.adjoint(loss_gradient(problem_.loss, extrapolated_prediction, problem_.y)) +
        formulation.linear_gradient();
    // Backtracking on the quadratic upper bound (science.md 10.2). The slack absorbs round-off
    // in f once the steps are tiny.
    Eigen::MatrixXd candidate;
    Eigen::MatrixXd difference;
    Eigen::VectorXd candidate_prediction;
    double candidate_f = 0.0;
    double excess = 0.0;
    for (int attempt = 0; attempt < options_.max_backtracks; ++attempt) {
      candidate = formulation.prox(extrapolated - step * gradient, step, &g_value);
      difference = candidate - extrapolated;
      candidate_prediction = formulation.predict(candidate);
      candidate_f = formulation.smooth(candidate, candidate_prediction);
      excess = candidate_f - f_extrapolated - gradient.cwiseProduct(difference).sum();
      const double slack = 1e-13 * std::max(1.0, std::abs(f_extrapolated));
      if (2.0 * step * excess <= difference.squaredNorm() + 2.0 * step * slack) break;
      step *= options_.backtracking_factor;
    }
    if (!candidate.allFinite() || !std::isfinite(candidate_f)) {
      summary.status = SolverStatus::kNumericalFailure;
      summary.message = "non-finite values in the FISTA iterate";
      break;
    }
    dual_residual_ = difference.norm() / step;  // gradient-mapping norm
    const double next_momentum = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * momentum * momentum));
    const bool restart =
        options_.restart && (candidate - x).cwiseProduct(extrapolated - candidate).sum() > 0.0;
    if (restart) {
      extrapolated = candidate;
      momentum = 1.0;
    } else {
      extrapolated = candidate + ((momentum - 1.0) / next_momentum) * (candidate - x);
      momentum = next_momentum;
    }
    if (difference.squaredNorm() > options_.step_growth_threshold * 2.0 * step * excess) {
      step *= options_.step_growth;
    }
    x = std::move(candidate);
    prediction = std::move(candidate_prediction);
    f_value = candidate_f;
    primal_residual_ = formulation.infeasibility(x);

    if (iteration % options_.certificate_interval == 0 || iteration == options_.max_iterations) {
      certify(x, prediction);
      if (relative_gap(best_upper_, best_lower_) <= options_.relative_gap_tolerance) {
        summary.status = SolverStatus::kConverged;
        stop = true;
      }
    }
    if (context_.observer && (iteration % options_.report_every == 0 || stop)) {
      const IterationReport report = make_report(iteration, x, f_value + g_value);
      last_report = iteration;
      if (context_.observer->on_iteration(
              report, PointView(formulation, x, options_.decomposition_tolerance)) ==
          ObserverAction::kStop) {
        summary.status = SolverStatus::kCancelled;
        summary.message = "stopped by the observer";
        stop = true;
      }
    }
    if (!stop && options_.max_seconds > 0 && seconds_since(start_) > options_.max_seconds) {
      summary.message = "time limit reached";
      break;
    }
  }
  if (summary.status != SolverStatus::kConverged &&
      summary.status != SolverStatus::kNumericalFailure) {
    certify(x, prediction);
    if (summary.status == SolverStatus::kIterationLimit &&
        relative_gap(best_upper_, best_lower_) <= options_.relative_gap_tolerance) {
      summary.status = SolverStatus::kConverged;
      summary.message.clear();
    }
  }
  formulation.store(x, &solution_.state);
  solution_.state.step = step;
  solution_.best.step = step;
  if (context_.observer && last_report != iteration) {
    // The final report, unless the loop already sent it for this iteration.
    context_.observer->on_iteration(make_report(iteration, x, f_value + formulation.g(x)),
                                    PointView(formulation, x, options_.decomposition_tolerance));
  }

  summary.iterations = iteration;
  summary.network_objective = best_upper_;
  const Eigen::MatrixXd best = formulation.load(solution_.best);
  summary.convex_objective =
      formulation.smooth(best, formulation.predict(best)) + formulation.g(best);
  summary.lower_bound = best_lower_;
  summary.gap = best_upper_ - best_lower_;
  summary.relative_gap = relative_gap(best_upper_, best_lower_);
  summary.primal_residual = primal_residual_;
  summary.dual_residual = dual_residual_;
  summary.final_rho = 0.0;
  summary.active_neurons = solution_.network.width();
  summary.total_seconds = seconds_since(start_);
  summary.solve_seconds = summary.total_seconds - summary.setup_seconds;
  if (summary.message.empty()) {
    summary.message = summary.status == SolverStatus::kConverged ? "relative gap below tolerance"
                                                                 : "iteration limit reached";
  }
  summary.message += std::string(" (") + to_string(method) + ")";
  return summary;
}

}  // namespace

bool PolynomialIterate::matches(const PolynomialProblem& problem, PolynomialMethod wanted) const {
  if (method != wanted) return false;
  if (wanted == PolynomialMethod::kNuclearNorm) {
    return W.rows() == problem.dim() && W.cols() == problem.dim() && W.allFinite();
  }
  const Eigen::Index size = problem.dim() + 1;
  return Z.rows() == size && Z.cols() == size && Z_neg.rows() == size && Z_neg.cols() == size &&
         Z.allFinite() && Z_neg.allFinite();
}

PolynomialMethod resolve_polynomial_method(const PolynomialProblem& problem,
                                           PolynomialMethod requested) {
  switch (requested) {
    case PolynomialMethod::kAutomatic:
      return problem.purely_quadratic() ? PolynomialMethod::kNuclearNorm
                                        : PolynomialMethod::kLiftedSdp;
    case PolynomialMethod::kNuclearNorm:
      if (!problem.purely_quadratic()) {
        throw InputError(
            "options.method 'nuclear-norm' needs a pure quadratic activation (b = c = 0); use "
            "'lifted-sdp' or 'automatic'");
      }
      return requested;
    case PolynomialMethod::kLiftedSdp:
      return requested;
  }
  return PolynomialMethod::kLiftedSdp;
}

SolverSummary solve_polynomial(const PolynomialProblem& problem,
                               const PolynomialSolverOptions& options, PolynomialSolution* solution,
                               const SolveContext& context) {
  PolynomialRun run(problem, options, solution, context);
  return run.run();
}

}  // namespace convexnn
