#pragma once
// The data and model options shared by `train` and `compare` (--data/--dataset, --formulation,
// --loss, --beta, --test-fraction, ...) and the convex solver's options, with the one way of
// turning them into a prepared problem.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "cli_common.h"
#include "convexnn/data_split.h"
#include "convexnn/training.h"

namespace convexnn::cli {

struct ProblemOptions {
  DataSourceOptions data;
  // exact, sampled, or (where allowed) auto: exact when the training data permit it.
  std::string formulation = "sampled";
  int patterns = 200;
  std::string loss = "squared";
  double beta = 1e-2;
  double test_fraction = 0.0;
  std::string standardize = "none";
  // relu | leaky-relu | abs (convex program C-sigma) | quadratic | poly2 (semidefinite program).
  std::string activation = "relu";
  // --leaky-slope; NaN when not given (then kDefaultLeakySlope for leaky-relu).
  double leaky_slope = std::numeric_limits<double>::quiet_NaN();
  // --poly "a,b,c" for poly2; empty when not given (then kDefaultPolyCoefficients).
  std::string poly;
};

inline constexpr double kDefaultLeakySlope = 0.01;
// a t^2 + b t + c approximating ReLU-like activations (science.md 9.6).
inline constexpr double kDefaultPolyCoefficients[3] = {0.09, 0.5, 0.47};

// The activation named by --activation / --leaky-slope / --poly; throws InputError naming the
// option.
Activation make_activation(const ProblemOptions& problem);

struct ConvexSolverCliOptions {
  std::string solver = "admm";  // admm, al or gated
  std::string rho = "auto";
  std::int64_t max_iterations = 20000;
  double tolerance = 1e-6;
  double max_seconds = 0.0;
  int features = 500;              // --solver scp: sampled neuron directions
  bool generate_patterns = false;  // pattern column generation around ADMM
  int generation_batch = 200;
  int generation_rounds = 20;
  std::string generation_search = "random";  // random or neuron
  int slide_iterations = 0;                  // neuron generation: L-BFGS per round
  int final_slide_iterations = 0;            // neuron generation: L-BFGS at the end
  double final_slide_share = 0.5;            // of --max-seconds, for the final slide
  bool polish = true;                        // ADMM's interior-point polish
  double kkt_tolerance = 0.0;                // --solver al: scnn's stopping rule (0: off)
  std::string gated_method = "auto";         // --solver gated: auto, rfista or admm
  int sketch_rank = 128;                     // --gated-method admm: Nystrom sketch rank
};

// `allow_auto_formulation` adds the choice "auto"; the caller sets the default in `options`.
void add_problem_options(CLI::App& command, ProblemOptions& options,
                         bool allow_auto_formulation = false);
void add_convex_solver_options(CLI::App& command, ConvexSolverCliOptions& options);

// "exact" when `formulation` is auto and the training set is 2-D with at most kMaxExactSamples
// samples, "sampled" for any other auto, else `formulation` itself.
std::string resolve_formulation(const std::string& formulation, const Dataset& train);

// Throws InputError naming the option.
TrainingConfig make_training_config(const ProblemOptions& problem,
                                    const ConvexSolverCliOptions& solver, double epsilon = 0.0);

struct LoadedProblem {
  Dataset dataset;
  TrainTestSplit split;
  std::string formulation;  // resolved: exact or sampled
  TrainingConfig config;
  PreparedProblem prepared;
};

// Loads or generates the data, splits it with --seed and builds the convex program.
LoadedProblem load_problem(const ProblemOptions& problem, const ConvexSolverCliOptions& solver,
                           double epsilon = 0.0);

}  // namespace convexnn::cli
