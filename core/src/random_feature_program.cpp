#include "convexnn/random_feature_program.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "convexnn/dual_certificate.h"
#include "convexnn/gated_relu.h"
#include "convexnn/random.h"
#include "convexnn/solver_clock.h"
#include "convexnn/solver_summary.h"

namespace convexnn {
namespace {

using Clock = SolverClock;

// l(H alpha, y) for alpha stored as a 1 x N block matrix (one scalar group per feature, so the
// group penalty is the l1 norm).
class FeatureLoss : public SmoothFunction {
 public:
  FeatureLoss(const ConvexProblem& problem, const Eigen::MatrixXd& features)
      : problem_(problem), features_(features) {}
  double value(const Eigen::MatrixXd& weights) const override {
    return loss_value(problem_.loss, features_ * weights.transpose(), problem_.y);
  }
  double value_and_gradient(const Eigen::MatrixXd& weights,
                            Eigen::MatrixXd* gradient) const override {
    const Eigen::VectorXd prediction = features_ * weights.transpose();
    *gradient =
        (features_.transpose() * loss_gradient(problem_.loss, prediction, problem_.y)).transpose();
    return loss_value(problem_.loss, prediction, problem_.y);
  }

 private:
  const ConvexProblem& problem_;
  const Eigen::MatrixXd& features_;
};

class FeatureNetworkView : public IterateView {
 public:
  FeatureNetworkView(const ConvexProblem& problem, const Eigen::MatrixXd& directions,
                     const Eigen::VectorXd& weights)
      : problem_(problem), directions_(directions), weights_(weights) {}
  TwoLayerNetwork network() const override {
    return random_feature_network(problem_, directions_, weights_);
  }

