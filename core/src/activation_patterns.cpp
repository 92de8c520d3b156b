#include "convexnn/activation_patterns.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "convexnn/errors.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

// Collects distinct non-zero patterns, keyed by their packed bitset.
class PatternCollector {
 public:
  explicit PatternCollector(Eigen::Index n) : n_(n), words_((n + 63) / 64) {}

  // Returns true if the mask was new and non-zero.
  bool insert(const std::vector<bool>& mask, const Eigen::VectorXd& generator) {
    std::string key(static_cast<std::size_t>(words_) * 8, '\0');
    bool any = false;
    for (Eigen::Index k = 0; k < n_; ++k) {
      if (mask[static_cast<std::size_t>(k)]) {
        key[static_cast<std::size_t>(k / 8)] |= static_cast<char>(1u << (k % 8));
        any = true;
      }
    }
    if (!any || !seen_.insert(key).second) return false;
    masks_.push_back(mask);
    generators_.push_back(generator);
    return true;
  }

  PatternSet finish(Eigen::Index dim, PatternMode mode) const {
    PatternSet set;
    set.mode = mode;
    const auto count = static_cast<Eigen::Index>(masks_.size());
    set.masks.resize(n_, count);
    set.generators.resize(dim, count);
    for (Eigen::Index i = 0; i < count; ++i) {
      const auto& mask = masks_[static_cast<std::size_t>(i)];
      for (Eigen::Index k = 0; k < n_; ++k)
        set.masks(k, i) = mask[static_cast<std::size_t>(k)] ? 1.0 : 0.0;
      set.generators.col(i) = generators_[static_cast<std::size_t>(i)];
    }
    return set;
  }

 private:
  Eigen::Index n_;
  Eigen::Index words_;
  std::unordered_set<std::string> seen_;
  std::vector<std::vector<bool>> masks_;
  std::vector<Eigen::VectorXd> generators_;
};

}  // namespace

std::string pattern_mask_key(const Eigen::Ref<const Eigen::VectorXd>& mask) {
  std::string key(static_cast<std::size_t>((mask.size() + 7) / 8), '\0');
  for (Eigen::Index k = 0; k < mask.size(); ++k) {
    if (mask[k] != 0.0) key[static_cast<std::size_t>(k / 8)] |= static_cast<char>(1u << (k % 8));
  }
  return key;
}

PatternSet select_patterns(const PatternSet& set, const std::vector<Eigen::Index>& columns) {
  PatternSet selected;
  selected.mode = set.mode;
  selected.masks.resize(set.masks.rows(), static_cast<Eigen::Index>(columns.size()));
  selected.generators.resize(set.generators.rows(), static_cast<Eigen::Index>(columns.size()));
  for (std::size_t t = 0; t < columns.size(); ++t) {
    selected.masks.col(static_cast<Eigen::Index>(t)) = set.masks.col(columns[t]);
    selected.generators.col(static_cast<Eigen::Index>(t)) = set.generators.col(columns[t]);
  }
  return selected;
}

PatternSet sample_patterns(const Eigen::MatrixXd& X, int samples, std::uint64_t seed) {
  if (samples < 1) throw InputError("patterns: the number of sampled patterns must be at least 1");
  const Eigen::Index n = X.rows();
  const Eigen::Index dim = X.cols();
  Rng rng(seed);
  PatternCollector collector(n);
  Eigen::VectorXd h(dim);
  std::vector<bool> mask(static_cast<std::size_t>(n));
  for (int s = 0; s < samples; ++s) {
    for (Eigen::Index j = 0; j < dim; ++j) h[j] = rng.normal();
    const Eigen::VectorXd values = X * h;
    for (Eigen::Index k = 0; k < n; ++k) mask[static_cast<std::size_t>(k)] = values[k] >= 0.0;
    collector.insert(mask, h);
  }
  return collector.finish(dim, PatternMode::kSampled);
}

PatternSet patterns_from_generators(const Eigen::MatrixXd& X, const Eigen::MatrixXd& generators) {
  if (generators.rows() != X.cols()) {
    throw InputError("patterns: generator vectors have " + std::to_string(generators.rows()) +
                     " entries but the design matrix has " + std::to_string(X.cols()) + " columns");
  }
  const Eigen::Index n = X.rows();
  PatternCollector collector(n);
  std::vector<bool> mask(static_cast<std::size_t>(n));
  const Eigen::MatrixXd values = X * generators;
  for (Eigen::Index j = 0; j < generators.cols(); ++j) {
    for (Eigen::Index k = 0; k < n; ++k) mask[static_cast<std::size_t>(k)] = values(k, j) >= 0.0;
    collector.insert(mask, generators.col(j));
  }
  return collector.finish(X.cols(), PatternMode::kSampled);
}

