#pragma once
// The convex reformulation (C-ReLU, science.md 3.1) of two-layer ReLU training, and its
// piecewise-linear generalisation (C-sigma, science.md 8.1):
//   min  l(sum_i S_i X (v_i - w_i), y) + beta sum_i (||v_i|| + ||w_i||)
//   s.t. (2 D_i - I) X v_i >= 0,  (2 D_i - I) X w_i >= 0,
// with S_i = D_i (ReLU), kappa I + (1 - kappa) D_i (leaky ReLU) or 2 D_i - I (absolute value).
// Variables are stored as a d x 2P matrix of blocks: column i is v_i, column P + i is w_i.
#include <Eigen/Dense>
#include <optional>
#include <string>

#include "convexnn/activation.h"
#include "convexnn/activation_patterns.h"
#include "convexnn/loss.h"
#include "convexnn/pattern_products.h"
#include "convexnn/standardization.h"

namespace convexnn {

struct ConvexProblem {
  Eigen::MatrixXd X;  // n x d, already bias-augmented and standardized
  Eigen::VectorXd y;  // n labels in {-1, +1} (squared loss accepts any real target)
  LossKind loss = LossKind::kSquared;
  double beta = 1e-3;
  PatternSet patterns;
  // ReLU, leaky ReLU or absolute value; the polynomial activations have a different program
  // (science.md 9) and are rejected by finalize().
  Activation activation;
  // Whether the last column of X is the constant 1 (the neurons' bias), and how raw inputs were
  // standardized; both are needed to turn the solution into a network on raw inputs.
  bool has_bias_column = true;
  std::optional<Standardization> standardization;

  Eigen::Index num_samples() const { return X.rows(); }
  Eigen::Index dim() const { return X.cols(); }
  Eigen::Index num_patterns() const { return patterns.num_patterns(); }
  Eigen::Index num_blocks() const { return 2 * patterns.num_patterns(); }

  // F u = sum_i S_i X (v_i - w_i).
  Eigen::VectorXd predict(const Eigen::MatrixXd& blocks) const;
  // F^T r as a d x 2P block matrix: X^T S_i r for v-blocks, its negative for w-blocks.
  Eigen::MatrixXd predict_adjoint(const Eigen::VectorXd& r) const;
  // F on blocks with v_i - w_i = differences_i (d x P): sum_i S_i X differences_i. The gated
  // ReLU program's prediction.
  Eigen::VectorXd predict_differences(const Eigen::MatrixXd& differences) const;
  // [X^T S_i r]_i as d x P: the v-half of F^T r.
  Eigen::MatrixXd pattern_adjoint(const Eigen::VectorXd& r) const;
  // pattern_adjoint(predict_differences(differences)) in one pass over X (pattern_products.h);
  // F v to `prediction` when given.
  Eigen::MatrixXd normal_product(const Eigen::MatrixXd& differences,
                                 Eigen::VectorXd* prediction = nullptr) const;
  // G u as an n x 2P matrix: column b is (2 D_i - I) X u_b.
  Eigen::MatrixXd cone_values(const Eigen::MatrixXd& blocks) const;
  // G^T S for an n x 2P matrix S: column b is X^T (2 D_i - I) s_b.
  Eigen::MatrixXd cone_adjoint(const Eigen::MatrixXd& slacks) const;
  // The augmented Lagrangian's smooth part l(F u) + (delta/2) ||(multipliers/delta - G u)_+||^2
  // and its gradient (to `gradient` when given), fused (pattern_augmented_lagrangian).
  double augmented_lagrangian_value(const Eigen::MatrixXd& blocks,
                                    const ChunkedMultipliers& scaled_multipliers, double penalty,
                                    Eigen::MatrixXd* gradient) const;
  // +1 where a sample's pattern entry is 1, -1 where it is 0: n x P.
  const Eigen::MatrixXd& pattern_signs() const;
  // The diagonals of S_i as an n x P matrix (column i = s_i); equal to patterns.masks for ReLU.
  // Everything that multiplies by F uses these, never the masks.
  const Eigen::MatrixXd& activation_diagonals() const;

  // l(F u, y) + beta sum_b ||u_b||.
  double objective(const Eigen::MatrixXd& blocks) const;
  // sum_b ||(-(2D_i - I) X u_b)_+||^2, without forming G u (pattern_cone_violation).
  double squared_cone_violation(const Eigen::MatrixXd& blocks) const;
  // Largest violation max(0, -(2D_i - I) X u_b) over all blocks and samples.
  double max_cone_violation(const Eigen::MatrixXd& blocks) const;

  // Must be called after X, patterns or activation change (caches the sign and S_i matrices).
  // Throws InputError for an invalid or non-piecewise-linear activation.
  void finalize();

 private:
  // The cached S_i; checked against `activation` and the pattern count on use, so a problem whose
  // activation changed without finalize() fails loudly instead of silently using the old S_i.
  const Eigen::MatrixXd& checked_diagonals() const;
  // The byte masks for the blocked kernels of pattern_products.h, with the same check.
  const CompactMasks& compact_masks() const;

  Eigen::MatrixXd pattern_signs_;
  Eigen::MatrixXd activation_diagonals_;
  // The hot products read these (pattern_products.h): one byte per mask entry.
  CompactMasks compact_masks_;
  ActivationDiagonal diagonal_;
  Activation finalized_activation_;
};

// S_i = offset I + slope D_i for a piecewise-linear activation (science.md 8.1): ReLU (0, 1),
// leaky ReLU (kappa, 1 - kappa), absolute value (-1, 2); equivalently sigma(t) = offset t +
// slope max(0, t). Other activations get ReLU's (0, 1).
ActivationDiagonal activation_diagonal_for(const Activation& activation);

// The diagonals s_i of S_i (science.md 8.1) for 0/1 masks (n x P). Throws InputError naming the
// activation unless it is ReLU, leaky ReLU or absolute value.
Eigen::MatrixXd activation_diagonals_for(const Activation& activation,
                                         const Eigen::MatrixXd& masks);

// Throws InputError unless the activation is one of the piecewise-linear ones the convex program
// (C-sigma) covers; `context` names the caller ("robust training", ...).
void require_piecewise_linear(const Activation& activation, const std::string& context);

// Appends a column of ones.
Eigen::MatrixXd with_bias_column(const Eigen::MatrixXd& X);

}  // namespace convexnn
