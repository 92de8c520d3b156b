#include "convexnn/robust_problem.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "convexnn/errors.h"

namespace convexnn {
namespace {

// log(1 + exp(t)) without overflow.
double softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }

}  // namespace

RobustProblem::RobustProblem(const ConvexProblem& problem, double epsilon)
    : base_(problem), epsilon_(epsilon) {
  // The robust program (science.md 6.2) is derived for ReLU: its worst-case perturbation acts on
  // D_i X, not on the S_i of the other activations.
  if (problem.activation.kind != ActivationKind::kRelu) {
    throw InputError("robust training (epsilon > 0) supports only the relu activation (got '" +
                     problem.activation.name() + "')");
  }
  if (!std::isfinite(epsilon) || epsilon < 0) {
    std::ostringstream message;
    message << "epsilon must be a finite number >= 0 (got " << epsilon << ")";
    throw InputError(message.str());
  }
  const Eigen::Index features = problem.has_bias_column ? problem.dim() - 1 : problem.dim();
  radii_ = Eigen::VectorXd::Constant(features, epsilon);
  if (problem.standardization && problem.standardization->scale.size() == features) {
    radii_ = (epsilon / problem.standardization->scale.array()).transpose();
  }
}

Eigen::MatrixXd RobustProblem::sensitivities(const Eigen::MatrixXd& blocks) const {
  const Eigen::Index P = base_.num_patterns();
  const Eigen::Index features = num_features();
  const Eigen::MatrixXd difference =
      blocks.topLeftCorner(features, P) - blocks.topRightCorner(features, P);
  return base_.patterns.masks * difference.transpose();
}

Eigen::VectorXd RobustProblem::budgets(const Eigen::MatrixXd& blocks) const {
  return sensitivities(blocks).cwiseAbs() * radii_;
}

double robust_sample_loss(LossKind loss, double yhat, double y, double budget) {
  switch (loss) {
    case LossKind::kSquared: {
      const double deviation = std::abs(yhat - y) + budget;
      return 0.5 * deviation * deviation;
    }
    case LossKind::kHinge:
      return std::max(0.0, 1.0 - y * yhat + budget);
    case LossKind::kLogistic:
      return softplus(budget - y * yhat);
  }
  return std::numeric_limits<double>::infinity();
}

Eigen::VectorXd RobustProblem::sample_losses(const Eigen::MatrixXd& blocks) const {
  const Eigen::VectorXd prediction = base_.predict(blocks);
  const Eigen::VectorXd budget = budgets(blocks);
  Eigen::VectorXd losses(prediction.size());
  for (Eigen::Index k = 0; k < prediction.size(); ++k) {
    losses[k] = robust_sample_loss(base_.loss, prediction[k], base_.y[k], budget[k]);
  }
  return losses;
}

double RobustProblem::objective(const Eigen::MatrixXd& blocks) const {
  return sample_losses(blocks).sum() + base_.beta * blocks.colwise().norm().sum();
}

double RobustProblem::max_cone_violation(const Eigen::MatrixXd& blocks) const {
  if (blocks.size() == 0) return 0.0;
  const Eigen::RowVectorXd required =
      radii_.transpose() * blocks.topRows(num_features()).cwiseAbs();
  const Eigen::MatrixXd values = base_.cone_values(blocks);
  return std::max(0.0, (-(values.rowwise() - required)).maxCoeff());
}

}  // namespace convexnn
