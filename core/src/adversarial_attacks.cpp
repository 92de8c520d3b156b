#include "convexnn/adversarial_attacks.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "convexnn/errors.h"
#include "convexnn/local_robustness.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

double sign(double value) { return value > 0 ? 1.0 : (value < 0 ? -1.0 : 0.0); }

// Output and input gradient of the network at one raw point.
struct OutputAndGradient {
  double output = 0.0;
  Eigen::VectorXd gradient;
};

OutputAndGradient evaluate(const TwoLayerNetwork& network, const RawFirstLayer& layer,
                           const Eigen::VectorXd& x) {
  const Eigen::VectorXd pre_activation = layer.weights * x + layer.bias;
  OutputAndGradient result;
  result.output = network.second_bias;
  result.gradient = Eigen::VectorXd::Zero(x.size());
  // Any activation: sigma and sigma' elementwise (sigma'(0) is the left derivative, as in
  // back-propagation).
  const Eigen::VectorXd activations = network.activation.apply(pre_activation).col(0);
  const Eigen::VectorXd slopes = network.activation.derivative(pre_activation).col(0);
  result.output += network.second_weights.dot(activations);
  result.gradient = layer.weights.transpose() * network.second_weights.cwiseProduct(slopes);
  return result;
}

double objective_of_output(double output, double y, const AttackOptions& options) {
  if (options.objective == AttackObjective::kMargin) return -y * output;
  return loss_value(options.loss, Eigen::VectorXd::Constant(1, output),
                    Eigen::VectorXd::Constant(1, y));
}

// d objective / d x = (d objective / d f) grad f.
Eigen::VectorXd objective_gradient(const OutputAndGradient& value, double y,
                                   const AttackOptions& options) {
  double slope = -y;
  if (options.objective == AttackObjective::kLoss) {
    slope = loss_gradient(options.loss, Eigen::VectorXd::Constant(1, value.output),
                          Eigen::VectorXd::Constant(1, y))[0];
  }
  return slope * value.gradient;
}

Eigen::VectorXd clamp_to_box(Eigen::VectorXd x, const std::optional<InputBox>& box) {
  if (box) x = x.cwiseMax(box->lower).cwiseMin(box->upper);
  return x;
}

// Projection onto B_eps(centre) intersected with the box; `centre` is inside the box.
Eigen::VectorXd project(const Eigen::VectorXd& point, const Eigen::VectorXd& centre,
                        const AttackOptions& options) {
  const Eigen::VectorXd in_ball = point.array()
                                      .max(centre.array() - options.epsilon)
                                      .min(centre.array() + options.epsilon)
                                      .matrix();
  return clamp_to_box(in_ball, options.box);
}

void check_inputs(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                  const Eigen::VectorXd& y, const AttackOptions& options) {
  if (const std::string error = options.validate(); !error.empty()) throw InputError(error);
  if (X.cols() != network.input_dim()) {
    throw InputError("the data has " + std::to_string(X.cols()) +
                     " features but the model expects " + std::to_string(network.input_dim()));
  }
  if (y.size() != X.rows()) throw InputError("the number of labels does not match the samples");
}

}  // namespace

const char* to_string(AttackMethod method) {
  switch (method) {
    case AttackMethod::kFgsm:
      return "fgsm";
    case AttackMethod::kPgd:
      return "pgd";
  }
  return "unknown";
}

AttackMethod attack_method_from_string(const std::string& name) {
  if (name == "fgsm") return AttackMethod::kFgsm;
  if (name == "pgd") return AttackMethod::kPgd;
  throw InputError("unknown attack method '" + name + "' (expected fgsm or pgd)");
}

const char* to_string(AttackObjective objective) {
  switch (objective) {
    case AttackObjective::kMargin:
      return "margin";
    case AttackObjective::kLoss:
      return "loss";
  }
  return "unknown";
}

AttackObjective attack_objective_from_string(const std::string& name) {
  if (name == "margin") return AttackObjective::kMargin;
  if (name == "loss") return AttackObjective::kLoss;
  throw InputError("unknown attack objective '" + name + "' (expected margin or loss)");
}

