#pragma once
// Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, Algorithms 7.4 and 7.5) with a
// backtracking Armijo line search, for smooth or piecewise-smooth objectives of a vector. Used to
// slide the neurons of a network between the lasso solves of neuron generation (a local move on
// the non-convex objective; the convex steps around it keep the global view).
#include <Eigen/Dense>
#include <functional>
#include <stop_token>
#include <string>

namespace convexnn {

struct LbfgsOptions {
  int max_iterations = 100;
  int history = 10;  // pairs (s, y) kept
  // Stop when the gradient's largest entry is at most this.
  double gradient_tolerance = 1e-10;
  double sufficient_decrease = 1e-4;  // Armijo: f(x + t p) <= f(x) + c t g^T p
  double backtrack_factor = 0.5;
  int max_backtracks = 40;   // then the iteration stops with kNoProgress
  double max_seconds = 0.0;  // 0: no limit

  std::string validate() const;  // names the field
};

enum class LbfgsStatus {
  kGradientTolerance,  // first-order point within gradient_tolerance
  kIterationLimit,
  kNoProgress,  // the line search found no decrease (a kink, or rounding at a minimum)
  kTimeLimit,
  kCancelled,  // stop token
  kInvalidOptions,
};

const char* to_string(LbfgsStatus status);

struct LbfgsResult {
  LbfgsStatus status = LbfgsStatus::kIterationLimit;
  int iterations = 0;
  int evaluations = 0;  // of the objective (each with its gradient)
  double initial_value = 0.0;
  double value = 0.0;  // at the returned x, never above initial_value
  double gradient_norm = 0.0;
  std::string message;  // for kInvalidOptions
};

// f(x); writes the gradient into *gradient (already sized like x).
using ValueAndGradient = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd* gradient)>;

// Called after every iteration with its number (from 1), value and point; returning false
// stops the run (status kCancelled).
using LbfgsCallback = std::function<bool(int iteration, double value, const Eigen::VectorXd& x)>;

// Minimizes from *x and leaves the best point found in *x. The stop token is checked every
// iteration.
LbfgsResult minimize_lbfgs(const ValueAndGradient& function, Eigen::VectorXd* x,
                           const LbfgsOptions& options, std::stop_token stop = {},
                           const LbfgsCallback& callback = {});

}  // namespace convexnn
