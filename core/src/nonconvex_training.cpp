#include "convexnn/nonconvex_training.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "convexnn/errors.h"
#include "convexnn/network_gradient.h"
#include "convexnn/random.h"
#include "convexnn/solver_clock.h"

namespace convexnn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

class ParametersView : public IterateView {
 public:
  ParametersView(const ReluNetworkParameters& parameters,
                 const std::optional<Standardization>& standardization)
      : parameters_(parameters), standardization_(standardization) {}
  TwoLayerNetwork network() const override { return to_network(parameters_, standardization_); }

 private:
  const ReluNetworkParameters& parameters_;
  const std::optional<Standardization>& standardization_;
};

// Moment estimates of one optimizer for all parameters.
struct OptimizerState {
  ReluNetworkParameters first_moment;   // SGD velocity or Adam m
  ReluNetworkParameters second_moment;  // Adam v
  std::int64_t steps = 0;
};

ReluNetworkParameters zeros_like(const ReluNetworkParameters& parameters) {
  return {Eigen::MatrixXd::Zero(parameters.hidden.rows(), parameters.hidden.cols()),
          Eigen::VectorXd::Zero(parameters.output.size()), parameters.activation};
}

void sgd_step(const NonconvexOptions& options, const ReluNetworkParameters& gradient,
              OptimizerState& state, ReluNetworkParameters& parameters) {
  ReluNetworkParameters& velocity = state.first_moment;
  velocity.hidden = options.momentum * velocity.hidden + gradient.hidden;
  velocity.output = options.momentum * velocity.output + gradient.output;
  parameters.hidden -= options.learning_rate * velocity.hidden;
  parameters.output -= options.learning_rate * velocity.output;
}

template <typename Parameter, typename Moment>
void adam_update(const NonconvexOptions& options, double step_size, const Moment& gradient,
                 Moment& first, Moment& second, Parameter& parameter) {
  first = options.adam_beta1 * first + (1.0 - options.adam_beta1) * gradient;
  second = options.adam_beta2 * second + (1.0 - options.adam_beta2) * gradient.cwiseAbs2();
  parameter.array() -= step_size * first.array() / (second.array().sqrt() + options.adam_epsilon);
}

void adam_step(const NonconvexOptions& options, const ReluNetworkParameters& gradient,
               OptimizerState& state, ReluNetworkParameters& parameters) {
  ++state.steps;
  const double t = static_cast<double>(state.steps);
  // Bias correction folded into the step size; epsilon then acts on the uncorrected moment, a
  // harmless difference from the paper at epsilon = 1e-8.
  const double step_size = options.learning_rate *
                           std::sqrt(1.0 - std::pow(options.adam_beta2, t)) /
                           (1.0 - std::pow(options.adam_beta1, t));
  adam_update(options, step_size, gradient.hidden, state.first_moment.hidden,
              state.second_moment.hidden, parameters.hidden);
  adam_update(options, step_size, gradient.output, state.first_moment.output,
              state.second_moment.output, parameters.output);
}

ReluNetworkParameters initial_parameters(const NonconvexOptions& options, Eigen::Index input_dim,
                                         bool has_bias, Rng& rng) {
  ReluNetworkParameters parameters;
  parameters.hidden.resize(options.width, input_dim + 1);
  parameters.output.resize(options.width);
  const double hidden_scale =
      options.init_scale * std::sqrt(2.0 / static_cast<double>(input_dim + 1));
  const double output_scale = options.init_scale / std::sqrt(static_cast<double>(options.width));
  for (Eigen::Index j = 0; j < parameters.hidden.rows(); ++j) {
    for (Eigen::Index c = 0; c < parameters.hidden.cols(); ++c) {
      parameters.hidden(j, c) = hidden_scale * rng.normal();
    }
    if (!has_bias) parameters.hidden(j, input_dim) = 0.0;
  }
  for (Eigen::Index j = 0; j < parameters.output.size(); ++j) {
    parameters.output[j] = output_scale * rng.normal();
  }
  return parameters;
}

// Objective, accuracy and dead neurons of the current parameters on the full training set.
struct Evaluation {
  double objective = kNaN;
  double train_accuracy = 0.0;
  std::int64_t dead_neurons = 0;
};

// One pass over the training set; with `gradient`, also the full-batch gradient of the step's
// objective (loss mean, weight decay beta / n), which comes almost for free with the forward pass.
Evaluation evaluate(const ReluNetworkParameters& parameters, const Eigen::MatrixXd& inputs,
                    const ConvexProblem& problem, ReluNetworkParameters* gradient,
                    NetworkPassWorkspace* workspace) {
  const double n = static_cast<double>(inputs.rows());
  const NetworkPass pass = network_pass(parameters, inputs, problem.y, problem.loss, 1.0 / n,
                                        problem.beta / n, gradient, workspace);
  Evaluation evaluation;
  evaluation.objective = pass.loss + 0.5 * problem.beta * parameters.squared_norm();
  evaluation.train_accuracy = classification_accuracy(pass.output, problem.y);
  evaluation.dead_neurons = pass.dead_neurons;
  return evaluation;
}

