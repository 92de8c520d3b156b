#pragma once
// The robust convex program (RC) of science.md 6.2 for l_inf adversarial training:
//   min  sum_k l_rob(yhat_k, m_k) + beta sum_b ||u_b||
//   s.t. (2 D_i - I) X u_b >= (sum_j r_j |u_b[j]|) 1_n            (robust cone constraints)
// with yhat = F u, q_k = sum_b sigma_b d_bk u_b[features] and the perturbation budget
// m_k = sum_j r_j |q_kj|. The worst case of the loss over the ball is in closed form:
//   squared   (1/2) (|yhat - y| + m)^2,   hinge (1 - y yhat + m)_+,   logistic log(1 + e^(m - y
//   yhat)).
//
// r_j is the ball's radius along feature j in the problem's units: epsilon is given in the units
// of the user's data, so with z-score standardization r_j = epsilon / scale_j (the ball stays an
// l_inf ball in raw units). The bias column (the problem's last column) is never perturbed.
#include <Eigen/Dense>

#include "convexnn/convex_problem.h"

namespace convexnn {

class RobustProblem {
 public:
  // Keeps a reference: `problem` must outlive this object. Throws InputError for a negative or
  // non-finite epsilon.
  RobustProblem(const ConvexProblem& problem, double epsilon);

  const ConvexProblem& base() const { return base_; }
  double epsilon() const { return epsilon_; }
  // r_j for the perturbed features (the leading num_features() columns of X).
  const Eigen::VectorXd& radii() const { return radii_; }
  Eigen::Index num_features() const { return radii_.size(); }

  // q_k for all samples: n x num_features().
  Eigen::MatrixXd sensitivities(const Eigen::MatrixXd& blocks) const;
  // m_k = sum_j r_j |q_kj| for all samples.
  Eigen::VectorXd budgets(const Eigen::MatrixXd& blocks) const;
  // Per-sample worst-case losses l_rob(yhat_k, m_k).
  Eigen::VectorXd sample_losses(const Eigen::MatrixXd& blocks) const;
  // The (RC) objective; it equals the recovered network's adversarial training objective when
  // the robust cone constraints hold.
  double objective(const Eigen::MatrixXd& blocks) const;
  // Largest violation max(0, sum_j r_j |u_b[j]| - (2D_i - I) X u_b) over blocks and samples.
  double max_cone_violation(const Eigen::MatrixXd& blocks) const;

 private:
  const ConvexProblem& base_;
  double epsilon_;
  Eigen::VectorXd radii_;
};

// Worst-case loss of one sample with prediction yhat, label y and budget m >= 0.
double robust_sample_loss(LossKind loss, double yhat, double y, double budget);

}  // namespace convexnn
