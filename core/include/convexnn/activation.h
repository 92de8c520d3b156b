#pragma once
// The hidden layer's activation function sigma. ReLU, leaky ReLU and absolute value are
// piecewise linear and positively homogeneous (convex programs of science.md 3.1 and 8.1, trained
// with weight decay); the degree-2 polynomial a t^2 + b t + c is not homogeneous and is trained
// with unit-norm neurons and an l1 output penalty (the semidefinite program of science.md 9).
#include <Eigen/Core>
#include <string>

namespace convexnn {

enum class ActivationKind {
  kRelu,        // max(0, t)
  kLeakyRelu,   // max(t, kappa t), 0 <= kappa < 1
  kAbsolute,    // |t|
  kQuadratic,   // t^2 (the nuclear-norm special case, science.md 9.3)
  kPolynomial,  // a t^2 + b t + c
};

struct Activation {
  ActivationKind kind = ActivationKind::kRelu;
  double leaky_slope = 0.0;  // kappa; only for kLeakyRelu
  // sigma(t) = a t^2 + b t + c; only for kPolynomial (kQuadratic is a = 1, b = c = 0).
  double a = 1.0;
  double b = 0.0;
  double c = 0.0;

  static Activation relu() { return {}; }
  static Activation leaky_relu(double slope) { return {ActivationKind::kLeakyRelu, slope}; }
  static Activation absolute() { return {ActivationKind::kAbsolute}; }
  static Activation quadratic() { return {ActivationKind::kQuadratic}; }
  static Activation polynomial(double a, double b, double c) {
    return {ActivationKind::kPolynomial, 0.0, a, b, c};
  }

  double operator()(double t) const;
  // Elementwise sigma.
  Eigen::MatrixXd apply(const Eigen::MatrixXd& preactivations) const;
  // sigma'(t), with 0 at the kinks' left side as back-propagation conventionally uses.
  Eigen::MatrixXd derivative(const Eigen::MatrixXd& preactivations) const;

  // True for the piecewise-linear activations (sigma(s t) = s sigma(t) for s >= 0); these are
  // trained with weight decay and have the C-ReLU-type convex program.
  bool positively_homogeneous() const;
  // Polynomial coefficients (a, b, c) for kQuadratic and kPolynomial.
  double quadratic_coefficient() const { return kind == ActivationKind::kQuadratic ? 1.0 : a; }
  double linear_coefficient() const { return kind == ActivationKind::kQuadratic ? 0.0 : b; }
  double constant_coefficient() const { return kind == ActivationKind::kQuadratic ? 0.0 : c; }

  // CLI / file name: relu | leaky-relu | abs | quadratic | poly2.
  std::string name() const;
  // Human-readable formula, e.g. "max(t, 0.1 t)".
  std::string formula() const;
  // Empty when valid, else a message naming the field (activation.leaky_slope, ...).
  std::string validate() const;

  bool operator==(const Activation&) const = default;
};

// Parses a name as written by Activation::name(); throws InputError listing the choices.
ActivationKind parse_activation_kind(const std::string& name);

}  // namespace convexnn