bool all_finite(const ReluNetworkParameters& parameters) {
  return parameters.hidden.allFinite() && parameters.output.allFinite();
}

}  // namespace

const char* to_string(NonconvexOptimizer optimizer) {
  switch (optimizer) {
    case NonconvexOptimizer::kSgd:
      return "sgd";
    case NonconvexOptimizer::kAdam:
      return "adam";
  }
  return "unknown";
}

NonconvexOptimizer nonconvex_optimizer_from_string(const std::string& name) {
  if (name == "sgd") return NonconvexOptimizer::kSgd;
  if (name == "adam") return NonconvexOptimizer::kAdam;
  throw InputError("unknown optimizer '" + name + "' (expected sgd or adam)");
}

const char* to_string(NonconvexStatus status) {
  switch (status) {
    case NonconvexStatus::kCompleted:
      return "completed";
    case NonconvexStatus::kCancelled:
      return "cancelled";
    case NonconvexStatus::kDiverged:
      return "diverged";
  }
  return "unknown";
}

std::string NonconvexOptions::validate() const {
  std::ostringstream error;
  const auto finite_positive = [](double value) { return std::isfinite(value) && value > 0; };
  if (!finite_positive(learning_rate)) {
    error << "learning_rate must be a positive number (got " << learning_rate << ")";
  } else if (!(momentum >= 0 && momentum < 1)) {
    error << "momentum must lie in [0, 1) (got " << momentum << ")";
  } else if (!(adam_beta1 >= 0 && adam_beta1 < 1)) {
    error << "adam_beta1 must lie in [0, 1) (got " << adam_beta1 << ")";
  } else if (!(adam_beta2 >= 0 && adam_beta2 < 1)) {
    error << "adam_beta2 must lie in [0, 1) (got " << adam_beta2 << ")";
  } else if (!finite_positive(adam_epsilon)) {
    error << "adam_epsilon must be a positive number (got " << adam_epsilon << ")";
  } else if (epochs < 1) {
    error << "epochs must be at least 1 (got " << epochs << ")";
  } else if (batch_size < 0) {
    error << "batch_size must be 0 (full batch) or positive (got " << batch_size << ")";
  } else if (width < 1) {
    error << "width must be at least 1 (got " << width << ")";
  } else if (!finite_positive(init_scale)) {
    error << "init_scale must be a positive number (got " << init_scale << ")";
  } else if (report_every < 1) {
    error << "report_every must be at least 1 (got " << report_every << ")";
  }
  return error.str();
}