PatternSet enumerate_patterns_2d(const Eigen::MatrixXd& X) {
  const Eigen::Index n = X.rows();
  if (X.cols() != 3 || (n > 0 && (X.col(2).array() != 1.0).any())) {
    throw InputError(
        "exact patterns need 2-D data with a bias column (the exact enumeration is only "
        "implemented for two input features)");
  }
  PatternCollector collector(n);
  std::vector<bool> mask(static_cast<std::size_t>(n));
  if (n == 0) return collector.finish(3, PatternMode::kExact);
  Eigen::VectorXd row_norms = X.rowwise().norm();
  const double scale = row_norms.maxCoeff();
  const double tolerance = 1e-10 * std::max(1.0, scale);

  // A single point (or only identical points): the all-ones pattern, realised by the bias.
  {
    Eigen::Vector3d h(0.0, 0.0, 1.0);
    std::fill(mask.begin(), mask.end(), true);
    collector.insert(mask, h);
  }

  std::vector<std::pair<double, Eigen::Index>> angles;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const Eigen::Vector3d xi = X.row(i).transpose();
      const Eigen::Vector3d xj = X.row(j).transpose();
      Eigen::Vector3d g = xi.cross(xj);
      const double norm = g.norm();
      if (norm <= tolerance * std::max(1.0, xi.norm() * xj.norm())) continue;
      g /= norm;
      // Orthonormal basis (a1, a2) of the plane orthogonal to g.
      Eigen::Vector3d helper =
          std::abs(g[0]) < 0.9 ? Eigen::Vector3d::UnitX() : Eigen::Vector3d::UnitY();
      Eigen::Vector3d a1 = (helper - helper.dot(g) * g).normalized();
      Eigen::Vector3d a2 = g.cross(a1);
      for (double sign : {1.0, -1.0}) {
        const Eigen::Vector3d gg = sign * g;
        const Eigen::VectorXd values = X * gg;
        angles.clear();
        std::vector<Eigen::Index> on_line;
        for (Eigen::Index k = 0; k < n; ++k) {
          if (std::abs(values[k]) <= 1e-9 * std::max(1.0, row_norms[k])) on_line.push_back(k);
        }
        // Critical directions t in span(a1, a2) where some on-line point changes side:
        // x_k . t = 0 at theta_k +- pi/2.
        std::vector<double> critical;
        for (Eigen::Index k : on_line) {
          const Eigen::Vector3d xk = X.row(k).transpose();
          const double c1 = xk.dot(a1);
          const double c2 = xk.dot(a2);
          if (std::hypot(c1, c2) <= tolerance) continue;  // cannot happen for rows with bias 1
          const double theta = std::atan2(c2, c1);
          for (double offset : {std::numbers::pi / 2, -std::numbers::pi / 2}) {
            double angle = std::fmod(theta + offset, 2 * std::numbers::pi);
            if (angle < 0) angle += 2 * std::numbers::pi;
            critical.push_back(angle);
          }
        }
        std::sort(critical.begin(), critical.end());
        if (critical.empty()) continue;
        critical.push_back(critical.front() + 2 * std::numbers::pi);
        for (std::size_t c = 0; c + 1 < critical.size(); ++c) {
          if (critical[c + 1] - critical[c] <= 1e-12) continue;
          const double middle = 0.5 * (critical[c] + critical[c + 1]);
          const Eigen::Vector3d t = std::cos(middle) * a1 + std::sin(middle) * a2;
          for (Eigen::Index k = 0; k < n; ++k) mask[static_cast<std::size_t>(k)] = values[k] >= 0.0;
          for (Eigen::Index k : on_line) {
            mask[static_cast<std::size_t>(k)] = X.row(k).dot(t) >= 0.0;
          }
          // A generator realising this pattern: gg tilted slightly towards t. The tilt must be
          // small enough not to flip off-line points.
          double min_off = std::numeric_limits<double>::infinity();
          for (Eigen::Index k = 0; k < n; ++k) {
            if (std::find(on_line.begin(), on_line.end(), k) == on_line.end()) {
              min_off = std::min(min_off, std::abs(values[k]) / std::max(1.0, row_norms[k]));
            }
          }
          const double tilt = std::isfinite(min_off) ? 0.5 * min_off : 1.0;
          collector.insert(mask, gg + tilt * t);
        }
      }
    }
  }
  return collector.finish(3, PatternMode::kExact);
}

PatternSet drop_complementary_patterns(const PatternSet& patterns) {
  const Eigen::Index n = patterns.num_samples();
  std::unordered_set<std::string> kept_keys;
  std::vector<Eigen::Index> kept;
  std::string key(static_cast<std::size_t>(n), '0');
  std::string complement(static_cast<std::size_t>(n), '0');
  for (Eigen::Index i = 0; i < patterns.num_patterns(); ++i) {
    for (Eigen::Index k = 0; k < n; ++k) {
      const bool on = patterns.masks(k, i) > 0.5;
      key[static_cast<std::size_t>(k)] = on ? '1' : '0';
      complement[static_cast<std::size_t>(k)] = on ? '0' : '1';
    }
    if (kept_keys.count(complement) != 0) continue;
    kept_keys.insert(key);
    kept.push_back(i);
  }
  PatternSet result;
  result.mode = patterns.mode;
  const auto count = static_cast<Eigen::Index>(kept.size());
  result.masks.resize(n, count);
  result.generators.resize(patterns.generators.rows(), count);
  for (Eigen::Index t = 0; t < count; ++t) {
    result.masks.col(t) = patterns.masks.col(kept[static_cast<std::size_t>(t)]);
    result.generators.col(t) = patterns.generators.col(kept[static_cast<std::size_t>(t)]);
  }
  return result;
}

std::int64_t general_position_pattern_count_2d(std::int64_t n) {
  if (n <= 0) return 0;
  const std::int64_t m = n - 1;
  return 2 * (1 + m + m * (m - 1) / 2) - 1;
}

const char* to_string(PatternMode mode) {
  return mode == PatternMode::kExact ? "exact" : "sampled";
}

PatternMode pattern_mode_from_string(const std::string& name) {
  if (name == "exact") return PatternMode::kExact;
  if (name == "sampled") return PatternMode::kSampled;
  throw InputError("unknown formulation '" + name + "' (expected exact or sampled)");
}

}  // namespace convexnn
