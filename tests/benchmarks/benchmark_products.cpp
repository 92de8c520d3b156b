// Google Benchmark: the solver's hot products (science.md 4.4) and one ADMM solve.
#include <benchmark/benchmark.h>

#include "convexnn/admm_solver.h"
#include "convexnn/generators.h"
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
