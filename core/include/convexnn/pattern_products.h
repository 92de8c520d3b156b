#pragma once
// The hot products of the convex program (science.md 4.4) over the whole pattern set,
//   F u = sum_i S_i X (v_i - w_i),   F^T r,   G u = [(2 D_i - I) X u_b]_b,   G^T S,
// reading the patterns as compact 0/1 byte masks (n x P bytes instead of n x P doubles) where they
// are applied elementwise; F^T r is a GEMM against the diagonals themselves.
//
// Each product is one GEMM per chunk of rows whose n_c x 2P result stays in cache, masked and
// reduced in the same pass, so the n x 2P intermediate never travels to memory. Chunks run in
// parallel on oneTBB. The chunking depends only on the shape, never on the number of threads,
// and sums over samples add the chunks' partial sums in chunk order: the results are
// bit-identical for any thread count.
#include <Eigen/Dense>
#include <cstdint>
#include <functional>
#include <vector>

#include "convexnn/loss.h"

namespace convexnn {

using CompactMasks = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic>;

// S_i = offset I + slope D_i: ReLU (0, 1), leaky ReLU (kappa, 1 - kappa), absolute value (-1, 2).
struct ActivationDiagonal {
  double offset = 0.0;
  double slope = 1.0;
};

CompactMasks compact_masks(const Eigen::MatrixXd& masks);

// Rows per chunk for products with `columns` output columns: the chunk's product takes about
// 1 MB (a fraction of one core's L2).
Eigen::Index rows_per_chunk(Eigen::Index columns);

// Runs chunk(chunk_index, first_row, row_count) for every chunk of `rows_per_chunk` rows of
// 0..n-1, in parallel.
void for_each_row_chunk(Eigen::Index n, Eigen::Index chunk_rows,
                        const std::function<void(Eigen::Index, Eigen::Index, Eigen::Index)>& chunk);

// destination = lhs * rhs for a chunk's GEMM: the outer product of lhs's first column writes the
// destination and the GEMM adds the rest. Eigen's `noalias() =` clears the destination before
// accumulating into it, a pass over it as long as the product's own when lhs has few columns
// (teacher10's AL, 800 iterations on one thread: 13.6 s -> 12.0 s).
template <typename Destination, typename Lhs, typename Rhs>
void write_product(Destination&& destination, const Lhs& lhs, const Rhs& rhs) {
  destination.noalias() = lhs.col(0) * rhs.row(0);
  const Eigen::Index rest = lhs.cols() - 1;
  if (rest > 0) destination.noalias() += lhs.rightCols(rest) * rhs.bottomRows(rest);
}

// Sums per-chunk d x c partials in chunk order (deterministic).
Eigen::MatrixXd sum_in_order(const std::vector<Eigen::MatrixXd>& partials, Eigen::Index rows,
                             Eigen::Index cols);

// F u for blocks = [V, W] (d x 2P).
Eigen::VectorXd pattern_predict(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                ActivationDiagonal diagonal, const Eigen::MatrixXd& blocks);
// F u for blocks whose v - w is `difference` (d x P): sum_i S_i X difference_i.
Eigen::VectorXd pattern_predict_differences(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                            ActivationDiagonal diagonal,
                                            const Eigen::MatrixXd& difference);
// F^T r as d x 2P: X^T S_i r for the v-blocks, its negative for the w-blocks. Takes the
// diagonals s_i as doubles (n x P): one GEMM against them beats converting the byte masks.
Eigen::MatrixXd pattern_predict_adjoint(const Eigen::MatrixXd& X, const Eigen::MatrixXd& diagonals,
                                        const Eigen::VectorXd& r);
// The v-half of F^T r: [X^T S_i r]_i as d x P.
Eigen::MatrixXd pattern_adjoint_half(const Eigen::MatrixXd& X, const Eigen::MatrixXd& diagonals,
                                     const Eigen::VectorXd& r);
// F^T F applied to gated blocks (d x P), i.e. pattern_adjoint_half of
// pattern_predict_differences, in one pass over X: F v is row-local, so each chunk's adjoint reuses
// the chunk of X while it is in cache (half the memory traffic for large d). Writes F v to
// `prediction` when given.
Eigen::MatrixXd pattern_normal_product(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                       ActivationDiagonal diagonal,
                                       const Eigen::MatrixXd& diagonals,
                                       const Eigen::MatrixXd& blocks,
                                       Eigen::VectorXd* prediction = nullptr);
// G u as n x 2P.
Eigen::MatrixXd pattern_cone_values(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                    const Eigen::MatrixXd& blocks);
// sum over blocks and samples of ((G u)_-)^2, the squared cone violation, without forming G u.
double pattern_cone_violation(const Eigen::MatrixXd& X, const CompactMasks& masks,
                              const Eigen::MatrixXd& blocks);
// G^T S for S n x 2P, as d x 2P.
Eigen::MatrixXd pattern_cone_adjoint(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                     const Eigen::MatrixXd& slacks);

// The augmented Lagrangian's scaled multipliers (n x 2P, non-negative), nonzeros only, grouped by
// the row chunks of pattern_augmented_lagrangian and within a chunk by column, so that the kernel
// reads each chunk's share in one sequential run. Most cone constraints are inactive (13% of the
// multipliers nonzero on teacher10), and reading the dense matrix, 16 MB per evaluation there,
// was the kernel's largest cost.
struct ChunkedMultipliers {
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  Eigen::Index chunk_rows = 0;
  // Chunk c's nonzeros of column j are entries [starts[c cols + j], starts[c cols + j + 1]).
  std::vector<std::int64_t> starts;
  std::vector<std::int32_t> row_in_chunk;
  std::vector<double> values;
};
ChunkedMultipliers chunk_multipliers(const Eigen::MatrixXd& scaled_multipliers);

// The smooth part of the augmented Lagrangian (augmented_lagrangian.h) for blocks u = [V, W]:
//   l(F u) + (delta / 2) ||(multipliers / delta - G u)_+||^2
// and, when `gradient` is not null, its gradient F^T l'(F u) - delta G^T (multipliers / delta -
// G u)_+ (d x 2P), in one pass: per row chunk one GEMM X_c u gives both F u and G u on those rows
// (the prediction is row-local), the loss and penalty terms are formed there, and one GEMM X_c^T
// maps them back. The separate products take four GEMMs and six passes over n x 2P matrices.
// Deterministic for any thread count (chunk results summed in chunk order). Each column's
// nonzero multipliers in a chunk are scattered into a zeroed row buffer that the pass reads, so
// the arithmetic is that of the dense multipliers. Throws std::invalid_argument when the
// multipliers were chunked for another shape.
double pattern_augmented_lagrangian(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                    ActivationDiagonal diagonal, const Eigen::MatrixXd& blocks,
                                    const ChunkedMultipliers& scaled_multipliers, double penalty,
                                    LossKind loss, const Eigen::VectorXd& y,
                                    Eigen::MatrixXd* gradient);

// Single precision versions of pattern_predict_differences and pattern_adjoint_half, for the gated
// solver's GatedReluOptions::single_precision: X and the diagonals as floats (copies made once per
// solve), the GEMM and the masked reduction in float (twice the lanes of double: 1.9-2.0x the
// double kernels' speed at teacher10's shape), while longer sums run in double: F u adds the float
// sums of groups of 32 patterns in double, F^T r the float partials of the row chunks. Arguments
// and results stay double. Same chunking and order as the double kernels, so the results are
// bit-identical for any thread count; they agree with the double products to float accuracy
// (about 1e-6 relative).
Eigen::VectorXd pattern_predict_differences(const Eigen::MatrixXf& X, const CompactMasks& masks,
                                            ActivationDiagonal diagonal,
                                            const Eigen::MatrixXd& difference);
Eigen::MatrixXd pattern_adjoint_half(const Eigen::MatrixXf& X, const Eigen::MatrixXf& diagonals,
                                     const Eigen::VectorXd& r);
// pattern_normal_product with float X and diagonals (the two GEMMs in float, the masked sum and
// the chunk sums in double): for the Nystrom sketch and early, loose CG solves of the gated ADMM.
Eigen::MatrixXd pattern_normal_product(const Eigen::MatrixXf& X, const Eigen::MatrixXf& diagonals,
                                       const Eigen::MatrixXd& blocks);

}  // namespace convexnn
