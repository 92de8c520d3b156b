#pragma once
// Options of the first-order solvers for polynomial activations (science.md 9.5), validated with
// messages that name the field.
#include <cstdint>
#include <string>

namespace convexnn {

enum class PolynomialMethod {
  kAutomatic,    // nuclear norm when b = c = 0, else the lifted SDP
  kNuclearNorm,  // FISTA on W with the nuclear-norm prox (science.md 9.3); needs b = c = 0
  kLiftedSdp,    // projected FISTA on (Z, Z') over {Z psd, <J, Z> = 0} (science.md 9.2)
};

const char* to_string(PolynomialMethod method);

struct PolynomialSolverOptions {
  PolynomialMethod method = PolynomialMethod::kAutomatic;

  std::int64_t max_iterations = 20000;
  double relative_gap_tolerance = 1e-6;  // stop when (U - L) / max(1, |U|) is below this
  // Iterations between duality-gap evaluations (each costs a decomposition into neurons and, for
  // the lifted SDP, a few hundred small eigendecompositions).
  int certificate_interval = 10;
  int report_every = 1;      // observer is called every k-th iteration
  double max_seconds = 0.0;  // 0: no time limit

  // R-FISTA step control (science.md 10.2): the first step is 1 / (an estimate of the gradient's
  // Lipschitz constant) unless `initial_step` > 0; backtracking multiplies it by
  // `backtracking_factor` until the quadratic upper bound holds, and it grows by `step_growth`
  // when the bound holds with a margin of `step_growth_threshold`.
  double initial_step = 0.0;
  double backtracking_factor = 0.8;
  double step_growth = 1.25;
  double step_growth_threshold = 5.0;
  int max_backtracks = 50;
  bool restart = true;  // gradient-mapping restart (O'Donoghue & Candes)

  // Relative accuracy of <J, Z> = 0 in the projection, and the eigenvalue cut-off (relative to
  // the largest) below which the neural decomposition ignores a direction.
  double projection_tolerance = 1e-13;
  double decomposition_tolerance = 1e-12;

  // Returns an empty string when valid, otherwise a message naming the first invalid field.
  std::string validate() const;
};

}  // namespace convexnn
