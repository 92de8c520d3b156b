#include "convexnn/neuron_search.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <unordered_set>
#include <vector>

#include <tbb/parallel_for.h>

#include "convexnn/dual_certificate.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

// Normalizes every column; zero columns stay zero.
void normalize_columns(Eigen::MatrixXd& directions) {
  for (Eigen::Index j = 0; j < directions.cols(); ++j) {
    const double norm = directions.col(j).norm();
    if (norm > 0) directions.col(j) /= norm;
  }
}

// argmax of <c, v> over the unit ball within the closed cone of u's pattern D = 1(X u >= 0),
// scaled by the maximum, where c = X^T D r: the projection of c onto K_D = {v : A v >= 0},
// A = (2 D - I) X, which is c + A^T alpha with alpha = argmin_{alpha >= 0} || c + A^T alpha ||.
Eigen::VectorXd cone_maximizer(const Eigen::MatrixXd& X, const Eigen::VectorXd& r,
                               const Eigen::VectorXd& u) {
  const Eigen::ArrayXd signs = ((X * u).array() >= 0.0).cast<double>() * 2.0 - 1.0;
  const Eigen::VectorXd target = X.transpose() * ((signs + 1.0) * 0.5 * r.array()).matrix();
  const Eigen::MatrixXd negated_rows = -(X.array().colwise() * signs).matrix().transpose();
  const Eigen::VectorXd alpha = nonnegative_least_squares(negated_rows, target);
  return target - negated_rows * alpha;
}

}  // namespace

std::string NeuronSearchOptions::validate() const {
  if (random_starts < 0) return "neuron_search.random_starts must be >= 0";
  if (seed_perturbations < 0) return "neuron_search.seed_perturbations must be >= 0";
  if (!(perturbation_scale >= 0) || !std::isfinite(perturbation_scale)) {
    return "neuron_search.perturbation_scale must be a finite number >= 0";
  }
  if (ascent_steps < 0) return "neuron_search.ascent_steps must be >= 0";
  if (refinement_steps < 0) return "neuron_search.refinement_steps must be >= 0";
  if (refined_candidates_per_pattern < 0) {
    return "neuron_search.refined_candidates_per_pattern must be >= 0";
  }
  if (max_patterns < 1) return "neuron_search.max_patterns must be at least 1";
  if (!(min_angle_degrees >= 0 && min_angle_degrees <= 90)) {
    return "neuron_search.min_angle_degrees must be in [0, 90]";
  }
  return "";
}

