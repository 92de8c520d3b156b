#pragma once
// Column generation for the sampled convex program (random_feature_program.h): instead of fixing
// N random neuron directions, grow the dictionary where the dual says the objective can drop.
// The SCP's lasso over unit directions u_j is the weight-decay network objective; over all unit
// directions it is the infinite-width program, whose optimum is the global optimum of the
// two-layer ReLU network (science.md 1-3). At a lasso solution with loss gradient lambda, a
// direction u with |lambda^T sigma(X u)| > beta lowers the objective when added (its lasso
// optimality condition fails), so each round adds the most violating directions that a
// candidate source finds, drops the directions whose weight is zero, and re-solves the lasso warm
// (fully corrective conditional gradient). The objective never increases. Each round's lasso
// certificate is exact for its dictionary; a round that finds no violation certifies the global
// optimum only as far as the candidate source is exhaustive (the neuron search is a heuristic).
#include <string>

#include "convexnn/pattern_generation.h"
#include "convexnn/random_feature_program.h"

namespace convexnn {

// `problem`: data, loss, beta and activation as for solve_random_features (the neuron search
// needs relu). The first lasso is over `lasso.features` random directions (or `solution`'s
// directions, as a warm start); then up to generation.max_rounds rounds, each adding at most
// generation.batch_size directions: for CandidateSource::kNeuronSearch the search's generators
// (seeded by the directions in use; its max_patterns is set to batch_size, its diversity angle
// capped at 2 degrees), for kRandomDraws
// batch_size fresh unit directions. lasso.max_seconds bounds the whole run, lasso.rfista's
// iteration limit each round's lasso. Patterns and generation.candidates are not used. Reports
// are numbered and timed from the first solve's start; `summary.iterations` counts the last
// solve's.
// Empty when `source` can generate neurons for `activation`, else why not (the neuron search
// maximizes lambda^T (X u)_+, so it needs relu); for TrainingConfig::validate and the solver.
std::string neuron_generation_error(const Activation& activation, CandidateSource source);

PatternGenerationSummary solve_with_neuron_generation(const ConvexProblem& problem,
                                                      const RandomFeatureOptions& lasso,
                                                      const PatternGenerationOptions& generation,
                                                      RandomFeatureSolution* solution,
                                                      const SolveContext& context = {});

}  // namespace convexnn
