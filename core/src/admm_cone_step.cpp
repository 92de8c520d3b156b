#include "convexnn/admm_cone_step.h"

#include <vector>

#include "convexnn/pattern_products.h"

namespace convexnn {
ConeStepResult admm_cone_step(const ConvexProblem& problem, const Eigen::MatrixXd& u,
                              double relaxation, bool with_residuals, Eigen::MatrixXd* cone_state) {
  const Eigen::MatrixXd& X = problem.X;
  // The problem's cached pattern signs and S_i diagonals, read in place chunk by chunk.
  const Eigen::MatrixXd& signs = problem.pattern_signs();
  const Eigen::MatrixXd& diagonals = problem.activation_diagonals();
  const Eigen::Index n = X.rows();
  const Eigen::Index d = X.cols();
  const Eigen::Index P = problem.num_patterns();
  const Eigen::Index B = 2 * P;
  Eigen::MatrixXd& w = *cone_state;
  const double alpha = relaxation;

  const Eigen::Index chunk_rows = rows_per_chunk(B);
  const auto chunks = static_cast<std::size_t>((n + chunk_rows - 1) / chunk_rows);
  std::vector<Eigen::MatrixXd> rhs_partials(chunks);
  std::vector<Eigen::MatrixXd> change_partials(with_residuals ? chunks : 0);
  std::vector<double> residual_partials(chunks, 0.0);
  ConeStepResult result;
  result.fitted.resize(n);

  for_each_row_chunk(n, chunk_rows, [&](Eigen::Index c, Eigen::Index first, Eigen::Index rows) {
    Eigen::MatrixXd cone(rows, B);
    cone.noalias() = X.middleRows(first, rows) * u;
    result.fitted.segment(first, rows) =
        ((cone.leftCols(P) - cone.rightCols(P)).array() * diagonals.middleRows(first, rows).array())
            .rowwise()
            .sum();
    Eigen::MatrixXd magnitude(rows, B);  // |w_new| with the signs of G, for G^T |w|
    Eigen::MatrixXd change;              // (s_new - s_old) with the signs of G
    if (with_residuals) change.resize(rows, B);
    double residual = 0.0;
    Eigen::ArrayXd g(rows), old_slack(rows), updated(rows), slack(rows);
    for (Eigen::Index j = 0; j < B; ++j) {
      const auto sign = signs.col(j % P).segment(first, rows).array();
      auto state = w.col(j).segment(first, rows).array();
      g = sign * cone.col(j).array();  // (G u) on the chunk
      old_slack = state.max(0.0);
      updated = alpha * g + (1.0 - alpha) * old_slack + state.min(0.0);
      magnitude.col(j).array() = sign * updated.abs();
      if (with_residuals) {
        slack = updated.max(0.0);
        residual += (g - slack).matrix().squaredNorm();
        change.col(j).array() = sign * (slack - old_slack);
      }
      state = updated;
    }
    const auto index = static_cast<std::size_t>(c);
    residual_partials[index] = residual;
    rhs_partials[index].noalias() = X.middleRows(first, rows).transpose() * magnitude;
    if (with_residuals) {
      change_partials[index].noalias() = X.middleRows(first, rows).transpose() * change;
    }
  });
  result.next_cone_rhs = sum_in_order(rhs_partials, d, B);
  if (with_residuals) {
    result.slack_change_adjoint = sum_in_order(change_partials, d, B);
    for (double partial : residual_partials) result.cone_residual_squared += partial;
  }
  return result;
}

Eigen::MatrixXd cone_rhs_of_state(const ConvexProblem& problem, const Eigen::MatrixXd& cone_state) {
  return problem.cone_adjoint(cone_state.cwiseAbs());
}

}  // namespace convexnn