NonconvexResult train_nonconvex(const PreparedProblem& prepared, const NonconvexOptions& options,
                                SolverObserver* observer, std::stop_token stop) {
  if (const std::string error = options.validate(); !error.empty()) throw InputError(error);
  const ConvexProblem& problem = prepared.problem;
  if (problem.num_samples() == 0) throw InputError("the training set is empty");
  const SolverClock::time_point start_time = SolverClock::now();
  const auto elapsed = [&] { return seconds_since(start_time); };

  // Without a bias column the bias multiplies a zero column: it starts at 0 and, having only
  // weight decay as gradient, stays there, so the network matches the convex model.
  Eigen::MatrixXd inputs = problem.X;
  Eigen::MatrixXd test_inputs;
  if (!problem.has_bias_column) {
    inputs.conservativeResize(Eigen::NoChange, inputs.cols() + 1);
    inputs.col(inputs.cols() - 1).setZero();
  }
  const bool has_test = prepared.test_set && prepared.test_set->X.rows() > 0;
  if (has_test) {
    test_inputs = prepared.test_set->X;
    if (!problem.has_bias_column) {
      test_inputs.conservativeResize(Eigen::NoChange, test_inputs.cols() + 1);
      test_inputs.col(test_inputs.cols() - 1).setZero();
    }
  }
  const Eigen::Index n = inputs.rows();
  const Eigen::Index input_dim = inputs.cols() - 1;
  const Eigen::Index batch_size =
      options.batch_size == 0 ? n : std::min<Eigen::Index>(options.batch_size, n);

  NonconvexResult result;
  result.seed = options.seed;
  Rng rng(options.seed);
  // The baseline trains the problem's activation, so compare pits like against like.
  require_piecewise_linear(problem.activation, "non-convex training");
  ReluNetworkParameters parameters =
      initial_parameters(options, input_dim, problem.has_bias_column, rng);
  parameters.activation = problem.activation;
  OptimizerState state{zeros_like(parameters), zeros_like(parameters), 0};
  const ParametersView view(parameters, problem.standardization);

  // Full batch: each epoch's evaluation pass also yields the gradient for the next step.
  const bool full_batch = batch_size == n;
  NetworkPassWorkspace workspace;
  ReluNetworkParameters gradient;
  Evaluation evaluation =
      evaluate(parameters, inputs, problem, full_batch ? &gradient : nullptr, &workspace);
  result.objective_history.reserve(static_cast<std::size_t>(options.epochs) + 1);
  result.objective_history.push_back(evaluation.objective);
  double best_objective = evaluation.objective;

  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  for (Eigen::Index k = 0; k < n; ++k) order[static_cast<std::size_t>(k)] = k;
  Eigen::MatrixXd batch_inputs;
  Eigen::VectorXd batch_labels;
  // Steps minimize objective / n: the loss term is a batch mean and weight decay is beta / n.
  const double regularization_weight = problem.beta / static_cast<double>(n);

  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    if (stop.stop_requested()) {
      result.status = NonconvexStatus::kCancelled;
      break;
    }
    const ReluNetworkParameters epoch_start = parameters;
    if (batch_size < n) {
      // Fisher-Yates with our own generator, so the batches are the same on every platform.
      for (std::size_t k = order.size() - 1; k > 0; --k) {
        std::swap(order[k], order[static_cast<std::size_t>(rng.below(k + 1))]);
      }
    }
    for (Eigen::Index begin = 0; begin < n; begin += batch_size) {
      if (!full_batch) {
        const Eigen::Index size = std::min(batch_size, n - begin);
        batch_inputs.resize(size, inputs.cols());
        batch_labels.resize(size);
        for (Eigen::Index k = 0; k < size; ++k) {
          const Eigen::Index row = order[static_cast<std::size_t>(begin + k)];
          batch_inputs.row(k) = inputs.row(row);
          batch_labels[k] = problem.y[row];
        }
        network_pass(parameters, batch_inputs, batch_labels, problem.loss,
                     1.0 / static_cast<double>(size), regularization_weight, &gradient, &workspace);
      }
      if (options.optimizer == NonconvexOptimizer::kSgd) {
        sgd_step(options, gradient, state, parameters);
      } else {
        adam_step(options, gradient, state, parameters);
      }
    }

    evaluation =
        evaluate(parameters, inputs, problem, full_batch ? &gradient : nullptr, &workspace);
    if (!all_finite(parameters) || !std::isfinite(evaluation.objective)) {
      parameters = epoch_start;
      evaluation = evaluate(parameters, inputs, problem, nullptr, &workspace);
      result.status = NonconvexStatus::kDiverged;
      break;
    }
    result.objective_history.push_back(evaluation.objective);
    result.epochs_completed = epoch;
    best_objective = std::min(best_objective, evaluation.objective);

    if (observer && (epoch % options.report_every == 0 || epoch == options.epochs)) {
      IterationReport report = network_only_report(epoch, evaluation.objective, best_objective);
      report.active_neurons = options.width - evaluation.dead_neurons;
      report.train_accuracy = evaluation.train_accuracy;
      report.test_accuracy = has_test
                                 ? classification_accuracy(network_output(parameters, test_inputs),
                                                           prepared.test_set->y)
                                 : kNaN;
      report.elapsed_seconds = elapsed();
      if (observer->on_iteration(report, view) == ObserverAction::kStop) {
        result.status = NonconvexStatus::kCancelled;
        break;
      }
    }
  }

  result.network = to_network(parameters, problem.standardization);
  result.objective = evaluation.objective;
  result.dead_neurons = evaluation.dead_neurons;
  result.train_accuracy = evaluation.train_accuracy;
  if (has_test) {
    result.test_accuracy =
        classification_accuracy(network_output(parameters, test_inputs), prepared.test_set->y);
  }
  result.seconds = elapsed();
  return result;
}

std::vector<NonconvexResult> train_nonconvex_seeds(const PreparedProblem& prepared,
                                                   const NonconvexOptions& options,
                                                   const std::vector<std::uint64_t>& seeds,
                                                   const std::vector<SolverObserver*>& observers,
                                                   std::stop_token stop) {
  if (const std::string error = options.validate(); !error.empty()) throw InputError(error);
  if (!observers.empty() && observers.size() != seeds.size()) {
    throw InputError("observers: expected none or one per seed (got " +
                     std::to_string(observers.size()) + " for " + std::to_string(seeds.size()) +
                     " seeds)");
  }
  std::vector<NonconvexResult> results(seeds.size());
  // One run per task: runs share only read-only data, and each has its own generator, so the
  // schedule cannot change any result.
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, seeds.size(), 1), [&](const auto& range) {
    for (std::size_t run = range.begin(); run != range.end(); ++run) {
      NonconvexOptions run_options = options;
      run_options.seed = seeds[run];
      results[run] = train_nonconvex(prepared, run_options,
                                     observers.empty() ? nullptr : observers[run], stop);
    }
  });
  return results;
}

}  // namespace convexnn
