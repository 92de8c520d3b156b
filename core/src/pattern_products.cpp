#include "convexnn/pattern_products.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace convexnn {

CompactMasks compact_masks(const Eigen::MatrixXd& masks) {
  CompactMasks compact(masks.rows(), masks.cols());
  for (Eigen::Index k = 0; k < masks.size(); ++k) compact(k) = masks(k) > 0.5 ? 1 : 0;
  return compact;
}

Eigen::Index rows_per_chunk(Eigen::Index columns) {
  constexpr Eigen::Index kChunkDoubles = Eigen::Index{1} << 17;  // 1 MB
  const Eigen::Index rows = kChunkDoubles / std::max<Eigen::Index>(1, columns);
  return std::clamp<Eigen::Index>(rows / 16 * 16, 32, 4096);
}

void for_each_row_chunk(
    Eigen::Index n, Eigen::Index chunk_rows,
    const std::function<void(Eigen::Index, Eigen::Index, Eigen::Index)>& chunk) {
  const Eigen::Index chunks = (n + chunk_rows - 1) / chunk_rows;
  auto run = [&](Eigen::Index c) {
    const Eigen::Index first = c * chunk_rows;
    chunk(c, first, std::min(chunk_rows, n - first));
  };
  if (chunks <= 1) {
    for (Eigen::Index c = 0; c < chunks; ++c) run(c);
    return;
  }
  tbb::parallel_for(tbb::blocked_range<Eigen::Index>(0, chunks, 1),
                    [&](const tbb::blocked_range<Eigen::Index>& range) {
                      for (Eigen::Index c = range.begin(); c != range.end(); ++c) run(c);
                    });
}

Eigen::MatrixXd sum_in_order(const std::vector<Eigen::MatrixXd>& partials, Eigen::Index rows,
                             Eigen::Index cols) {
  Eigen::MatrixXd total = Eigen::MatrixXd::Zero(rows, cols);
  for (const Eigen::MatrixXd& partial : partials) total += partial;
  return total;
}

Eigen::VectorXd pattern_predict(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                ActivationDiagonal diagonal, const Eigen::MatrixXd& blocks) {
  const Eigen::Index P = masks.cols();
  return pattern_predict_differences(X, masks, diagonal, blocks.leftCols(P) - blocks.rightCols(P));
}

Eigen::VectorXd pattern_predict_differences(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                            ActivationDiagonal diagonal,
                                            const Eigen::MatrixXd& difference) {
  const Eigen::Index n = X.rows();
  const Eigen::Index P = masks.cols();
  Eigen::VectorXd result(n);
  for_each_row_chunk(
      n, rows_per_chunk(P), [&](Eigen::Index, Eigen::Index first, Eigen::Index rows) {
        Eigen::MatrixXd product(rows, P);
        product.noalias() = X.middleRows(first, rows) * difference;
        // Mask and reduce column by column while the product is in cache: contiguous, vectorized.
        double* __restrict sum = result.data() + first;
        for (Eigen::Index i = 0; i < rows; ++i) sum[i] = 0.0;
        for (Eigen::Index j = 0; j < P; ++j) {
          const double* __restrict column = product.col(j).data();
          const std::uint8_t* __restrict mask = masks.col(j).data() + first;
          for (Eigen::Index i = 0; i < rows; ++i) {
            sum[i] += column[i] * (diagonal.offset + diagonal.slope * static_cast<double>(mask[i]));
          }
        }
      });
  return result;
}

Eigen::MatrixXd pattern_predict_adjoint(const Eigen::MatrixXd& X, const Eigen::MatrixXd& diagonals,
                                        const Eigen::VectorXd& r) {
  const Eigen::Index P = diagonals.cols();
  Eigen::MatrixXd result(X.cols(), 2 * P);
  result.leftCols(P) = pattern_adjoint_half(X, diagonals, r);
  result.rightCols(P) = -result.leftCols(P);
  return result;
}

Eigen::MatrixXd pattern_adjoint_half(const Eigen::MatrixXd& X, const Eigen::MatrixXd& diagonals,
                                     const Eigen::VectorXd& r) {
  const Eigen::Index n = X.rows();
  const Eigen::Index d = X.cols();
  const Eigen::Index P = diagonals.cols();
  const Eigen::Index chunk_rows = rows_per_chunk(P);
  std::vector<Eigen::MatrixXd> partials(
      static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows));
  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    // X^T S_i r = (r o X)^T s_i for all i at once: one GEMM against the diagonals, with r folded
    // into the small rows x d factor instead of the rows x P one.
    const Eigen::MatrixXd weighted_rows =
        X.middleRows(first, rows).array().colwise() * r.segment(first, rows).array();
    Eigen::MatrixXd& partial = partials[static_cast<std::size_t>(c)];
    partial.noalias() = weighted_rows.transpose() * diagonals.middleRows(first, rows);
  });
  return sum_in_order(partials, d, P);
}

