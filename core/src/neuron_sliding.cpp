#include "convexnn/neuron_sliding.h"

#include <cmath>
#include <vector>

#include "convexnn/loss.h"

namespace convexnn {
namespace {

double lasso_objective(const ConvexProblem& problem, const Eigen::MatrixXd& directions,
                       const Eigen::VectorXd& weights) {
  const Eigen::VectorXd prediction = problem.activation.apply(problem.X * directions) * weights;
  return loss_value(problem.loss, prediction, problem.y) + problem.beta * weights.lpNorm<1>();
}

}  // namespace

void to_unit_directions(const ReluNetworkParameters& network, Eigen::MatrixXd* directions,
                        Eigen::VectorXd* weights) {
  const Eigen::Index m = network.width();
  Eigen::MatrixXd unit(network.hidden.cols(), m);
  Eigen::VectorXd alpha(m);
  Eigen::Index kept = 0;
  for (Eigen::Index j = 0; j < m; ++j) {
    const double norm = network.hidden.row(j).norm();
    const double weight = network.output[j] * norm;
    if (!(norm > 0) || weight == 0.0) continue;
    unit.col(kept) = network.hidden.row(j).transpose() / norm;
    alpha[kept] = weight;
    ++kept;
  }
  *directions = unit.leftCols(kept);
  *weights = alpha.head(kept);
}

NeuronSlideResult slide_neurons(const ConvexProblem& problem, Eigen::MatrixXd* directions,
                                Eigen::VectorXd* weights, const LbfgsOptions& options,
                                std::stop_token stop, const SlideProgress& progress) {
  NeuronSlideResult result;
  result.objective_before = lasso_objective(problem, *directions, *weights);
  // The balanced network: row j of `hidden` is sqrt|a_j| u_j, output sign(a_j) sqrt|a_j|.
  std::vector<Eigen::Index> used;
  for (Eigen::Index j = 0; j < weights->size(); ++j)
    if ((*weights)[j] != 0.0) used.push_back(j);
  const auto m = static_cast<Eigen::Index>(used.size());
  const Eigen::Index dim = problem.dim();
  if (m == 0) {  // the zero network: nothing to move
    result.lbfgs.status = LbfgsStatus::kGradientTolerance;
    result.lbfgs.initial_value = result.lbfgs.value = result.objective_before;
    result.objective_after = result.objective_before;
    *directions = Eigen::MatrixXd(dim, 0);
    *weights = Eigen::VectorXd(0);
    return result;
  }
  ReluNetworkParameters network;
  network.activation = problem.activation;
  network.hidden.resize(m, dim);
  network.output.resize(m);
  for (Eigen::Index t = 0; t < m; ++t) {
    const double alpha = (*weights)[used[static_cast<std::size_t>(t)]];
    const double root = std::sqrt(std::abs(alpha));
    network.hidden.row(t) = root * directions->col(used[static_cast<std::size_t>(t)]).transpose();
    network.output[t] = alpha > 0 ? root : -root;
  }
  // x = [vec(hidden) (column-major), output].
  const Eigen::Index hidden_size = m * dim;
  Eigen::VectorXd x(hidden_size + m);
  x.head(hidden_size) = Eigen::Map<const Eigen::VectorXd>(network.hidden.data(), hidden_size);
  x.tail(m) = network.output;
  ReluNetworkParameters gradient;
  NetworkPassWorkspace workspace;
  const ValueAndGradient objective = [&](const Eigen::VectorXd& point, Eigen::VectorXd* g) {
    network.hidden = Eigen::Map<const Eigen::MatrixXd>(point.data(), m, dim);
    network.output = point.tail(m);
    const NetworkPass pass = network_pass(network, problem.X, problem.y, problem.loss, 1.0,
                                          problem.beta, &gradient, &workspace);
    g->head(hidden_size) = Eigen::Map<const Eigen::VectorXd>(gradient.hidden.data(), hidden_size);
    g->tail(m) = gradient.output;
    return pass.loss + 0.5 * problem.beta * network.squared_norm();
  };
  LbfgsCallback callback;
  if (progress) {
    callback = [&](int iteration, double value, const Eigen::VectorXd& point) {
      ReluNetworkParameters at;
      at.activation = problem.activation;
      at.hidden = Eigen::Map<const Eigen::MatrixXd>(point.data(), m, dim);
      at.output = point.tail(m);
      return progress(iteration, value, at);
    };
  }
  result.lbfgs = minimize_lbfgs(objective, &x, options, stop, callback);

  // Back to unit directions: AM-GM, beta |v_j| ||w_j|| <= the neuron's weight decay
  // beta / 2 (||w_j||^2 + v_j^2), so the lasso objective is at most the network's.
  network.hidden = Eigen::Map<const Eigen::MatrixXd>(x.data(), m, dim);
  network.output = x.tail(m);
  to_unit_directions(network, directions, weights);
  result.objective_after = lasso_objective(problem, *directions, *weights);
  return result;
}

}  // namespace convexnn