 private:
  const ConvexProblem& problem_;
  const Eigen::MatrixXd& directions_;
  const Eigen::VectorXd& weights_;
};

}  // namespace

std::string RandomFeatureOptions::validate() const {
  if (features < 1) return "random_features.features must be at least 1";
  if (!(relative_gap_tolerance > 0)) return "random_features.relative_gap_tolerance must be > 0";
  if (certificate_interval < 1) return "random_features.certificate_interval must be >= 1";
  if (report_every < 1) return "random_features.report_every must be >= 1";
  if (!(max_seconds >= 0) || !std::isfinite(max_seconds)) {
    return "random_features.max_seconds must be a finite number >= 0";
  }
  if (const std::string error = rfista.validate(); !error.empty())
    return "random_features." + error;
  return "";
}

Eigen::MatrixXd sample_unit_directions(Eigen::Index dim, int count, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd directions(dim, count);
  for (int j = 0; j < count; ++j) {
    double norm = 0.0;
    do {
      for (Eigen::Index i = 0; i < dim; ++i) directions(i, j) = rng.normal();
      norm = directions.col(j).norm();
    } while (!(norm > 0));
    directions.col(j) /= norm;
  }
  return directions;
}

TwoLayerNetwork random_feature_network(const ConvexProblem& problem,
                                       const Eigen::MatrixXd& directions,
                                       const Eigen::VectorXd& weights) {
  const Eigen::Index dim = problem.dim();
  const Eigen::Index input_dim = problem.has_bias_column ? dim - 1 : dim;
  const auto width = static_cast<Eigen::Index>((weights.array() != 0.0).count());
  TwoLayerNetwork network;
  network.first_weights.resize(width, input_dim);
  network.first_bias = Eigen::VectorXd::Zero(width);
  network.second_weights.resize(width);
  network.standardization = problem.standardization;
  network.activation = problem.activation;
  Eigen::Index j = 0;
  for (Eigen::Index k = 0; k < weights.size(); ++k) {
    if (weights[k] == 0.0) continue;
    const double root = std::sqrt(std::abs(weights[k]));
    const Eigen::VectorXd neuron = root * directions.col(k);
    network.first_weights.row(j) = neuron.head(input_dim).transpose();
    if (problem.has_bias_column) network.first_bias[j] = neuron[dim - 1];
    network.second_weights[j] = weights[k] > 0 ? root : -root;
    ++j;
  }
  return network;
}

SolverSummary solve_random_features(const ConvexProblem& problem,
                                    const RandomFeatureOptions& options,
                                    RandomFeatureSolution* solution, const SolveContext& context) {
  const Clock::time_point start = Clock::now();
  SolverSummary summary;
  summary.solver = SolverKind::kRandomFeatures;
  summary.num_patterns = options.features;
  summary.pattern_mode = PatternMode::kSampled;
  auto invalid = [&](const std::string& message) {
    summary.status = SolverStatus::kInvalidOptions;
    summary.message = message;
    return summary;
  };
  if (const std::string error = options.validate(); !error.empty()) return invalid(error);
  if (const std::string error = smooth_loss_error(problem.loss, "random-feature (SCP)");
      !error.empty()) {
    return invalid(error);
  }
  if (!problem.activation.positively_homogeneous()) {
    return invalid("activation '" + problem.activation.name() +
                   "' is not positively homogeneous; random features need relu, leaky-relu or abs");
  }
  if (problem.num_samples() == 0) return invalid("the problem has no samples");

  const Eigen::Index N = options.features;
  if (solution->directions.rows() != problem.dim() || solution->directions.cols() != N) {
    solution->directions = sample_unit_directions(problem.dim(), options.features, options.seed);
    solution->state = RFistaState{};
  }
  const Eigen::MatrixXd features = problem.activation.apply(problem.X * solution->directions);
  const FeatureLoss smooth(problem, features);
  Eigen::MatrixXd test_features;
  if (context.test_set && context.test_set->X.rows() > 0) {
    test_features = problem.activation.apply(context.test_set->X * solution->directions);
  }

  double best_upper = std::numeric_limits<double>::infinity();
  double best_lower = -std::numeric_limits<double>::infinity();
  solution->weights = Eigen::VectorXd::Zero(N);
  auto certify = [&](const Eigen::VectorXd& weights, const Eigen::VectorXd& prediction) {
    const double upper =
        loss_value(problem.loss, prediction, problem.y) + problem.beta * weights.lpNorm<1>();
    if (upper < best_upper) {
      best_upper = upper;
      solution->weights = weights;
    }
    const Eigen::VectorXd lambda = dual_candidate(problem, prediction, nullptr);
    const double max_constraint = (features.transpose() * lambda).lpNorm<Eigen::Infinity>();
    best_lower =
        std::max(best_lower, best_scaled_dual_value(problem, lambda, max_constraint).lower_bound);
  };
  auto converged = [&] {
    return relative_gap(best_upper, best_lower) <= options.relative_gap_tolerance;
  };
  auto make_report = [&](std::int64_t iteration, const Eigen::VectorXd& weights,
                         const Eigen::VectorXd& prediction, double subgradient_squared,
                         double step) {
    IterationReport report;
    report.iteration = iteration;
    report.convex_objective =
        loss_value(problem.loss, prediction, problem.y) + problem.beta * weights.lpNorm<1>();
    report.network_objective = report.convex_objective;
    report.best_network_objective = std::min(best_upper, report.convex_objective);
    report.lower_bound = best_lower;
    report.relative_gap = relative_gap(report.best_network_objective, best_lower);
    report.primal_residual = 0.0;  // no constraints
    report.dual_residual = std::sqrt(subgradient_squared);
    report.rho = step;
    report.active_neurons = (weights.array() != 0.0).count();
    report.train_accuracy = classification_accuracy(prediction, problem.y);
    report.test_accuracy =
        test_features.size() > 0
            ? classification_accuracy(test_features * weights, context.test_set->y)
            : std::numeric_limits<double>::quiet_NaN();
    report.elapsed_seconds = seconds_since(start);
    return report;
  };

  RFistaState& state = solution->state;
  if (!state.matches(1, N)) state = RFistaState{};
  {
    const Eigen::VectorXd initial = state.matches(1, N)
                                        ? Eigen::VectorXd(state.iterate.row(0).transpose())
                                        : Eigen::VectorXd::Zero(N);
    certify(initial, features * initial);
  }
  summary.setup_seconds = seconds_since(start);

  bool cancelled_by_observer = false;
  bool time_limit = false;
  bool certified = converged();
  std::int64_t last_reported = -1;
  const RFistaCallback callback = [&](const RFistaProgress& progress) {
    const bool certify_now = progress.iteration % options.certificate_interval == 0;
    const bool report_now = context.observer && progress.iteration % options.report_every == 0;
    if (certify_now || report_now) {
      const Eigen::VectorXd weights = progress.iterate.row(0).transpose();
      const Eigen::VectorXd prediction = features * weights;
      if (certify_now) {
        certify(weights, prediction);
        certified = converged();
      }
      if (report_now || (certified && context.observer)) {
        last_reported = progress.iteration;
        const IterationReport report =
            make_report(progress.iteration, weights, prediction, progress.subgradient_norm_squared,
                        progress.step);
        if (context.observer->on_iteration(
                report, FeatureNetworkView(problem, solution->directions, weights)) ==
            ObserverAction::kStop) {
          cancelled_by_observer = true;
          return false;
        }
      }
    }
    if (certified) return false;
    if (options.max_seconds > 0 && seconds_since(start) > options.max_seconds) {
      time_limit = true;
      return false;
    }
    return true;
  };
  RFistaResult result;
  if (!certified) {
    result = minimize_group_lasso(smooth, problem.beta, 1, N, options.rfista, &state,
                                  context.stop_token, callback);
  } else {
    result.stop = RFistaStop::kCallback;
    if (state.iterate.size() == 0) state.iterate = Eigen::MatrixXd::Zero(1, N);
  }
  const Eigen::VectorXd final_weights = state.iterate.row(0).transpose();
  const Eigen::VectorXd final_prediction = features * final_weights;
  certify(final_weights, final_prediction);
  certified = converged();

  set_rfista_status(result, cancelled_by_observer, certified, time_limit, &summary);
  if (context.observer && !cancelled_by_observer && last_reported != result.iterations) {
    const IterationReport report = make_report(result.iterations, final_weights, final_prediction,
                                               result.subgradient_norm_squared, state.step);
    if (context.observer->on_iteration(
            report, FeatureNetworkView(problem, solution->directions, final_weights)) ==
            ObserverAction::kStop &&
        summary.status != SolverStatus::kConverged) {
      summary.status = SolverStatus::kCancelled;
      summary.message = "stopped by the observer";
    }
  }
  summary.iterations = result.iterations;
  summary.network_objective = best_upper;
  summary.convex_objective = best_upper;
  summary.lower_bound = best_lower;
  summary.gap = best_upper - best_lower;
  summary.relative_gap = relative_gap(best_upper, best_lower);
  summary.dual_residual = std::sqrt(result.subgradient_norm_squared);
  summary.final_rho = state.step;
  summary.active_neurons = (solution->weights.array() != 0.0).count();
  summary.total_seconds = seconds_since(start);
  summary.solve_seconds = summary.total_seconds - summary.setup_seconds;
  return summary;
}

}  // namespace convexnn