Eigen::MatrixXd pattern_normal_product(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                       ActivationDiagonal diagonal,
                                       const Eigen::MatrixXd& diagonals,
                                       const Eigen::MatrixXd& blocks, Eigen::VectorXd* prediction) {
  const Eigen::Index n = X.rows();
  const Eigen::Index d = X.cols();
  const Eigen::Index P = masks.cols();
  // The chunk of X (rows x d) and its product (rows x P) both stay in cache.
  const Eigen::Index chunk_rows = rows_per_chunk(std::max(d, P));
  std::vector<Eigen::MatrixXd> partials(
      static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows));
  if (prediction) prediction->resize(n);
  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    const auto X_chunk = X.middleRows(first, rows);
    Eigen::MatrixXd product(rows, P);
    product.noalias() = X_chunk * blocks;
    // (F v) on these rows: the same masked reduction as pattern_predict_differences.
    Eigen::VectorXd chunk_prediction = Eigen::VectorXd::Zero(rows);
    double* __restrict sum = chunk_prediction.data();
    for (Eigen::Index j = 0; j < P; ++j) {
      const double* __restrict column = product.col(j).data();
      const std::uint8_t* __restrict mask = masks.col(j).data() + first;
      for (Eigen::Index i = 0; i < rows; ++i) {
        sum[i] += column[i] * (diagonal.offset + diagonal.slope * static_cast<double>(mask[i]));
      }
    }
    if (prediction) prediction->segment(first, rows) = chunk_prediction;
    // F^T of it on the same rows, while X_chunk is still in cache.
    const Eigen::MatrixXd weighted_rows = X_chunk.array().colwise() * chunk_prediction.array();
    Eigen::MatrixXd& partial = partials[static_cast<std::size_t>(c)];
    partial.noalias() = weighted_rows.transpose() * diagonals.middleRows(first, rows);
  });
  return sum_in_order(partials, d, P);
}

Eigen::MatrixXd pattern_cone_values(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                    const Eigen::MatrixXd& blocks) {
  const Eigen::Index n = X.rows();
  const Eigen::Index P = masks.cols();
  Eigen::MatrixXd values(n, 2 * P);
  for_each_row_chunk(
      n, rows_per_chunk(2 * P), [&](Eigen::Index, Eigen::Index first, Eigen::Index rows) {
        // The GEMM writes straight into the output rows, and the signs are applied there while
        // the chunk is still in cache.
        values.middleRows(first, rows).noalias() = X.middleRows(first, rows) * blocks;
        for (Eigen::Index j = 0; j < 2 * P; ++j) {
          const std::uint8_t* __restrict mask = masks.col(j % P).data() + first;
          double* __restrict out = values.col(j).data() + first;
          for (Eigen::Index i = 0; i < rows; ++i) {
            out[i] *= 2.0 * static_cast<double>(mask[i]) - 1.0;
          }
        }
      });
  return values;
}

namespace {

// This thread's buffer of at least `rows` x `cols` for a chunk's product: a fresh 1 MB matrix per
// chunk and call cost the AL 7% of its time in page faults.
Eigen::MatrixXd& thread_chunk_buffer(Eigen::Index rows, Eigen::Index cols) {
  thread_local Eigen::MatrixXd buffer;
  if (buffer.rows() < rows || buffer.cols() != cols) buffer.resize(rows, cols);
  return buffer;
}

// A per-thread row buffer of at least `rows` zeros; users put their entries back to zero.
double* thread_zeroed_rows(Eigen::Index rows) {
  thread_local Eigen::VectorXd buffer;
  if (buffer.size() < rows) buffer = Eigen::VectorXd::Zero(rows);
  return buffer.data();
}

}  // namespace

