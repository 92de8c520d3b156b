#include "convexnn/polynomial_certificate.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>

#include "convexnn/loss.h"

namespace convexnn {
namespace {

// Largest t in [0, cap] with max_theta lambda_min(t S + (beta/2) I + theta J) >= 0. The function
// h(t) of that maximum is concave with h(0) = beta/2 > 0, so its feasible set is [0, t*].
double largest_feasible_scale(const Eigen::MatrixXd& S, double beta, double cap,
                              int* eigen_solves) {
  auto h = [&](double t) {
    Eigen::MatrixXd B = t * S;
    B.diagonal().array() += 0.5 * beta;
    return max_min_eigenvalue_over_trace_shift(B, nullptr, eigen_solves);
  };
  double high = cap;
  double h_high = h(high);
  if (h_high >= 0.0) return cap;
  double low = 0.0;
  double h_low = 0.5 * beta;
  // Illinois regula falsi: halve the stale end's value when the same end moves twice.
  int last_moved = 0;  // -1: low, +1: high
  for (int iteration = 0; iteration < 100; ++iteration) {
    double t = (low * h_high - high * h_low) / (h_high - h_low);
    if (!(t > low && t < high)) t = 0.5 * (low + high);
    const double h_t = h(t);
    if (h_t >= 0.0) {
      low = t;
      h_low = h_t;
      if (last_moved == -1) h_high *= 0.5;
      last_moved = -1;
      if (h_t <= 1e-13 * beta) break;
    } else {
      high = t;
      h_high = h_t;
      if (last_moved == 1) h_low *= 0.5;
      last_moved = 1;
    }
    if (high - low <= 1e-13 * high) break;
  }
  return low;
}

}  // namespace

double max_min_eigenvalue_over_trace_shift(const Eigen::MatrixXd& B, double* theta,
                                           int* eigen_solves) {
  const Eigen::Index last = B.rows() - 1;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen;
  struct Point {
    double theta, value, supergradient;
  };
  // g(theta) = lambda_min(B + theta J) and the supergradient v^T J v of its eigenvector.
  auto evaluate = [&](double shift) {
    Eigen::MatrixXd M = B;
    M.diagonal().head(last).array() += shift;
    M(last, last) -= shift;
    eigen.compute(M);
    if (eigen_solves) ++*eigen_solves;
    const auto v = eigen.eigenvectors().col(0);
    return Point{shift, eigen.eigenvalues()[0], v.head(last).squaredNorm() - v[last] * v[last]};
  };
  // g(theta) <= min(B_ii + theta, B_last - theta) and g(0) >= lambda_min(B), so the maximizer
  // lies in [lambda_min(B) - min_i B_ii, B_last - lambda_min(B)].
  const Point origin = evaluate(0.0);
  Point best = origin;
  Point low = evaluate(origin.value - B.diagonal().head(last).minCoeff());
  Point high = evaluate(B(last, last) - origin.value);
  for (const Point& p : {low, high}) {
    if (p.value > best.value) best = p;
  }
  const double tolerance = 1e-13 * (std::abs(origin.value) + B.diagonal().cwiseAbs().maxCoeff());
  // Cutting planes: the tangents at the bracket's ends meet above the concave g, which bounds
  // the maximum from above and is the next trial point (fast where eigenvalues cross, which is
  // typical at the maximum); bisection whenever the bracket fails to halve in two steps.
  double width_before = std::numeric_limits<double>::infinity();
  double width_two_before = std::numeric_limits<double>::infinity();
  for (int iteration = 0; iteration < 200; ++iteration) {
    if (low.supergradient <= 0.0) {
      if (low.value > best.value) best = low;
      break;  // g is non-increasing from the bracket's left end: that end is a maximizer
    }
    if (high.supergradient >= 0.0) {
      if (high.value > best.value) best = high;
      break;
    }
    const double width = high.theta - low.theta;
    const double crossing =
        (high.value - low.value + low.supergradient * low.theta - high.supergradient * high.theta) /
        (low.supergradient - high.supergradient);
    const double upper = low.value + low.supergradient * (crossing - low.theta);
    if (upper - best.value <= tolerance || width <= 1e-15 * (1.0 + std::abs(low.theta))) break;
    double trial = crossing;
    if (!(trial > low.theta && trial < high.theta) || width > 0.5 * width_two_before) {
      trial = 0.5 * (low.theta + high.theta);
    }
    width_two_before = width_before;
    width_before = width;
    const Point point = evaluate(trial);
    if (point.value > best.value) best = point;
    if (point.supergradient > 0.0) {
      low = point;
    } else if (point.supergradient < 0.0) {
      high = point;
    } else {
      break;
    }
  }
  if (theta) *theta = best.theta;
  return best.value;
}

PolynomialDualBound quadratic_dual_bound(const PolynomialProblem& problem,
                                         const Eigen::VectorXd& lambda) {
  PolynomialDualBound bound;
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(problem.quadratic_adjoint(lambda),
                                                             Eigen::EigenvaluesOnly);
  ++bound.eigen_solves;
  const double spectral_norm = eigen.eigenvalues().cwiseAbs().maxCoeff();
  bound.feasible_scale =
      spectral_norm > 0 ? problem.beta / spectral_norm : std::numeric_limits<double>::infinity();
  bound.lower_bound = maximize_scaled_dual_value(problem.loss, lambda, problem.y,
                                                 bound.feasible_scale, &bound.scale);
  return bound;
}

PolynomialDualBound lifted_dual_bound(const PolynomialProblem& problem,
                                      const Eigen::VectorXd& lambda) {
  PolynomialDualBound bound;
  // The dual value is concave in t: no feasible t beyond its unconstrained maximizer can help.
  double cap = 0.0;
  maximize_scaled_dual_value(problem.loss, lambda, problem.y,
                             std::numeric_limits<double>::infinity(), &cap);
  const Eigen::MatrixXd adjoint = problem.lifted_adjoint(lambda);
  double feasible = cap;
  if (cap > 0.0) {
    feasible = largest_feasible_scale(adjoint, problem.beta, cap, &bound.eigen_solves);
    if (feasible > 0.0) {
      feasible = largest_feasible_scale(-adjoint, problem.beta, feasible, &bound.eigen_solves);
    }
  }
  bound.feasible_scale = feasible;
  bound.lower_bound =
      maximize_scaled_dual_value(problem.loss, lambda, problem.y, feasible, &bound.scale);
  return bound;
}

}  // namespace convexnn
