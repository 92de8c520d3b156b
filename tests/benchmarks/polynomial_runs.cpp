// Iterations, time and gap of the polynomial-activation solvers (science.md 9.5) on 2-D demo sets
// (n = 40) and on the random problem of the authors' notebook (science.md 9.6: n = 100, d = 20,
// X = N(0,1)^4, 5 planted neurons, noise 0.1, sigma = 0.09 t^2 + 0.5 t + 0.47, beta = 0.1).
// Usage: convexnn_polynomial_runs [relative_gap_tolerance = 1e-6] [max_iterations = 20000]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "convexnn/generators.h"
#include "convexnn/polynomial_training.h"
#include "convexnn/random.h"

namespace {

using namespace convexnn;

void show(const std::string& label, const SolverSummary& s) {
  std::printf("%-46s %-15s its=%6lld time=%7.3fs U=%.10g L=%.10g relgap=%.2e neurons=%lld\n",
              label.c_str(), to_string(s.status), static_cast<long long>(s.iterations),
              s.total_seconds, s.network_objective, s.lower_bound, s.relative_gap,
              static_cast<long long>(s.active_neurons));
}

Dataset notebook_problem() {
  Rng rng(7);
  const int n = 100;
  const int d = 20;
  Dataset data;
  data.X.resize(n, d);
  for (Eigen::Index i = 0; i < data.X.size(); ++i) data.X(i) = std::pow(rng.normal(), 4);
  const Activation planted = Activation::polynomial(0.09, 0.5, 0.47);
  data.y = Eigen::VectorXd::Zero(n);
  for (int j = 0; j < 5; ++j) {
    Eigen::VectorXd q(d);
    for (int k = 0; k < d; ++k) q[k] = rng.normal();
    q.normalize();
    data.y += rng.normal() * planted.apply(data.X * q);
  }
  for (int i = 0; i < n; ++i) data.y[i] += 0.1 * rng.normal();
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  const double tolerance = argc > 1 ? std::atof(argv[1]) : 1e-6;
  const long long max_iterations = argc > 2 ? std::atoll(argv[2]) : 20000;
  for (const char* name : {"moons", "xor", "circle"}) {
    GeneratorSettings settings;
    settings.name = name;
    settings.n = 40;
    const Dataset data = generate_dataset(settings);
    for (const Activation& activation :
         {Activation::quadratic(), Activation::polynomial(0.09, 0.5, 0.47)}) {
      for (LossKind loss : {LossKind::kSquared, LossKind::kLogistic}) {
        for (PolynomialMethod method :
             {PolynomialMethod::kAutomatic, PolynomialMethod::kLiftedSdp}) {
          if (activation.kind == ActivationKind::kPolynomial &&
              method == PolynomialMethod::kLiftedSdp) {
            continue;  // automatic is already the lifted SDP
          }
          PolynomialTrainingConfig config;
          config.activation = activation;
          config.loss = loss;
          config.beta = 0.1;
          config.solver.method = method;
          config.solver.relative_gap_tolerance = tolerance;
          config.solver.max_iterations = max_iterations;
          const PolynomialTrainingResult result = train_polynomial_network(data, nullptr, config);
          show(std::string(name) + " n=40 " + activation.name() + " " + to_string(loss) + " " +
                   to_string(method),
               result.summary);
        }
      }
    }
  }
  const Dataset notebook = notebook_problem();
  for (bool bias : {false, true}) {
    for (bool standardize : {false, true}) {
      PolynomialTrainingConfig config;
      config.activation = Activation::polynomial(0.09, 0.5, 0.47);
      config.beta = 0.1;
      config.bias = bias;
      config.standardize = standardize;
      config.solver.relative_gap_tolerance = tolerance;
      config.solver.max_iterations = max_iterations;
      const PolynomialTrainingResult result = train_polynomial_network(notebook, nullptr, config);
      show(std::string("9.6 n=100 d=20 poly2 bias=") + (bias ? "1" : "0") +
               " standardize=" + (standardize ? "1" : "0"),
           result.summary);
    }
  }
  return 0;
}
