#pragma once
// Pattern candidates for column generation found by searching neuron space, not by random draws.
// Adding a small neuron u with output weight s to a network whose loss gradient at the prediction
// is lambda changes the objective at the rate
//   s * sum_k lambda_k (x_k^T u)_+  +  beta ||u||,
// so a block of pattern D = 1(X u >= 0) is worth adding when g_s(u) = -s sum_k lambda_k
// (x_k^T u)_+ / ||u|| exceeds beta (its exact dual constraint value, an NNLS over the cone of D,
// is at least g_s(u)). Random Gaussian patterns rarely come close to the maximizers of g in more
// than a few dimensions; a local ascent from many starts does. Each step replaces u by the
// maximizer over the unit ball of g's linearization at u, u <- X^T (D(u) r) / ||.|| with
// r = -s lambda (the fixed-point iteration of the linearized oracle), keeping the best point seen.
// The fixed point cannot settle on a maximum on a cell boundary, so the leading candidates
// then take exact steps: u <- argmax of g's piece over the closed cone of D(u) (an NNLS).
// The result is a heuristic: whether a candidate truly violates is decided by the exact test.
#include <Eigen/Dense>
#include <cstdint>
#include <string>

#include "convexnn/activation_patterns.h"

namespace convexnn {

struct NeuronSearchOptions {
  int random_starts = 1000;    // Gaussian unit directions per output sign
  int seed_perturbations = 2;  // perturbed copies of every seed direction (plus the seed itself)
  double perturbation_scale = 0.3;  // relative size of a perturbation
  int ascent_steps = 15;
  // Then, for the best refined_candidates_per_pattern * max_patterns starts, up to
  // refinement_steps exact steps u <- argmax of <c_D, v> over the closed cone of D = D(u) (one
  // NNLS each); g never decreases along them and they reach maxima on cell boundaries.
  int refinement_steps = 3;
  int refined_candidates_per_pattern = 3;
  // Refine only the best start of each cell (and sign). Many starts end in the same cell, the
  // seeds' cells above all; their copies crowd out the cells behind them. Neuron generation needs
  // it (without it a 2-D generation ends at 4.332 against the optimum 4.312); pattern
  // generation does better without it on teacher10 (objective 506.6 vs 517.1 after 4 rounds:
  // the refined generator moves to a cell boundary, so its pattern is no longer the start's).
  bool refine_one_start_per_cell = false;
  int max_patterns = 100;  // distinct patterns returned, best first
  // Diversity: a candidate whose generator lies within this angle of a better one's is skipped.
  // Many starts end near the same local maximum, and twenty variants of one neuron help the
  // next solve about as much as one (measured: they lost to twenty random draws).
  double min_angle_degrees = 10.0;
  std::uint64_t seed = 23;

  std::string validate() const;  // names the field
};

struct NeuronSearchResult {
  PatternSet patterns;      // distinct patterns, best score first
  Eigen::VectorXd scores;   // g(u) of each pattern's generator (the better sign)
  double best_score = 0.0;  // the largest g found (0 when none is positive)
};

// lambda: the loss gradient at the current prediction (n), scaled as the caller wants it
// compared with beta. seed_directions (d x k, may be empty): e.g. the current network's neurons;
// the search also starts from them and from perturbations of them.
// `known` (optional): patterns already in the program; they are never returned, so that
// `max_patterns` counts fresh candidates only (the current neurons score high themselves).
NeuronSearchResult search_neuron_patterns(const Eigen::MatrixXd& X, const Eigen::VectorXd& lambda,
                                          const Eigen::MatrixXd& seed_directions,
                                          const NeuronSearchOptions& options,
                                          const PatternSet* known = nullptr);

}  // namespace convexnn
