#include "convexnn/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "convexnn/errors.h"

namespace convexnn {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// log(1 + exp(t)) without overflow.
double softplus(double t) { return t > 0 ? t + std::log1p(std::exp(-t)) : std::log1p(std::exp(t)); }

double sigmoid(double t) {
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

// x log x with 0 log 0 = 0.
double xlogx(double x) { return x > 0 ? x * std::log(x) : 0.0; }

}  // namespace

const char* to_string(LossKind kind) {
  switch (kind) {
    case LossKind::kSquared: return "squared";
    case LossKind::kHinge: return "hinge";
    case LossKind::kLogistic: return "logistic";
  }
  return "unknown";
}

LossKind loss_from_string(const std::string& name) {
  if (name == "squared") return LossKind::kSquared;
  if (name == "hinge") return LossKind::kHinge;
  if (name == "logistic") return LossKind::kLogistic;
  throw InputError("unknown loss '" + name + "' (expected squared, hinge or logistic)");
}

double loss_value(LossKind kind, const Eigen::VectorXd& prediction, const Eigen::VectorXd& y) {
  switch (kind) {
    case LossKind::kSquared: return 0.5 * (prediction - y).squaredNorm();
    case LossKind::kHinge: return (1.0 - y.array() * prediction.array()).max(0.0).sum();
    case LossKind::kLogistic: {
      double total = 0.0;
      for (Eigen::Index k = 0; k < y.size(); ++k) total += softplus(-y[k] * prediction[k]);
      return total;
    }
  }
  return kInfinity;
}

Eigen::VectorXd loss_gradient(LossKind kind, const Eigen::VectorXd& prediction,
                              const Eigen::VectorXd& y) {
  Eigen::VectorXd gradient(y.size());
  for (Eigen::Index k = 0; k < y.size(); ++k) {
    const double margin = y[k] * prediction[k];
    switch (kind) {
      case LossKind::kSquared: gradient[k] = prediction[k] - y[k]; break;
      case LossKind::kHinge:
        gradient[k] = margin < 1.0 ? -y[k] : (margin > 1.0 ? 0.0 : -0.5 * y[k]);
        break;
      case LossKind::kLogistic: gradient[k] = -y[k] * sigmoid(-margin); break;
    }
  }
  return gradient;
}

Eigen::VectorXd loss_prox(LossKind kind, const Eigen::VectorXd& z, const Eigen::VectorXd& y,
                          double rho) {
  Eigen::VectorXd t(z.size());
  for (Eigen::Index k = 0; k < z.size(); ++k) {
    switch (kind) {
      case LossKind::kSquared: t[k] = (rho * z[k] + y[k]) / (1.0 + rho); break;
      case LossKind::kHinge: {
        // Labels are +-1, so y^2 = 1 (science.md 4.6).
        const double margin = y[k] * z[k];
        if (margin >= 1.0) {
          t[k] = z[k];
        } else if (margin <= 1.0 - 1.0 / rho) {
          t[k] = z[k] + y[k] / rho;
        } else {
          t[k] = y[k];
        }
        break;
      }
      case LossKind::kLogistic: {
        // Newton on -y sigmoid(-y t) + rho (t - z) = 0; the derivative is >= rho, and the root lies
        // in [z, z + 1/rho] (for y = 1) so we safeguard with bisection on that bracket.
        const double s = y[k];
        double low = s > 0 ? z[k] : z[k] - 1.0 / rho;
        double high = s > 0 ? z[k] + 1.0 / rho : z[k];
        double x = z[k];
        for (int iteration = 0; iteration < 60; ++iteration) {
          const double p = sigmoid(-s * x);
          const double value = -s * p + rho * (x - z[k]);
          if (value > 0) high = x; else low = x;
          const double derivative = s * s * p * (1.0 - p) + rho;
          double next = x - value / derivative;
          if (!(next > low && next < high)) next = 0.5 * (low + high);
          if (std::abs(next - x) <= 1e-15 * (1.0 + std::abs(x))) { x = next; break; }
          x = next;
        }
        t[k] = x;
        break;
      }
    }
  }
  return t;
}

double loss_conjugate(LossKind kind, const Eigen::VectorXd& lambda, const Eigen::VectorXd& y) {
  switch (kind) {
    case LossKind::kSquared: return 0.5 * lambda.squaredNorm() + lambda.dot(y);
    case LossKind::kHinge: {
      double total = 0.0;
      for (Eigen::Index k = 0; k < y.size(); ++k) {
        const double t = y[k] * lambda[k];
        if (t < -1.0 - 1e-12 || t > 1e-12) return kInfinity;
        total += t;
      }
      return total;
    }
    case LossKind::kLogistic: {
      // phi(z) = log(1 + e^-z) at z = y yhat; l_k*(lambda) = phi*(lambda / y) with
      // phi*(t) = (-t) log(-t) + (1 + t) log(1 + t) on [-1, 0].
      double total = 0.0;
      for (Eigen::Index k = 0; k < y.size(); ++k) {
        const double t = lambda[k] / y[k];
        if (t < -1.0 - 1e-12 || t > 1e-12) return kInfinity;
        const double clamped = std::min(0.0, std::max(-1.0, t));
        total += xlogx(-clamped) + xlogx(1.0 + clamped);
      }
      return total;
    }
  }
  return kInfinity;
}

double conjugate_domain_scale(LossKind kind, const Eigen::VectorXd& lambda,
                              const Eigen::VectorXd& y) {
  if (kind == LossKind::kSquared) return 1.0;
  // Domain: y_k lambda_k in [-1, 0]; positive products cannot be scaled in.
  double scale = 1.0;
  for (Eigen::Index k = 0; k < y.size(); ++k) {
    const double t = y[k] * lambda[k];
    if (t > 0) return 0.0;
    if (t < -1.0) scale = std::min(scale, -1.0 / t);
  }
  return scale;
}

double maximize_scaled_dual_value(LossKind kind, const Eigen::VectorXd& lambda,
                                  const Eigen::VectorXd& y, double theta_max, double* theta) {
  theta_max = std::max(0.0, std::min(theta_max, conjugate_domain_scale(kind, lambda, y)));
  auto dual_value = [&](double scale) { return -loss_conjugate(kind, scale * lambda, y); };
  double best = theta_max;
  if (kind == LossKind::kSquared) {
    // -l*(t lambda) = -(t^2/2 ||lambda||^2 + t lambda^T y) peaks at t = -lambda^T y / ||lambda||^2.
    const double lambda_norm = lambda.squaredNorm();
    const double unconstrained = lambda_norm > 0 ? -lambda.dot(y) / lambda_norm : 0.0;
    best = std::clamp(unconstrained, 0.0, theta_max);
  } else {
    // Golden-section search on [0, theta_max].
    double low = 0.0;
    double high = theta_max;
    const double ratio = 0.5 * (std::sqrt(5.0) - 1.0);
    for (int iteration = 0; iteration < 100 && high - low > 1e-14; ++iteration) {
      const double left = high - ratio * (high - low);
      const double right = low + ratio * (high - low);
      if (dual_value(left) < dual_value(right)) {
        low = left;
      } else {
        high = right;
      }
    }
    best = 0.5 * (low + high);
    if (dual_value(theta_max) > dual_value(best)) best = theta_max;
  }
  if (theta) *theta = best;
  return dual_value(best);
}

}  // namespace convexnn
