#pragma once
// R-FISTA (science.md 10.2): accelerated proximal gradient for group-lasso objectives
//   F(u) = smooth(u) + penalty * sum_b ||u_b||   over a d x B block matrix u (column b = u_b),
// with backtracking line search, Lassplore step-size growth, gradient-mapping restarts and the
// standard momentum t+ = (1 + sqrt(1 + 4 t^2)) / 2 (scnn's operator-precedence slip is not
// reproduced). Used for the gated ReLU program and for the augmented Lagrangian's subproblems.
#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>

#include "convexnn/solver_summary.h"

namespace convexnn {

// The smooth part of the objective. Implementations must be convex with a locally Lipschitz
// gradient; the line search finds the step.
class SmoothFunction {
 public:
  virtual ~SmoothFunction() = default;
  virtual double value(const Eigen::MatrixXd& blocks) const = 0;
  // Returns the value and writes the gradient (same shape as `blocks`).
  virtual double value_and_gradient(const Eigen::MatrixXd& blocks,
                                    Eigen::MatrixXd* gradient) const = 0;
};

// A smooth part of the form outer(A u) with A linear (the products of a convex program) and
// outer a smooth function of the image A u (a loss of the prediction). R-FISTA uses the
// structure: the extrapolation's image is a combination of the last two images, and a candidate
// is tested on its image alone, so an iteration costs one A u and one A^T g instead of two of
// each (plus one per backtrack).
class CompositeSmoothFunction : public SmoothFunction {
 public:
  virtual Eigen::VectorXd image(const Eigen::MatrixXd& blocks) const = 0;  // A u
  virtual double outer_value(const Eigen::VectorXd& image) const = 0;
  virtual Eigen::VectorXd outer_gradient(const Eigen::VectorXd& image) const = 0;
  // A^T g, shaped like the blocks.
  virtual Eigen::MatrixXd adjoint(const Eigen::VectorXd& image_gradient) const = 0;
  // True when image() and adjoint() round coarsely (single precision, ~1e-7 relative). R-FISTA
  // then takes a candidate's image as A v + A (w+ - v), whose rounding is relative to the step's
  // image instead of the whole prediction: the line search compares images that differ by the
  // step only, and with errors of the full prediction's size it would see noise, not curvature,
  // near the optimum. The rounding accumulates slowly in the carried images instead (a bias the
  // caller's exact certificates do not see).
  virtual bool inexact_products() const { return false; }

  double value(const Eigen::MatrixXd& blocks) const final { return outer_value(image(blocks)); }
  double value_and_gradient(const Eigen::MatrixXd& blocks, Eigen::MatrixXd* gradient) const final {
    const Eigen::VectorXd at = image(blocks);
    *gradient = adjoint(outer_gradient(at));
    return outer_value(at);
  }
};

struct RFistaOptions {
  double initial_step = 10.0;     // eta0 (scnn default)
  double backtrack_factor = 0.8;  // eta <- 0.8 eta while the quadratic bound fails
  int max_backtracks = 50;        // then the step is taken with eta = min_step
  double min_step = 1e-8;
  double growth_factor = 1.25;    // Lassplore: eta <- 1.25 eta when the bound is loose by
  double growth_threshold = 5.0;  // more than this factor
  bool restart = true;            // gradient-mapping restart (O'Donoghue & Candes)
  // Stop when the squared norm of the min-norm subgradient of F is at most this.
  double subgradient_tolerance = 1e-6;
  // The iterate's gradient is not a by-product of the iteration (the line search tests a
  // candidate by its value): the min-norm subgradient, and with it the stopping test, is
  // refreshed every this many iterations (one A^T g, or one gradient evaluation, each).
  int subgradient_interval = 10;
  std::int64_t max_iterations = 10000;

  // Empty when valid, else a message naming the first invalid field.
  std::string validate() const;
};

// The iteration's state; pass it back in to warm-start. A state whose shape does not match the
// problem is replaced by a cold start at zero.
struct RFistaState {
  Eigen::MatrixXd iterate;        // w
  Eigen::MatrixXd extrapolation;  // v
  double momentum = 1.0;          // t
  double step = 0.0;              // eta; 0 means options.initial_step

  bool matches(Eigen::Index rows, Eigen::Index cols) const;
  // Keeps the iterate and step but forgets the momentum (for a changed objective).
  void reset_momentum();
};

enum class RFistaStop {
  kConverged,  // min-norm subgradient below tolerance
  kIterationLimit,
  kCancelled,        // stop token
  kCallback,         // the callback asked to stop
  kNumericalFailure  // non-finite value or gradient
};

struct RFistaResult {
  RFistaStop stop = RFistaStop::kIterationLimit;
  std::int64_t iterations = 0;
  std::int64_t restarts = 0;
  std::int64_t backtracks = 0;
  double objective = 0.0;                 // F at the final iterate
  double smooth_value = 0.0;              // smooth part at the final iterate
  double subgradient_norm_squared = 0.0;  // of F at the final iterate
};

// What the callback sees after each iteration. Returning false stops the run
// (RFistaStop::kCallback).
struct RFistaProgress {
  std::int64_t iteration = 0;
  const Eigen::MatrixXd& iterate;
  double smooth_value = 0.0;
  // The min-norm subgradient at the iterate as of iteration `subgradient_iteration` (see
  // RFistaOptions::subgradient_interval).
  double subgradient_norm_squared = 0.0;
  std::int64_t subgradient_iteration = 0;
  double step = 0.0;
  // Composite smooth parts only (else null): the iterate's image A u, and the last point where a
  // gradient was taken (the extrapolation), as outer's gradient g there and A^T g. Any g gives a
  // dual candidate, so a solver can certify without another product.
  const Eigen::VectorXd* image = nullptr;
  const Eigen::VectorXd* probe_outer_gradient = nullptr;
  const Eigen::MatrixXd* probe_gradient = nullptr;
};
using RFistaCallback = std::function<bool(const RFistaProgress&)>;

// Min-norm element of the subdifferential of F at `blocks`, given the smooth gradient there.
// Block b with u_b != 0: grad_b + penalty u_b / ||u_b||; with u_b = 0: grad_b shrunk by penalty.
Eigen::MatrixXd min_norm_subgradient(const Eigen::MatrixXd& blocks, const Eigen::MatrixXd& gradient,
                                     double penalty);

// Minimizes smooth + penalty * sum_b ||u_b|| from `state` (rows x cols; zero when it does not
// match). Options must be valid (see validate); invalid options throw InputError.
RFistaResult minimize_group_lasso(const SmoothFunction& smooth, double penalty, Eigen::Index rows,
                                  Eigen::Index cols, const RFistaOptions& options,
                                  RFistaState* state, std::stop_token stop = {},
                                  const RFistaCallback& callback = {});

const char* to_string(RFistaStop stop);

// The status and message of a solver whose run is one R-FISTA call stopped by its callback on a
// certified gap, a time limit or an observer: the same order of precedence for every such solver.
void set_rfista_status(const RFistaResult& result, bool cancelled_by_observer, bool certified,
                       bool time_limit, SolverSummary* summary);

}  // namespace convexnn