std::string AttackOptions::validate() const {
  std::ostringstream error;
  if (!std::isfinite(epsilon) || epsilon < 0) {
    error << "epsilon must be a finite number >= 0 (got " << epsilon << ")";
  } else if (steps < 1) {
    error << "steps must be at least 1 (got " << steps << ")";
  } else if (!std::isfinite(step_size) || step_size < 0) {
    error << "step_size must be a finite number >= 0 (got " << step_size << ")";
  } else if (box && !(std::isfinite(box->lower) && std::isfinite(box->upper) &&
                      box->lower <= box->upper)) {
    error << "box must have finite bounds with lower <= upper (got [" << box->lower << ", "
          << box->upper << "])";
  }
  return error.str();
}

double AttackOptions::effective_step_size() const {
  return step_size > 0 ? step_size : 2.5 * epsilon / steps;
}

double attack_objective_value(const TwoLayerNetwork& network, const Eigen::VectorXd& x, double y,
                              const AttackOptions& options) {
  const RawFirstLayer layer = raw_first_layer(network);
  return objective_of_output(evaluate(network, layer, x).output, y, options);
}

Eigen::MatrixXd fgsm_attack(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                            const Eigen::VectorXd& y, const AttackOptions& options) {
  check_inputs(network, X, y, options);
  const RawFirstLayer layer = raw_first_layer(network);
  Eigen::MatrixXd adversarial(X.rows(), X.cols());
  for (Eigen::Index k = 0; k < X.rows(); ++k) {
    const Eigen::VectorXd x = clamp_to_box(X.row(k).transpose(), options.box);
    const Eigen::VectorXd gradient = objective_gradient(evaluate(network, layer, x), y[k], options);
    const Eigen::VectorXd step = gradient.unaryExpr([](double g) { return sign(g); });
    adversarial.row(k) = project(x + options.epsilon * step, x, options).transpose();
  }
  return adversarial;
}

Eigen::MatrixXd pgd_attack(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                           const Eigen::VectorXd& y, const AttackOptions& options) {
  check_inputs(network, X, y, options);
  const RawFirstLayer layer = raw_first_layer(network);
  const double step_size = options.effective_step_size();
  Rng rng(options.seed);
  Eigen::MatrixXd adversarial(X.rows(), X.cols());
  for (Eigen::Index k = 0; k < X.rows(); ++k) {
    const Eigen::VectorXd centre = clamp_to_box(X.row(k).transpose(), options.box);
    Eigen::VectorXd x = centre;
    if (options.random_start) {
      for (Eigen::Index i = 0; i < x.size(); ++i)
        x[i] += rng.uniform(-options.epsilon, options.epsilon);
      x = project(x, centre, options);
    }
    OutputAndGradient value = evaluate(network, layer, x);
    Eigen::VectorXd best = x;
    double best_objective = objective_of_output(value.output, y[k], options);
    for (int step = 0; step < options.steps; ++step) {
      const Eigen::VectorXd direction =
          objective_gradient(value, y[k], options).unaryExpr([](double g) { return sign(g); });
      x = project(x + step_size * direction, centre, options);
      value = evaluate(network, layer, x);
      const double objective = objective_of_output(value.output, y[k], options);
      if (objective > best_objective) {
        best_objective = objective;
        best = x;
      }
    }
    adversarial.row(k) = best.transpose();
  }
  return adversarial;
}

Eigen::MatrixXd run_attack(AttackMethod method, const TwoLayerNetwork& network,
                           const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const AttackOptions& options) {
  return method == AttackMethod::kFgsm ? fgsm_attack(network, X, y, options)
                                       : pgd_attack(network, X, y, options);
}

RobustnessMetrics evaluate_robustness(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                                      const Eigen::VectorXd& y, const AttackOptions& options) {
  check_inputs(network, X, y, options);
  RobustnessMetrics metrics;
  metrics.epsilon = options.epsilon;
  metrics.samples = X.rows();
  if (X.rows() == 0) return metrics;
  metrics.clean_accuracy = classification_accuracy(network.predict(X), y);
  metrics.fgsm_accuracy =
      classification_accuracy(network.predict(fgsm_attack(network, X, y, options)), y);
  metrics.pgd_accuracy =
      classification_accuracy(network.predict(pgd_attack(network, X, y, options)), y);
  metrics.certified_accuracy = certified_robust_accuracy(network, X, y, options.epsilon);
  return metrics;
}

}  // namespace convexnn