double pattern_cone_violation(const Eigen::MatrixXd& X, const CompactMasks& masks,
                              const Eigen::MatrixXd& blocks) {
  const Eigen::Index n = X.rows();
  const Eigen::Index P = masks.cols();
  const Eigen::Index chunk_rows = rows_per_chunk(2 * P);
  std::vector<double> sums(static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows), 0.0);
  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    auto product = thread_chunk_buffer(chunk_rows, 2 * P).topRows(rows);
    write_product(product, X.middleRows(first, rows), blocks);
    Eigen::VectorXd squares = Eigen::VectorXd::Zero(rows);  // per row: keeps the loop vectorized
    double* __restrict square = squares.data();
    for (Eigen::Index j = 0; j < 2 * P; ++j) {
      const double* __restrict column = product.col(j).data();
      const std::uint8_t* __restrict mask = masks.col(j % P).data() + first;
      for (Eigen::Index i = 0; i < rows; ++i) {
        const double violation =
            std::max(-(2.0 * static_cast<double>(mask[i]) - 1.0) * column[i], 0.0);
        square[i] += violation * violation;
      }
    }
    sums[static_cast<std::size_t>(c)] = squares.sum();
  });
  double total = 0.0;
  for (const double sum : sums) total += sum;
  return total;
}

Eigen::MatrixXd pattern_cone_adjoint(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                     const Eigen::MatrixXd& slacks) {
  const Eigen::Index n = X.rows();
  const Eigen::Index d = X.cols();
  const Eigen::Index P = masks.cols();
  const Eigen::Index chunk_rows = rows_per_chunk(2 * P);
  std::vector<Eigen::MatrixXd> partials(
      static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows));
  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    Eigen::MatrixXd signed_slacks(rows, 2 * P);
    for (Eigen::Index j = 0; j < 2 * P; ++j) {
      const std::uint8_t* __restrict mask = masks.col(j % P).data() + first;
      const double* __restrict slack = slacks.col(j).data() + first;
      double* __restrict out = signed_slacks.col(j).data();
      for (Eigen::Index i = 0; i < rows; ++i) {
        out[i] = slack[i] * (2.0 * static_cast<double>(mask[i]) - 1.0);
      }
    }
    Eigen::MatrixXd& partial = partials[static_cast<std::size_t>(c)];
    partial.noalias() = X.middleRows(first, rows).transpose() * signed_slacks;
  });
  return sum_in_order(partials, d, 2 * P);
}

ChunkedMultipliers chunk_multipliers(const Eigen::MatrixXd& scaled_multipliers) {
  ChunkedMultipliers chunked;
  chunked.rows = scaled_multipliers.rows();
  chunked.cols = scaled_multipliers.cols();
  chunked.chunk_rows = rows_per_chunk(chunked.cols);
  const Eigen::Index chunks = (chunked.rows + chunked.chunk_rows - 1) / chunked.chunk_rows;
  chunked.starts.reserve(static_cast<std::size_t>(chunks * chunked.cols + 1));
  for (Eigen::Index c = 0; c < chunks; ++c) {
    const Eigen::Index first = c * chunked.chunk_rows;
    const Eigen::Index end = std::min(chunked.rows, first + chunked.chunk_rows);
    for (Eigen::Index j = 0; j < chunked.cols; ++j) {
      chunked.starts.push_back(static_cast<std::int64_t>(chunked.values.size()));
      for (Eigen::Index i = first; i < end; ++i) {
        if (scaled_multipliers(i, j) != 0.0) {
          chunked.row_in_chunk.push_back(static_cast<std::int32_t>(i - first));
          chunked.values.push_back(scaled_multipliers(i, j));
        }
      }
    }
  }
  chunked.starts.push_back(static_cast<std::int64_t>(chunked.values.size()));
  return chunked;
}

