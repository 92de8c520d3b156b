#pragma once
// Activation patterns d = 1(X h >= 0) of a (bias-augmented) design matrix X, science.md section 2.
#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace convexnn {

enum class PatternMode { kExact, kSampled };

// P patterns of n samples. Stored as a dense 0/1 matrix because every hot product of the solver
// multiplies by it (masking after a GEMM), which is faster than bit tests in inner loops.
struct PatternSet {
  Eigen::MatrixXd masks;       // n x P, entries 0 or 1, no zero column, no duplicate columns
  Eigen::MatrixXd generators;  // dim x P: a vector h with 1(X h >= 0) == masks.col(i)
  PatternMode mode = PatternMode::kSampled;

  Eigen::Index num_patterns() const { return masks.cols(); }
  Eigen::Index num_samples() const { return masks.rows(); }
};

// A compact key of a 0/1 mask column (one bit per sample), for sets of distinct patterns.
std::string pattern_mask_key(const Eigen::Ref<const Eigen::VectorXd>& mask);

// The patterns (masks and generators) at `columns` of `set`, in that order; same mode.
PatternSet select_patterns(const PatternSet& set, const std::vector<Eigen::Index>& columns);

// Samples `samples` Gaussian vectors h ~ N(0, I) (bias component included when X has a bias
// column), keeps the distinct non-zero patterns and their generators. Fewer than `samples`
// patterns may result when draws coincide.
PatternSet sample_patterns(const Eigen::MatrixXd& X, int samples, std::uint64_t seed);

// The patterns of given generator vectors (columns of `generators`, dim = X.cols()), deduplicated,
// zero patterns dropped. Seeding the pattern set with the neurons [w_j, b_j] of a trained network
// (science.md 8.3) makes that network feasible for the convex program (rescaled, its neurons become
// blocks on their own patterns), so the convex optimum over these patterns is never worse than it.
PatternSet patterns_from_generators(const Eigen::MatrixXd& X, const Eigen::MatrixXd& generators);
// Exact enumeration for 2-D data with bias: X must be n x 3 with a last column of ones.
// Uses the vertex sweep of science.md 2.4, exact also for collinear or repeated points.
PatternSet enumerate_patterns_2d(const Eigen::MatrixXd& X_with_bias);

// Keeps the first pattern of each complementary pair {D, I - D} (and every pattern whose
// complement is absent). For the absolute value, S_{I-D} = -S_D and K_{I-D} = -K_D, so the pair
// (D, v) and (I - D, -v) give identical terms (science.md 8.1): the program keeps its optimum with
// about half the patterns.
PatternSet drop_complementary_patterns(const PatternSet& patterns);

// 2 * sum_{k<3} C(n-1, k) - 1: the number of non-zero patterns of n points in general position in
// the plane (with bias).
std::int64_t general_position_pattern_count_2d(std::int64_t n);

const char* to_string(PatternMode mode);
PatternMode pattern_mode_from_string(const std::string& name);  // throws InputError

}  // namespace convexnn
