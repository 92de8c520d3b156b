#pragma once
// Cost estimates of the solvers' steps from operation counts, in nanoseconds of the development
// machine (2 cores, AVX-512 build, blocked parallel kernels), fitted to measured times of exact
// and sampled problems (n = 30 to 2000, d = 3 to 11, 2P = 326 to 28562; within a factor of 2).
// Certificates and polishing are spaced by these estimates instead of measured time, so a run
// takes the same steps on every execution whatever the machine's load. Only ratios matter.
#include <cstdint>

#include "convexnn/convex_problem.h"

namespace convexnn::cost {

constexpr double kIteration = 3000.0;         // fixed part of an ADMM iteration
constexpr double kIterationBlock = 4.5;       // per sample and block (n 2P): masks, prox, norms
constexpr double kIterationBlockDim = 0.1;    // per n d 2P: products with X (GEMM)
constexpr double kSplitBlock = 1.0;           // per n 2P with the prediction split off (4.6)
constexpr double kSolveEntry = 0.3;           // per factor entry read in the triangular solves
constexpr double kFlop = 0.1;                 // per multiply-add of a dense factorization
constexpr double kCertificate = 50000.0;      // fixed part of a certificate
constexpr double kCertificateBlock = 10.0;    // per n 2P: projection, value, dual bound
constexpr double kCertificateBlockDim = 1.5;  // per n d 2P
// Per operation counted by the NNLS solves. Measured 0.73-0.95 ns on teacher10 (d = 11, the
// cone projection's NNLS per block; the certificates' main cost there), where 0.25 made an AL run
// spend ~20% on certificates instead of the ~10% its schedule aims at.
constexpr double kNnlsOperation = 0.7;
// One evaluation of the augmented Lagrangian's smooth part (pattern_augmented_lagrangian): with
// its gradient (one GEMM each way and three passes over n 2P), or its value alone (one GEMM, two
// passes).
constexpr double kAugmentedGradientBlock = 3.0;
constexpr double kAugmentedGradientBlockDim = 0.1;
constexpr double kAugmentedValueBlock = 2.0;
constexpr double kAugmentedValueBlockDim = 0.05;

// n 2P and n d 2P.
inline double sample_blocks(const ConvexProblem& problem) {
  return static_cast<double>(problem.num_samples()) * static_cast<double>(problem.num_blocks());
}
inline double sample_block_dims(const ConvexProblem& problem) {
  return sample_blocks(problem) * static_cast<double>(problem.dim());
}

// A certificate: projection onto the cones, its value, and the dual bound, whose NNLS solves
// report their operation counts.
inline double certificate(const ConvexProblem& problem, std::int64_t nnls_operations) {
  return kCertificate + kCertificateBlock * sample_blocks(problem) +
         kCertificateBlockDim * sample_block_dims(problem) +
         kNnlsOperation * static_cast<double>(nnls_operations);
}

}  // namespace convexnn::cost