NeuronSearchResult search_neuron_patterns(const Eigen::MatrixXd& X, const Eigen::VectorXd& lambda,
                                          const Eigen::MatrixXd& seed_directions,
                                          const NeuronSearchOptions& options,
                                          const PatternSet* known) {
  const Eigen::Index d = X.cols();
  Rng rng(options.seed);
  // Starting directions: random, the seeds and perturbed seeds; each is tried with both output
  // signs (columns [0, S) ascend r = -lambda, columns [S, 2S) ascend r = +lambda).
  const Eigen::Index seeds = seed_directions.cols();
  const Eigen::Index starts =
      options.random_starts + seeds * (1 + static_cast<Eigen::Index>(options.seed_perturbations));
  Eigen::MatrixXd start(d, starts);
  for (Eigen::Index j = 0; j < options.random_starts; ++j) {
    for (Eigen::Index i = 0; i < d; ++i) start(i, j) = rng.normal();
  }
  Eigen::Index column = options.random_starts;
  for (Eigen::Index s = 0; s < seeds; ++s) {
    const double norm = seed_directions.col(s).norm();
    start.col(column++) = seed_directions.col(s);
    for (int p = 0; p < options.seed_perturbations; ++p) {
      for (Eigen::Index i = 0; i < d; ++i) {
        start(i, column) = seed_directions(i, s) + options.perturbation_scale * norm * rng.normal();
      }
      ++column;
    }
  }
  Eigen::MatrixXd directions(d, 2 * starts);
  directions << start, start;
  normalize_columns(directions);
  Eigen::MatrixXd signed_lambda(lambda.size(), 2);
  signed_lambda.col(0) = -lambda;
  signed_lambda.col(1) = lambda;

  Eigen::MatrixXd best = directions;
  Eigen::VectorXd best_score = Eigen::VectorXd::Constant(2 * starts, -1.0);
  // Each start ascends on its own, so a block of starts takes all its steps while its n x block
  // values stay in cache (one pass over all starts per step streamed 2 x 8 n starts bytes; the
  // search was ~3/4 of a neuron-generation round). Fixed blocks: the same result on any number
  // of threads.
  constexpr Eigen::Index kStartBlock = 32;
  const Eigen::Index total = 2 * starts;
  const Eigen::Index blocks = (total + kStartBlock - 1) / kStartBlock;
  tbb::parallel_for(Eigen::Index{0}, blocks, [&](Eigen::Index block) {
    const Eigen::Index first = block * kStartBlock;
    const Eigen::Index width = std::min(kStartBlock, total - first);
    Eigen::MatrixXd current = directions.middleCols(first, width);
    Eigen::MatrixXd values(X.rows(), width);
    Eigen::MatrixXd weighted(X.rows(), width);
    for (int step = 0; step <= options.ascent_steps; ++step) {
      values.noalias() = X * current;
      for (Eigen::Index c = 0; c < width; ++c) {
        const Eigen::Index j = first + c;
        const auto r = signed_lambda.col(j < starts ? 0 : 1).array();
        // g(u) for unit u: sum_k r_k (x_k^T u)_+
        const double score = (r * values.col(c).array().max(0.0)).sum();
        if (score > best_score[j] && current.col(c).squaredNorm() > 0) {
          best_score[j] = score;
          best.col(j) = current.col(c);
        }
        weighted.col(c) = (values.col(c).array() >= 0.0).select(r, 0.0).matrix();
      }
      if (step == options.ascent_steps) break;
      current.noalias() = X.transpose() * weighted;
      normalize_columns(current);
    }
  });

  std::vector<Eigen::Index> order(static_cast<std::size_t>(2 * starts));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  auto by_score = [&](Eigen::Index a, Eigen::Index b) { return best_score[a] > best_score[b]; };
  std::stable_sort(order.begin(), order.end(), by_score);
  // Exact ascent on the leading candidates: the fixed point above cannot settle on a maximum
  // that lies on a cell boundary (it oscillates across it), and such maxima are common.
  // refine_one_start_per_cell: see the option.
  const auto wanted = static_cast<std::size_t>(options.refined_candidates_per_pattern) *
                      static_cast<std::size_t>(options.max_patterns);
  std::vector<Eigen::Index> to_refine;
  {
    std::unordered_set<std::string> cells;
    std::string key(static_cast<std::size_t>(X.rows()) + 1, '0');
    for (std::size_t t = 0; t < order.size() && to_refine.size() < wanted; ++t) {
      const Eigen::Index j = order[t];
      if (!(best_score[j] > 0)) break;
      if (options.refine_one_start_per_cell) {
        const Eigen::VectorXd values = X * best.col(j);
        key[0] = j < starts ? '+' : '-';
        for (Eigen::Index k = 0; k < X.rows(); ++k)
          key[static_cast<std::size_t>(k) + 1] = values[k] >= 0.0 ? '1' : '0';
        if (!cells.insert(key).second) continue;
      }
      to_refine.push_back(j);
    }
  }
  tbb::parallel_for(std::size_t{0}, to_refine.size(), [&](std::size_t t) {
    const Eigen::Index j = to_refine[t];
    const Eigen::VectorXd r = signed_lambda.col(j < starts ? 0 : 1);
    Eigen::VectorXd u = best.col(j);
    double score = best_score[j];
    for (int step = 0; step < options.refinement_steps; ++step) {
      const Eigen::VectorXd maximizer = cone_maximizer(X, r, u);
      const double value = maximizer.norm();
      if (!(value > score * (1 + 1e-12))) break;
      u = maximizer / value;
      score = (r.array() * (X * u).array().max(0.0)).sum();
    }
    best.col(j) = u;
    best_score[j] = score;
  });
  std::stable_sort(order.begin(), order.end(), by_score);
  // Keep positive scores only: a neuron with g <= 0 cannot lower the objective.
  std::vector<Eigen::Index> kept;
  for (Eigen::Index j : order) {
    if (best_score[j] > 0) kept.push_back(j);
  }
  Eigen::MatrixXd ranked(d, static_cast<Eigen::Index>(kept.size()));
  for (std::size_t t = 0; t < kept.size(); ++t)
    ranked.col(static_cast<Eigen::Index>(t)) = best.col(kept[t]);
  // The distinct patterns of the ranked generators (the first generator of each; zero masks and
  // `known` patterns dropped), then the diversity filter, in rank order -- built only as far as
  // max_patterns fresh ones need: masks for every kept start (thousands) took ~13% of a neuron
  // generation round.
  std::unordered_set<std::string> seen;
  if (known) {
    for (Eigen::Index i = 0; i < known->num_patterns(); ++i)
      seen.insert(pattern_mask_key(known->masks.col(i)));
  }
  const double max_cosine = std::cos(options.min_angle_degrees * std::numbers::pi / 180.0);
  std::vector<Eigen::Index> fresh;  // columns of `ranked`
  std::vector<Eigen::VectorXd> fresh_masks;
  constexpr Eigen::Index kMaskBlock = 64;
  Eigen::MatrixXd block_values;
  Eigen::VectorXd mask(X.rows());
  for (Eigen::Index first = 0;
       first < ranked.cols() && static_cast<int>(fresh.size()) < options.max_patterns;
       first += kMaskBlock) {
    const Eigen::Index width = std::min(kMaskBlock, ranked.cols() - first);
    block_values.noalias() = X * ranked.middleCols(first, width);
    for (Eigen::Index c = 0; c < width && static_cast<int>(fresh.size()) < options.max_patterns;
         ++c) {
      mask = (block_values.col(c).array() >= 0.0).cast<double>();
      if (!(mask.array() != 0.0).any()) continue;
      if (!seen.insert(pattern_mask_key(mask)).second) continue;
      const Eigen::VectorXd unit = ranked.col(first + c).normalized();
      bool near_a_better_one = false;
      for (Eigen::Index chosen : fresh) {
        if (unit.dot(ranked.col(chosen).normalized()) > max_cosine &&
            options.min_angle_degrees > 0) {
          near_a_better_one = true;
          break;
        }
      }
      if (near_a_better_one) continue;
      fresh.push_back(first + c);
      fresh_masks.push_back(mask);
    }
  }
  const auto count = static_cast<Eigen::Index>(fresh.size());
  NeuronSearchResult result;
  result.patterns.mode = PatternMode::kSampled;
  result.patterns.masks.resize(X.rows(), count);
  result.patterns.generators.resize(d, count);
  for (Eigen::Index i = 0; i < count; ++i) {
    result.patterns.masks.col(i) = fresh_masks[static_cast<std::size_t>(i)];
    result.patterns.generators.col(i) = ranked.col(fresh[static_cast<std::size_t>(i)]);
  }
  result.scores.resize(count);
  for (Eigen::Index i = 0; i < count; ++i) {
    const Eigen::VectorXd values = X * result.patterns.generators.col(i);
    const double norm = result.patterns.generators.col(i).norm();
    const double positive = (-lambda.array() * values.array().max(0.0)).sum() / norm;
    const double negative = (lambda.array() * values.array().max(0.0)).sum() / norm;
    result.scores[i] = std::max(positive, negative);
  }
  result.best_score = count > 0 ? result.scores.maxCoeff() : 0.0;
  return result;
}

}  // namespace convexnn