double pattern_augmented_lagrangian(const Eigen::MatrixXd& X, const CompactMasks& masks,
                                    ActivationDiagonal diagonal, const Eigen::MatrixXd& blocks,
                                    const ChunkedMultipliers& scaled_multipliers, double penalty,
                                    LossKind loss, const Eigen::VectorXd& y,
                                    Eigen::MatrixXd* gradient) {
  const Eigen::Index n = X.rows();
  const Eigen::Index d = X.cols();
  const Eigen::Index P = masks.cols();
  const Eigen::Index chunk_rows = rows_per_chunk(2 * P);
  const auto chunks = static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows);
  if (scaled_multipliers.rows != n || scaled_multipliers.cols != 2 * P ||
      scaled_multipliers.chunk_rows != chunk_rows) {
    throw std::invalid_argument(
        "pattern_augmented_lagrangian: the multipliers were chunked for another shape");
  }
  std::vector<double> values(chunks, 0.0);
  std::vector<Eigen::MatrixXd> partials(gradient ? chunks : 0);
  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    const auto X_chunk = X.middleRows(first, rows);
    double* __restrict multiplier = thread_zeroed_rows(chunk_rows);
    // X_c u, then the chunk's part of the gradient map.
    auto product = thread_chunk_buffer(chunk_rows, 2 * P).topRows(rows);
    write_product(product, X_chunk, blocks);
    // F u on these rows: sum_i s_i o (X v_i - X w_i).
    Eigen::VectorXd prediction = Eigen::VectorXd::Zero(rows);
    double* __restrict sum = prediction.data();
    for (Eigen::Index j = 0; j < P; ++j) {
      const double* __restrict v = product.col(j).data();
      const double* __restrict w = product.col(P + j).data();
      const std::uint8_t* __restrict mask = masks.col(j).data() + first;
      for (Eigen::Index i = 0; i < rows; ++i) {
        sum[i] += (v[i] - w[i]) * (diagonal.offset + diagonal.slope * static_cast<double>(mask[i]));
      }
    }
    const Eigen::VectorXd labels = y.segment(first, rows);
    double value = loss_value(loss, prediction, labels);
    const Eigen::VectorXd residual =
        gradient ? loss_gradient(loss, prediction, labels) : Eigen::VectorXd();
    // Penalty: gap = (gamma / delta - sign o X u)_+ with sign = 2 D_i - I; the gradient map is
    // -delta sign o gap + (+-) s_i o l'(F u), overwriting the product column by column. The
    // squared gaps add up per row (a scalar running sum would keep the loop from vectorizing).
    Eigen::VectorXd squared_gaps = Eigen::VectorXd::Zero(rows);
    double* __restrict squares = squared_gaps.data();
    for (Eigen::Index j = 0; j < 2 * P; ++j) {
      double* __restrict column = product.col(j).data();
      // This chunk's nonzero multipliers of block j, scattered into the zeroed row buffer (and
      // zeroed again after the pass).
      const std::size_t slot = static_cast<std::size_t>(c * 2 * P + j);
      const auto nonzeros_begin = scaled_multipliers.starts[slot];
      const auto nonzeros_end = scaled_multipliers.starts[slot + 1];
      for (auto k = nonzeros_begin; k != nonzeros_end; ++k) {
        const auto entry = static_cast<std::size_t>(k);
        multiplier[scaled_multipliers.row_in_chunk[entry]] = scaled_multipliers.values[entry];
      }
      const auto clear_multipliers = [&] {
        for (auto k = nonzeros_begin; k != nonzeros_end; ++k) {
          multiplier[scaled_multipliers.row_in_chunk[static_cast<std::size_t>(k)]] = 0.0;
        }
      };
      const std::uint8_t* __restrict mask = masks.col(j % P).data() + first;
      if (!gradient) {
        for (Eigen::Index i = 0; i < rows; ++i) {
          const double sign = 2.0 * static_cast<double>(mask[i]) - 1.0;
          const double gap = std::max(multiplier[i] - sign * column[i], 0.0);
          squares[i] += gap * gap;
        }
        clear_multipliers();
        continue;
      }
      const double* __restrict r = residual.data();
      const double half_sign = j < P ? 1.0 : -1.0;
      const double offset = half_sign * diagonal.offset;
      const double slope = half_sign * diagonal.slope;
      for (Eigen::Index i = 0; i < rows; ++i) {
        const double m = static_cast<double>(mask[i]);
        const double sign = 2.0 * m - 1.0;
        const double gap = std::max(multiplier[i] - sign * column[i], 0.0);
        squares[i] += gap * gap;
        column[i] = -penalty * sign * gap + (offset + slope * m) * r[i];
      }
      clear_multipliers();
    }
    const double penalty_sum = squared_gaps.sum();
    value += 0.5 * penalty * penalty_sum;
    values[static_cast<std::size_t>(c)] = value;
    if (gradient) {
      Eigen::MatrixXd& partial = partials[static_cast<std::size_t>(c)];
      partial.noalias() = X_chunk.transpose() * product;
    }
  });
  if (gradient) *gradient = sum_in_order(partials, d, 2 * P);
  double total = 0.0;
  for (const double value : values) total += value;
  return total;
}

