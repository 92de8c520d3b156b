#include "convexnn/lbfgs.h"

#include <cmath>
#include <deque>
#include <optional>
#include <vector>

#include "convexnn/solver_clock.h"

namespace convexnn {
namespace {
constexpr double kApproximateWolfeDelta = 0.1;  // Hager & Zhang (2005)
}  // namespace

std::string LbfgsOptions::validate() const {
  if (max_iterations < 0) return "lbfgs.max_iterations must be >= 0";
  if (history < 1) return "lbfgs.history must be at least 1";
  if (!(gradient_tolerance >= 0)) return "lbfgs.gradient_tolerance must be >= 0";
  if (!(sufficient_decrease > 0 && sufficient_decrease < 1))
    return "lbfgs.sufficient_decrease must be in (0, 1)";
  if (!(backtrack_factor > 0 && backtrack_factor < 1))
    return "lbfgs.backtrack_factor must be in (0, 1)";
  if (max_backtracks < 1) return "lbfgs.max_backtracks must be at least 1";
  if (!(max_seconds >= 0) || !std::isfinite(max_seconds))
    return "lbfgs.max_seconds must be a finite number >= 0";
  return "";
}

const char* to_string(LbfgsStatus status) {
  switch (status) {
    case LbfgsStatus::kGradientTolerance:
      return "gradient tolerance";
    case LbfgsStatus::kIterationLimit:
      return "iteration limit";
    case LbfgsStatus::kNoProgress:
      return "no progress";
    case LbfgsStatus::kTimeLimit:
      return "time limit";
    case LbfgsStatus::kCancelled:
      return "cancelled";
    case LbfgsStatus::kInvalidOptions:
      return "invalid options";
  }
  return "unknown";
}

LbfgsResult minimize_lbfgs(const ValueAndGradient& function, Eigen::VectorXd* x,
                           const LbfgsOptions& options, std::stop_token stop,
                           const LbfgsCallback& callback) {
  const SolverClock::time_point start = SolverClock::now();
  LbfgsResult result;
  if (std::string error = options.validate(); !error.empty()) {
    result.status = LbfgsStatus::kInvalidOptions;
    result.message = std::move(error);
    return result;
  }
  Eigen::VectorXd gradient(x->size());
  double value = function(*x, &gradient);
  result.evaluations = 1;
  result.initial_value = value;
  struct Pair {
    Eigen::VectorXd s, y;
    double rho;  // 1 / (y^T s)
  };
  std::deque<Pair> history;
  Eigen::VectorXd direction(x->size()), trial(x->size()), trial_gradient(x->size());
  std::vector<double> alpha;
  double best_value = value;
  std::optional<Eigen::VectorXd> best_x;  // set while the current point is above the best
  result.status = LbfgsStatus::kIterationLimit;
  while (true) {
    result.gradient_norm = gradient.norm();
    if (x->size() == 0 || gradient.lpNorm<Eigen::Infinity>() <= options.gradient_tolerance) {
      result.status = LbfgsStatus::kGradientTolerance;
      break;
    }
    if (result.iterations >= options.max_iterations) break;
    if (stop.stop_requested()) {
      result.status = LbfgsStatus::kCancelled;
      break;
    }
    if (options.max_seconds > 0 && seconds_since(start) >= options.max_seconds) {
      result.status = LbfgsStatus::kTimeLimit;
      break;
    }
    // Two-loop recursion: direction = -H g, H the inverse-Hessian approximation whose initial
    // scaling is s^T y / y^T y of the newest pair (Nocedal & Wright 7.20).
    direction = -gradient;
    alpha.assign(history.size(), 0.0);
    for (std::size_t k = history.size(); k-- > 0;) {
      alpha[k] = history[k].rho * history[k].s.dot(direction);
      direction -= alpha[k] * history[k].y;
    }
    if (!history.empty()) {
      const Pair& newest = history.back();
      direction *= 1.0 / (newest.rho * newest.y.squaredNorm());
    } else {
      // No curvature yet: a first step of length at most 1.
      direction /= std::max(1.0, gradient.norm());
    }
    for (std::size_t k = 0; k < history.size(); ++k) {
      const double beta = history[k].rho * history[k].y.dot(direction);
      direction += (alpha[k] - beta) * history[k].s;
    }
    double slope = gradient.dot(direction);
    if (!(slope < 0)) {  // not a descent direction (curvature pairs gone stale at a kink)
      history.clear();
      direction = -gradient / std::max(1.0, gradient.norm());
      slope = gradient.dot(direction);
    }
    double step = 1.0;
    double trial_value = 0.0;
    bool accepted = false;
    for (int backtrack = 0; backtrack < options.max_backtracks; ++backtrack) {
      trial = *x + step * direction;
      trial_value = function(trial, &trial_gradient);
      ++result.evaluations;
      if (!std::isfinite(trial_value)) {
        step *= options.backtrack_factor;
        continue;
      }
      // Near a minimum the decrease drowns in the rounding of f, and Armijo would backtrack to
      // nothing; there the slope decides (Hager & Zhang's approximate Wolfe condition).
      const bool armijo = trial_value <= value + options.sufficient_decrease * step * slope;
      const bool approximate =
          trial_value <= value + 1e-10 * std::abs(value) &&
          trial_gradient.dot(direction) <= (2 * kApproximateWolfeDelta - 1) * slope;
      if (armijo || approximate) {
        accepted = true;
        break;
      }
      step *= options.backtrack_factor;
    }
    if (!accepted) {
      result.status = LbfgsStatus::kNoProgress;
      break;
    }
    Pair pair{trial - *x, trial_gradient - gradient, 0.0};
    const double curvature = pair.y.dot(pair.s);
    // Only pairs with positive curvature keep H positive definite; ReLU kinks make some negative.
    if (curvature > 1e-10 * pair.s.norm() * pair.y.norm()) {
      pair.rho = 1.0 / curvature;
      history.push_back(std::move(pair));
      if (static_cast<int>(history.size()) > options.history) history.pop_front();
    }
    x->swap(trial);
    gradient.swap(trial_gradient);
    value = trial_value;
    // The approximate condition may accept a rise at the rounding level; the best point returns.
    if (value < best_value) {
      best_value = value;
      best_x.reset();
    } else if (!best_x) {
      best_x = trial;  // trial holds the previous point after the swap
    }
    ++result.iterations;
    if (callback && !callback(result.iterations, value, *x)) {
      result.status = LbfgsStatus::kCancelled;
      break;
    }
  }
  if (best_x && best_value < value) {
    *x = *best_x;
    value = best_value;
  }
  result.value = value;
  return result;
}

}  // namespace convexnn
