#pragma once
// Gradient-sign attacks on a trained two-layer network (any activation) (science.md 6.3): FGSM
// (Goodfellow et al. 2015) and PGD (Madry et al. 2018) in the l_inf ball, plus the robustness
// metrics the CLI and GUI show (clean, FGSM, PGD and certified accuracy).
//
// Units: inputs, epsilon, step sizes and the data box are all in the units of the data the user
// gives (raw inputs, before the model's standardization); the network folds its standardization
// into the input gradient.
#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <string>

#include "convexnn/loss.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

enum class AttackMethod { kFgsm, kPgd };

// What the attack maximizes. The margin -y f(x) aims straight at misclassification; the loss
// l(f(x), y) is the textbook choice but its gradient can vanish (hinge with y f > 1) or point
// away from the decision boundary (squared loss with y f > 1).
enum class AttackObjective { kMargin, kLoss };

const char* to_string(AttackMethod method);
AttackMethod attack_method_from_string(const std::string& name);  // throws InputError
const char* to_string(AttackObjective objective);
AttackObjective attack_objective_from_string(const std::string& name);  // throws InputError

// Every feature of an adversarial point is kept inside [lower, upper] (e.g. pixel ranges).
struct InputBox {
  double lower = 0.0;
  double upper = 1.0;
};

struct AttackOptions {
  double epsilon = 0.1;  // l_inf radius
  AttackObjective objective = AttackObjective::kMargin;
  LossKind loss = LossKind::kSquared;  // the loss attacked with AttackObjective::kLoss
  int steps = 10;                      // PGD iterations
  double step_size = 0.0;              // PGD step; 0 means 2.5 * epsilon / steps
  bool random_start = false;           // PGD starts uniformly in the ball (intersected with box)
  std::uint64_t seed = 1;              // for the random start (convexnn::Rng)
  std::optional<InputBox> box;

  // Empty when valid, else a message naming the field.
  std::string validate() const;
  double effective_step_size() const;
};

// The attacked quantity at x (raw units) for label y.
double attack_objective_value(const TwoLayerNetwork& network, const Eigen::VectorXd& x, double y,
                              const AttackOptions& options);

// One adversarial point per row of X (raw units, labels in {-1, +1}). Points outside the box are
// first clamped into it (the box takes precedence over the ball). PGD returns, per sample, the
// iterate with the largest objective (the start point included). Throw InputError for invalid
// options.
Eigen::MatrixXd fgsm_attack(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                            const Eigen::VectorXd& y, const AttackOptions& options);
Eigen::MatrixXd pgd_attack(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                           const Eigen::VectorXd& y, const AttackOptions& options);
Eigen::MatrixXd run_attack(AttackMethod method, const TwoLayerNetwork& network,
                           const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const AttackOptions& options);

struct RobustnessMetrics {
  double epsilon = 0.0;
  Eigen::Index samples = 0;
  double clean_accuracy = 0.0;
  double fgsm_accuracy = 0.0;       // accuracy on the FGSM points
  double pgd_accuracy = 0.0;        // accuracy on the PGD points
  double certified_accuracy = 0.0;  // certified by local_robustness.h (a lower bound on any attack)
};

RobustnessMetrics evaluate_robustness(const TwoLayerNetwork& network, const Eigen::MatrixXd& X,
                                      const Eigen::VectorXd& y, const AttackOptions& options);

}  // namespace convexnn