Eigen::VectorXd pattern_predict_differences(const Eigen::MatrixXf& X, const CompactMasks& masks,
                                            ActivationDiagonal diagonal,
                                            const Eigen::MatrixXd& difference) {
  const Eigen::Index n = X.rows();
  const Eigen::Index P = masks.cols();
  const Eigen::MatrixXf difference_float = difference.cast<float>();
  Eigen::VectorXd result(n);
  for_each_row_chunk(
      n, rows_per_chunk(P), [&](Eigen::Index, Eigen::Index first, Eigen::Index rows) {
        Eigen::MatrixXf product(rows, P);
        product.noalias() = X.middleRows(first, rows) * difference_float;
        // The masked sum over patterns runs in float over groups of kFloatColumns patterns (twice
        // the lanes of double, and float's rounding there is no larger than the GEMM's own), and
        // the groups' sums add up in double, so the error does not grow with P.
        constexpr Eigen::Index kFloatColumns = 32;
        const float offset = static_cast<float>(diagonal.offset);
        const float slope = static_cast<float>(diagonal.slope);
        double* __restrict sum = result.data() + first;
        for (Eigen::Index i = 0; i < rows; ++i) sum[i] = 0.0;
        Eigen::VectorXf group_sum(rows);
        float* __restrict group = group_sum.data();
        for (Eigen::Index first_column = 0; first_column < P; first_column += kFloatColumns) {
          for (Eigen::Index i = 0; i < rows; ++i) group[i] = 0.0f;
          const Eigen::Index end = std::min(P, first_column + kFloatColumns);
          for (Eigen::Index j = first_column; j < end; ++j) {
            const float* __restrict column = product.col(j).data();
            const std::uint8_t* __restrict mask = masks.col(j).data() + first;
            for (Eigen::Index i = 0; i < rows; ++i) {
              group[i] += column[i] * (offset + slope * static_cast<float>(mask[i]));
            }
          }
          for (Eigen::Index i = 0; i < rows; ++i) sum[i] += static_cast<double>(group[i]);
        }
      });
  return result;
}

Eigen::MatrixXd pattern_adjoint_half(const Eigen::MatrixXf& X, const Eigen::MatrixXf& diagonals,
                                     const Eigen::VectorXd& r) {
  const Eigen::Index n = X.rows();
  const Eigen::Index d = X.cols();
  const Eigen::Index P = diagonals.cols();
  const Eigen::Index chunk_rows = rows_per_chunk(P);
  const Eigen::VectorXf r_float = r.cast<float>();
  std::vector<Eigen::MatrixXd> partials(
      static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows));
  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    const Eigen::MatrixXf weighted_rows =
        X.middleRows(first, rows).array().colwise() * r_float.segment(first, rows).array();
    Eigen::MatrixXf partial(d, P);
    partial.noalias() = weighted_rows.transpose() * diagonals.middleRows(first, rows);
    // Float sums over one chunk's rows only; the chunks add up in double.
    partials[static_cast<std::size_t>(c)] = partial.cast<double>();
  });
  return sum_in_order(partials, d, P);
}

Eigen::MatrixXd pattern_normal_product(const Eigen::MatrixXf& X, const Eigen::MatrixXf& diagonals,
                                       const Eigen::MatrixXd& blocks) {
  const Eigen::Index n = X.rows();
  const Eigen::Index d = X.cols();
  const Eigen::Index P = diagonals.cols();
  const Eigen::Index chunk_rows = rows_per_chunk(std::max(d, P));
  const Eigen::MatrixXf blocks_float = blocks.cast<float>();
  std::vector<Eigen::MatrixXd> partials(
      static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows));
  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    const auto X_chunk = X.middleRows(first, rows);
    Eigen::MatrixXf product(rows, P);
    product.noalias() = X_chunk * blocks_float;
    // The masked sum over patterns accumulates in double; only the GEMMs run in float.
    Eigen::VectorXd chunk_prediction = Eigen::VectorXd::Zero(rows);
    double* __restrict sum = chunk_prediction.data();
    for (Eigen::Index j = 0; j < P; ++j) {
      const float* __restrict column = product.col(j).data();
      const float* __restrict diagonal = diagonals.col(j).data() + first;
      for (Eigen::Index i = 0; i < rows; ++i) {
        sum[i] += static_cast<double>(column[i] * diagonal[i]);
      }
    }
    const Eigen::MatrixXf weighted_rows =
        X_chunk.array().colwise() * chunk_prediction.cast<float>().array();
    Eigen::MatrixXf partial(d, P);
    partial.noalias() = weighted_rows.transpose() * diagonals.middleRows(first, rows);
    partials[static_cast<std::size_t>(c)] = partial.cast<double>();
  });
  return sum_in_order(partials, d, P);
}

}  // namespace convexnn
