#include "convexnn/robust_prox.h"

#include <algorithm>
#include <cmath>

namespace convexnn {
namespace {

constexpr int kMaxIterations = 200;

double sigmoid(double t) {
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

// ||soft(a, theta r)||_r = sum_j r_j (|a_j| - theta r_j)_+: convex, non-increasing in theta.
double shrunk_norm(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::VectorXd& radii,
                   double theta) {
  double total = 0.0;
  for (Eigen::Index j = 0; j < a.size(); ++j) {
    total += radii[j] * std::max(0.0, std::abs(a[j]) - theta * radii[j]);
  }
  return total;
}

// -d/dtheta of shrunk_norm on the piece to the right of theta.
double shrunk_norm_slope(const Eigen::Ref<const Eigen::VectorXd>& a, const Eigen::VectorXd& radii,
                         double theta) {
  double slope = 0.0;
  for (Eigen::Index j = 0; j < a.size(); ++j) {
    if (std::abs(a[j]) > theta * radii[j]) slope += radii[j] * radii[j];
  }
  return slope;
}

// a <- soft(a, theta r), coordinatewise sign(a_j) (|a_j| - theta r_j)_+.
void soft_threshold(Eigen::Ref<Eigen::VectorXd> a, const Eigen::VectorXd& radii, double theta) {
  for (Eigen::Index j = 0; j < a.size(); ++j) {
    const double magnitude = std::max(0.0, std::abs(a[j]) - theta * radii[j]);
    a[j] = std::copysign(magnitude, a[j]);
  }
}

// Root of a concave increasing function on [0, high] with f(0) <= 0 <= f(high). Newton's method
// from the left never overshoots a concave function, and on a piecewise-linear one it ends after
// finitely many pieces; `slope` is the derivative on the piece to the right.
template <typename Function, typename Slope>
double newton_from_left(Function&& f, Slope&& slope, double high) {
  double x = 0.0;
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    const double value = f(x);
    if (value >= 0) break;
    const double next = std::min(high, x - value / slope(x));
    if (!(next > x)) break;  // converged to machine precision
    x = next;
  }
  return x;
}

// Root of an increasing function on [low, high] with f(low) <= 0 <= f(high).
template <typename Function>
double bisect_increasing(Function&& f, double low, double high) {
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    const double middle = 0.5 * (low + high);
    if (!(middle > low && middle < high)) break;  // interval at machine precision
    if (f(middle) > 0) {
      high = middle;
    } else {
      low = middle;
    }
  }
  return 0.5 * (low + high);
}

}  // namespace

void project_onto_robust_cone(Eigen::Ref<Eigen::VectorXd> c, Eigen::Ref<Eigen::VectorXd> a,
                              const Eigen::VectorXd& radii) {
  const double norm = shrunk_norm(a, radii, 0.0);
  if (c.minCoeff() >= norm) return;  // already in the cone
  // For a level tau, the nearest point has c = max(c0, tau) and a = the projection of a0 onto
  // {||a||_r <= tau}, i.e. soft(a0, theta r) with multiplier theta(tau). Optimality in tau reads
  // sum_k (tau - c0_k)_+ = theta. Parametrized by theta, tau(theta) = ||soft(a0, theta r)||_r is
  // convex and non-increasing, so H(theta) = theta - sum_k (tau(theta) - c0_k)_+ is concave and
  // increasing (piecewise linear).
  auto excess = [&](double tau) { return (tau - c.array()).max(0.0).sum(); };
  auto below = [&](double tau) { return static_cast<double>((c.array() < tau).count()); };
  double theta_max = 0.0;  // smallest theta that shrinks every weighted coordinate to zero
  for (Eigen::Index j = 0; j < a.size(); ++j) {
    if (radii[j] > 0) theta_max = std::max(theta_max, std::abs(a[j]) / radii[j]);
  }
  auto residual = [&](double theta) { return theta - excess(shrunk_norm(a, radii, theta)); };
  auto slope = [&](double theta) {
    return 1.0 + below(shrunk_norm(a, radii, theta)) * shrunk_norm_slope(a, radii, theta);
  };
  const double theta =
      residual(theta_max) <= 0 ? theta_max : newton_from_left(residual, slope, theta_max);
  const double tau = shrunk_norm(a, radii, theta);
  c = c.cwiseMax(tau);
  soft_threshold(a, radii, theta);
}

void robust_loss_prox(LossKind loss, double y, double rho, const Eigen::VectorXd& radii, double& t,
                      Eigen::Ref<Eigen::VectorXd> q) {
  const double t0 = t;
  if (loss == LossKind::kSquared) {
    // With s = |t - y| + ||q||_r (the derivative of the outer square): t - y = soft(t0 - y, s/rho)
    // and q = soft(q0, s r / rho); s solves s = (|e0| - s/rho)_+ + ||soft(q0, s r/rho)||_r, whose
    // residual is concave and increasing in s.
    const double e0 = t0 - y;
    auto residual = [&](double s) {
      return s - std::max(0.0, std::abs(e0) - s / rho) - shrunk_norm(q, radii, s / rho);
    };
    auto slope = [&](double s) {
      return 1.0 + (std::abs(e0) > s / rho ? 1.0 / rho : 0.0) +
             shrunk_norm_slope(q, radii, s / rho) / rho;
    };
    const double upper = std::abs(e0) + shrunk_norm(q, radii, 0.0);
    const double s = upper > 0 ? newton_from_left(residual, slope, upper) : 0.0;
    t = y + std::copysign(std::max(0.0, std::abs(e0) - s / rho), e0);
    soft_threshold(q, radii, s / rho);
    return;
  }
  // Hinge and logistic: the loss is h(margin) with margin = y t - ||q||_r and g = -h'(margin) in
  // [0, 1]; then t = t0 + g y / rho, q = soft(q0, g r / rho), and margin(g) is concave and
  // increasing.
  auto margin = [&](double g) { return y * t0 + g / rho - shrunk_norm(q, radii, g / rho); };
  double g = 0.0;
  if (loss == LossKind::kHinge) {
    // g = 1 below the kink, 0 above, and margin(g) = 1 in between.
    if (margin(0.0) >= 1.0) {
      g = 0.0;
    } else if (margin(1.0) <= 1.0) {
      g = 1.0;
    } else {
      g = newton_from_left(
          [&](double value) { return margin(value) - 1.0; },
          [&](double value) { return (1.0 + shrunk_norm_slope(q, radii, value / rho)) / rho; },
          1.0);
    }
  } else {
    // Logistic: g = sigmoid(-margin(g)); the difference is increasing in g.
    g = bisect_increasing([&](double value) { return value - sigmoid(-margin(value)); }, 0.0, 1.0);
  }
  t = t0 + g * y / rho;
  soft_threshold(q, radii, g / rho);
}

}  // namespace convexnn
