#include "convexnn/activation.h"

#include <cmath>
#include <sstream>

#include "convexnn/errors.h"

namespace convexnn {

double Activation::operator()(double t) const {
  switch (kind) {
    case ActivationKind::kRelu:
      return t > 0.0 ? t : 0.0;
    case ActivationKind::kLeakyRelu:
      return t > 0.0 ? t : leaky_slope * t;
    case ActivationKind::kAbsolute:
      return std::abs(t);
    case ActivationKind::kQuadratic:
      return t * t;
    case ActivationKind::kPolynomial:
      return (a * t + b) * t + c;
  }
  return 0.0;
}

Eigen::MatrixXd Activation::apply(const Eigen::MatrixXd& preactivations) const {
  switch (kind) {
    case ActivationKind::kRelu:
      return preactivations.cwiseMax(0.0);
    case ActivationKind::kLeakyRelu:
      return preactivations.cwiseMax(leaky_slope * preactivations);
    case ActivationKind::kAbsolute:
      return preactivations.cwiseAbs();
    case ActivationKind::kQuadratic:
      return preactivations.cwiseAbs2();
    case ActivationKind::kPolynomial:
      return ((a * preactivations.array() + b) * preactivations.array() + c).matrix();
  }
  return preactivations;
}

Eigen::MatrixXd Activation::derivative(const Eigen::MatrixXd& preactivations) const {
  const auto& t = preactivations.array();
  switch (kind) {
    case ActivationKind::kRelu:
      return (t > 0.0).cast<double>().matrix();
    case ActivationKind::kLeakyRelu:
      return (t > 0.0).select(Eigen::ArrayXXd::Ones(t.rows(), t.cols()), leaky_slope).matrix();
    case ActivationKind::kAbsolute:
      return (t > 0.0).select(Eigen::ArrayXXd::Ones(t.rows(), t.cols()), -1.0).matrix();
    case ActivationKind::kQuadratic:
      return (2.0 * t).matrix();
    case ActivationKind::kPolynomial:
      return (2.0 * a * t + b).matrix();
  }
  return preactivations;
}

bool Activation::positively_homogeneous() const {
  return kind == ActivationKind::kRelu || kind == ActivationKind::kLeakyRelu ||
         kind == ActivationKind::kAbsolute;
}

std::string Activation::name() const {
  switch (kind) {
    case ActivationKind::kRelu:
      return "relu";
    case ActivationKind::kLeakyRelu:
      return "leaky-relu";
    case ActivationKind::kAbsolute:
      return "abs";
    case ActivationKind::kQuadratic:
      return "quadratic";
    case ActivationKind::kPolynomial:
      return "poly2";
  }
  return "relu";
}

std::string Activation::formula() const {
  std::ostringstream text;
  switch (kind) {
    case ActivationKind::kRelu:
      return "max(0, t)";
    case ActivationKind::kLeakyRelu:
      text << "max(t, " << leaky_slope << " t)";
      return text.str();
    case ActivationKind::kAbsolute:
      return "|t|";
    case ActivationKind::kQuadratic:
      return "t^2";
    case ActivationKind::kPolynomial:
      text << a << " t^2 + " << b << " t + " << c;
      return text.str();
  }
  return "";
}

std::string Activation::validate() const {
  if (kind == ActivationKind::kLeakyRelu &&
      !(std::isfinite(leaky_slope) && leaky_slope >= 0.0 && leaky_slope < 1.0)) {
    return "activation.leaky_slope must be in [0, 1)";
  }
  if (kind == ActivationKind::kPolynomial) {
    if (!(std::isfinite(a) && std::isfinite(b) && std::isfinite(c))) {
      return "activation.coefficients must be finite numbers";
    }
    if (a == 0.0 && b == 0.0) {
      return "activation.coefficients: a and b cannot both be 0 (the network would be constant)";
    }
  }
  return "";
}

ActivationKind parse_activation_kind(const std::string& name) {
  if (name == "relu") return ActivationKind::kRelu;
  if (name == "leaky-relu") return ActivationKind::kLeakyRelu;
  if (name == "abs") return ActivationKind::kAbsolute;
  if (name == "quadratic") return ActivationKind::kQuadratic;
  if (name == "poly2") return ActivationKind::kPolynomial;
  throw InputError("unknown activation '" + name +
                   "' (choose relu, leaky-relu, abs, quadratic or poly2)");
}

}  // namespace convexnn
