// Google Benchmark: the solver's hot products (science.md 4.4) and one ADMM solve.
#include <benchmark/benchmark.h>

#include "convexnn/admm_solver.h"
#include "convexnn/generators.h"
#include "convexnn/parallelism.h"
#include "convexnn/pattern_products.h"
#include "convexnn/random.h"
#include "convexnn/training.h"

namespace {

convexnn::PreparedProblem make_problem(int n, int patterns) {
  convexnn::GeneratorSettings settings;
  settings.name = "gaussians";
  settings.n = n;
  settings.noise = 0.2;
  const convexnn::Dataset data = convexnn::generate_dataset(settings);
  convexnn::TrainingConfig config;
  config.pattern_samples = patterns;
  return convexnn::prepare_problem(data, nullptr, config);
}

void BM_PredictProduct(benchmark::State& state) {
  const auto prepared = make_problem(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const Eigen::MatrixXd blocks = Eigen::MatrixXd::Random(prepared.problem.dim(), prepared.problem.num_blocks());
  for (auto _ : state) benchmark::DoNotOptimize(prepared.problem.predict(blocks));
}
BENCHMARK(BM_PredictProduct)->Args({1000, 200});

void BM_ConeProduct(benchmark::State& state) {
  const auto prepared = make_problem(static_cast<int>(state.range(0)), static_cast<int>(state.range(1)));
  const Eigen::MatrixXd blocks = Eigen::MatrixXd::Random(prepared.problem.dim(), prepared.problem.num_blocks());
  for (auto _ : state) benchmark::DoNotOptimize(prepared.problem.cone_values(blocks));
}
BENCHMARK(BM_ConeProduct)->Args({1000, 200});

// The gated solver's two products at teacher10's shape (n = 2000, d = 11, P = 500) on one
// thread, with double (range 0) or single precision (range 1) GEMMs.
struct GatedShape {
  GatedShape() {
    convexnn::Rng rng(5);
    problem.X = Eigen::MatrixXd::Random(2000, 11);
    problem.y = Eigen::VectorXd::Ones(2000);
    problem.patterns.masks.resize(2000, 500);
    for (Eigen::Index k = 0; k < problem.patterns.masks.size(); ++k) {
      problem.patterns.masks(k) = rng.uniform(0, 1) < 0.5 ? 1.0 : 0.0;
    }
    problem.patterns.generators = Eigen::MatrixXd::Zero(11, 500);
    problem.finalize();
    X = problem.X.cast<float>();
    diagonals = problem.activation_diagonals().cast<float>();
    masks = convexnn::compact_masks(problem.patterns.masks);
  }
  convexnn::ConvexProblem problem;
  Eigen::MatrixXf X, diagonals;
  convexnn::CompactMasks masks;
};

void BM_GatedPredict(benchmark::State& state) {
  const GatedShape shape;
  const Eigen::MatrixXd difference = Eigen::MatrixXd::Random(11, 500);
  convexnn::run_with_thread_limit(1, [&] {
    for (auto _ : state) {
      if (state.range(0) == 0) {
        benchmark::DoNotOptimize(shape.problem.predict_differences(difference));
      } else {
        benchmark::DoNotOptimize(convexnn::pattern_predict_differences(
            shape.X, shape.masks, convexnn::ActivationDiagonal{}, difference));
      }
    }
  });
}
BENCHMARK(BM_GatedPredict)->Arg(0)->Arg(1);

void BM_GatedAdjoint(benchmark::State& state) {
  const GatedShape shape;
  const Eigen::VectorXd r = Eigen::VectorXd::Random(2000);
  convexnn::run_with_thread_limit(1, [&] {
    for (auto _ : state) {
      if (state.range(0) == 0) {
        benchmark::DoNotOptimize(shape.problem.pattern_adjoint(r));
      } else {
        benchmark::DoNotOptimize(convexnn::pattern_adjoint_half(shape.X, shape.diagonals, r));
      }
    }
  });
}
BENCHMARK(BM_GatedAdjoint)->Arg(0)->Arg(1);

void BM_AdmmSampled(benchmark::State& state) {
  const auto prepared = make_problem(1000, 200);
  convexnn::AdmmOptions options;
  options.max_iterations = 200;
  options.polish = false;
  for (auto _ : state) {
    convexnn::AdmmSolution solution;
    benchmark::DoNotOptimize(convexnn::solve_admm(prepared.problem, options, &solution));
  }
}
BENCHMARK(BM_AdmmSampled)->Unit(benchmark::kMillisecond);

}  // namespace
