#pragma once
// Pattern column generation for sampled patterns (science.md 11.1, last paragraph): after solving
// over the current patterns, draw a batch of fresh patterns and test the dual certificate on them;
// a fresh pattern whose constraint min_{alpha >= 0} |X^T D lambda - A^T alpha| exceeds beta is a
// descent direction, so add every such pattern and re-solve from the previous solution (its new
// blocks start at zero), until a batch finds none. The objective never increases: the previous
// solution stays feasible and the warm-started solver considers it first.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "convexnn/admm_solver.h"
#include "convexnn/neuron_search.h"

namespace convexnn {

// Where a round's candidate patterns come from.
enum class CandidateSource {
  kRandomDraws,   // `batch_size` Gaussian draws (sample_patterns), seed `seed + round`
  kNeuronSearch,  // neurons that locally maximize the dual constraint (neuron_search.h)
};

struct PatternGenerationOptions {
  CandidateSource source = CandidateSource::kRandomDraws;
  int batch_size = 200;  // fresh Gaussian draws per round
  // kNeuronSearch: its seed is advanced by the round; the current network's neurons are seeds.
  NeuronSearchOptions search;
  int max_rounds = 20;      // solves after the first
  std::uint64_t seed = 17;  // for the fresh draws (round r uses seed + r)
  // A fresh block violates when theta * q > beta * (1 + violation_tolerance), theta the
  // certificate's dual scale.
  double violation_tolerance = 1e-6;
  // Where candidates come from; empty: `batch_size` Gaussian draws (sample_patterns) with seed
  // `seed + round`. A caller can offer e.g. a trained network's patterns or, on tiny problems,
  // the exact enumeration (then "no violation" certifies the exact program).
  std::function<PatternSet(const Eigen::MatrixXd& X, int round)> candidates;
  // Neuron generation (solve_with_neuron_generation) only: L-BFGS iterations that slide the
  // neurons on the non-convex objective before each round's search (neuron_sliding.h); 0: the
  // directions stay where they were added.
  int slide_iterations = 0;
  // Neuron generation only: L-BFGS iterations that slide the final neurons after the last round
  // (0: none). Wider networks slide to lower local minima (teacher10: from 757 generated neurons
  // to 0.0888, from 1139 to 0.0864), so the rounds grow first and the slide polishes. With a time
  // limit, the rounds stop at (1 - final_slide_share) of it and the slide gets the rest.
  int final_slide_iterations = 0;
  double final_slide_share = 0.5;

  std::string validate() const;  // names the field
};

struct PatternGenerationSummary {
  SolverSummary summary;  // of the last solve, on the final pattern set
  std::int64_t initial_patterns = 0;
  std::int64_t patterns_added = 0;
  int rounds = 0;                             // solves after the first
  bool no_violation_found = false;            // the last batch had no violating pattern
  std::vector<double> round_objectives;       // U after each solve, the first one included
  std::vector<std::int64_t> round_additions;  // patterns added after each solve
  // Neuron generation: L-BFGS iterations of all slides, and the objective they took the network
  // from and to (the last slide's; NaN without one).
  std::int64_t slide_iterations = 0;
  double slide_objective_before = std::numeric_limits<double>::quiet_NaN();
  double slide_objective_after = std::numeric_limits<double>::quiet_NaN();
};

// Patterns among `candidates` that violate the dual constraint at `lambda` scaled by `theta`, as
// a PatternSet (masks and generators), for the problem's data and beta.
PatternSet violating_patterns(const ConvexProblem& problem, const PatternSet& candidates,
                              const Eigen::VectorXd& lambda, double theta, double tolerance);

// Appends `extra` patterns to the problem (finalizing it) and zero blocks to `solution`'s state
// and blocks so that it warm-starts the enlarged problem from the same point.
void append_patterns(ConvexProblem& problem, const PatternSet& extra, AdmmSolution* solution);

// Solves `problem` (sampled patterns) with ADMM, then generates patterns as described above.
// `problem` grows; the observer sees every solve's iterations, numbered and timed from the
// first solve's start (RoundOffsetObserver); `summary.iterations` counts the last solve's.
PatternGenerationSummary solve_with_pattern_generation(ConvexProblem& problem,
                                                       const AdmmOptions& options,
                                                       const PatternGenerationOptions& generation,
                                                       AdmmSolution* solution,
                                                       const SolveContext& context = {});

}  // namespace convexnn
