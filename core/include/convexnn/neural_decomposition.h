#pragma once
// From a solution of the polynomial-activation SDP back to neurons (science.md 9.3, 9.4).
#include <Eigen/Dense>

#include "convexnn/polynomial_problem.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

// Neural decomposition (S-lemma rank-one decomposition, science.md 9.4): for Z psd with
// <J, Z> = 0, vectors y_j (the columns of the result) with Z = sum_j y_j y_j^T and
// y_j^T J y_j = 0. Eigenvalues below `relative_tolerance` times the largest are treated as 0.
// When <J, Z> is only zero up to round-off, the last vector carries the (tiny) imbalance.
Eigen::MatrixXd neural_decomposition(const Eigen::MatrixXd& Z, double relative_tolerance = 1e-12);

// The network of the lifted solution: each y = [u; s] of the decomposition of Z becomes the
// unit-norm neuron q = sign(s) u / ||u|| with output weight |s| ||u|| (= s^2 when balanced);
// Z' gives negative output weights. With a bias column, the last entry of q is the bias.
TwoLayerNetwork network_from_lifted(const PolynomialProblem& problem, const Eigen::MatrixXd& Z,
                                    const Eigen::MatrixXd& Z_neg,
                                    double relative_tolerance = 1e-12);

// The network of the nuclear-norm solution W = sum_j lambda_j q_j q_j^T: neurons q_j with output
// weights lambda_j (science.md 9.3).
TwoLayerNetwork network_from_quadratic(const PolynomialProblem& problem, const Eigen::MatrixXd& W,
                                       double relative_tolerance = 1e-12);

}  // namespace convexnn
