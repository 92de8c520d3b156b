#pragma once
// Proximal maps of the non-smooth parts of the robust program (science.md 6.2), used by the robust
// ADMM. ||a||_r = sum_j r_j |a_j| is the weighted l1 norm that measures how far an l_inf ball with
// radii r moves a linear function with coefficients a.
//
// Both maps reduce to one monotone scalar equation (a Lagrange multiplier) that is solved by
// bisection to machine precision; everything else is in closed form.
#include <Eigen/Dense>

#include "convexnn/loss.h"

namespace convexnn {

// Euclidean projection of (c, a) onto the robust cone {(c, a) : c_k >= ||a||_r for all k},
// in place.
void project_onto_robust_cone(Eigen::Ref<Eigen::VectorXd> c, Eigen::Ref<Eigen::VectorXd> a,
                              const Eigen::VectorXd& radii);

// In place: (t, q) <- argmin l_rob(t, ||q||_r) + rho/2 ((t - t0)^2 + ||q - q0||^2) for one sample
// with label y, where l_rob is the worst-case loss of robust_problem.h.
void robust_loss_prox(LossKind loss, double y, double rho, const Eigen::VectorXd& radii, double& t,
                      Eigen::Ref<Eigen::VectorXd> q);

}  // namespace convexnn
