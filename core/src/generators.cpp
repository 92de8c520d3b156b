#include "convexnn/generators.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include "convexnn/csv_loader.h"
#include "convexnn/errors.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

using std::numbers::pi;

// The shapes follow the TensorFlow Playground, whose coordinates span about [-6, 6], scaled by
// 1/5 so that the data lies in about [-1, 1]^2 (moons keep scikit-learn's [-1.5, 1.5] x
// [-0.75, 0.75]); features of order one keep the convex program well conditioned. Unless stated
// otherwise `noise` is the standard deviation of Gaussian jitter added to both coordinates, in
// these output units. Only Rng is used, so every platform produces the same points.

// Even indices get +1 and odd ones -1, so the classes are balanced without extra randomness.
double alternating_label(Eigen::Index i) { return i % 2 == 0 ? 1.0 : -1.0; }

void set_point(Dataset& data, Eigen::Index i, double x1, double x2, double label) {
  data.X(i, 0) = x1;
  data.X(i, 1) = x2;
  data.y[i] = label;
}

// Disk of radius 0.5 (+1) inside a ring from 0.7 to 1 (-1).
void circle(Dataset& data, Rng& rng, double noise) {
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const double label = alternating_label(i);
    const double radius = label > 0 ? rng.uniform(0.0, 0.5) : rng.uniform(0.7, 1.0);
    const double angle = rng.uniform(0.0, 2.0 * pi);
    set_point(data, i, radius * std::cos(angle) + noise * rng.normal(),
              radius * std::sin(angle) + noise * rng.normal(), label);
  }
}

// Uniform in the square [-1.06, 1.06]^2 labelled by sign(x1 * x2). As in the playground, points
// keep a margin of 0.06 from the axes before jitter so that the clean data is separable.
void xor_quadrants(Dataset& data, Rng& rng, double noise) {
  constexpr double kMargin = 0.06;
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const double label = alternating_label(i);
    const double sign1 = rng.uniform() < 0.5 ? -1.0 : 1.0;
    const double sign2 = label * sign1;  // the quadrant is chosen to match the label
    const double x1 = sign1 * (kMargin + rng.uniform());
    const double x2 = sign2 * (kMargin + rng.uniform());
    set_point(data, i, x1 + noise * rng.normal(), x2 + noise * rng.normal(), label);
  }
}

// Blobs centred at (0.5, 0.5) (+1) and (-0.5, -0.5) (-1) with standard deviation 0.1 + noise:
// well separated at noise 0, overlapping from about noise 0.3.
void gaussians(Dataset& data, Rng& rng, double noise) {
  constexpr double kCentre = 0.5;
  const double deviation = 0.1 + noise;
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const double label = alternating_label(i);
    const double x1 = rng.normal(label * kCentre, deviation);
    const double x2 = rng.normal(label * kCentre, deviation);
    set_point(data, i, x1, x2, label);
  }
}

// Two arms of 1.75 turns each, the second rotated by half a turn, radius growing from 0 to 1.
void spiral(Dataset& data, Rng& rng, double noise) {
  const Eigen::Index per_class = (data.X.rows() + 1) / 2;
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const double label = alternating_label(i);
    const double progress = static_cast<double>(i / 2) / static_cast<double>(per_class);
    const double angle = 1.75 * 2.0 * pi * progress + (label > 0 ? 0.0 : pi);
    set_point(data, i, progress * std::sin(angle) + noise * rng.normal(),
              progress * std::cos(angle) + noise * rng.normal(), label);
  }
}

// scikit-learn's make_moons (upper arc +1, lower arc -1) with random positions along the arcs,
// shifted so that the pair is centred on the origin.
void moons(Dataset& data, Rng& rng, double noise) {
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const double label = alternating_label(i);
    const double t = rng.uniform(0.0, pi);
    const double x1 = label > 0 ? std::cos(t) : 1.0 - std::cos(t);
    const double x2 = label > 0 ? std::sin(t) : 0.5 - std::sin(t);
    set_point(data, i, x1 - 0.5 + noise * rng.normal(), x2 - 0.25 + noise * rng.normal(), label);
  }
}

// round(flip_fraction * n): the number of labels xor-clusters flips.
Eigen::Index xor_cluster_flips(Eigen::Index n, double flip_fraction) {
  return static_cast<Eigen::Index>(std::llround(flip_fraction * static_cast<double>(n)));
}

// Four clusters at (+-0.5, +-0.5) with standard deviation 0.125, labelled by the sign of the
// centre's x1 * x2; then exactly round(flip_fraction * n) labels are flipped. The flips are drawn
// after all points, so the points do not depend on the flip fraction.
void xor_clusters(Dataset& data, Rng& rng, double flip_fraction) {
  constexpr double kCentre = 0.5;
  constexpr double kDeviation = 0.25 * kCentre;
  // Cluster order (+,+), (+,-), (-,-), (-,+) makes the labels alternate +1, -1.
  constexpr double kSign1[4] = {1.0, 1.0, -1.0, -1.0};
  constexpr double kSign2[4] = {1.0, -1.0, -1.0, 1.0};
  const Eigen::Index n = data.X.rows();
  for (Eigen::Index i = 0; i < n; ++i) {
    const double sign1 = kSign1[i % 4];
    const double sign2 = kSign2[i % 4];
    const double x1 = rng.normal(sign1 * kCentre, kDeviation);
    const double x2 = rng.normal(sign2 * kCentre, kDeviation);
    set_point(data, i, x1, x2, sign1 * sign2);
  }
  // A partial Fisher-Yates shuffle picks the positions to flip, all distinct.
  const Eigen::Index flips = xor_cluster_flips(n, flip_fraction);
  std::vector<Eigen::Index> positions(static_cast<std::size_t>(n));
  std::iota(positions.begin(), positions.end(), Eigen::Index{0});
  for (Eigen::Index k = 0; k < flips; ++k) {
    const auto pick = k + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n - k)));
    std::swap(positions[static_cast<std::size_t>(k)], positions[static_cast<std::size_t>(pick)]);
    data.y[positions[static_cast<std::size_t>(k)]] *= -1.0;
  }
  // With few samples the flips can hit exactly one whole class (e.g. n = 3, two flips on the two
  // negatives), leaving a single class that no classifier can be trained on. Then every
  // unflipped label belongs to the other class: moving the last flip to the next position of the
  // shuffle keeps the flip count and gives both classes when n >= 3 (validate() rejects n = 2
  // with one flip, where every choice leaves one class).
  const bool single_class = (data.y.array() == data.y[0]).all();
  if (single_class && flips > 0 && flips < n) {
    data.y[positions[static_cast<std::size_t>(flips - 1)]] *= -1.0;
    data.y[positions[static_cast<std::size_t>(flips)]] *= -1.0;
  }
}

void validate(const GeneratorSettings& settings) {
  const std::vector<GeneratorInfo>& generators = dataset_generators();
  const bool known =
      std::any_of(generators.begin(), generators.end(),
                  [&](const GeneratorInfo& info) { return info.name == settings.name; });
  if (!known) {
    std::string names;
    for (const GeneratorInfo& info : generators) names += (names.empty() ? "" : ", ") + info.name;
    throw InputError("unknown dataset '" + settings.name + "'; the built-in datasets are " + names);
  }
  if (settings.n < 2) {
    throw InputError("n must be at least 2 (got " + std::to_string(settings.n) + ")");
  }
  if (!(settings.noise >= 0.0) || !std::isfinite(settings.noise)) {
    throw InputError("noise must be a finite number >= 0 (got " +
                     format_csv_number(settings.noise) + ")");
  }
  if (settings.name == "xor-clusters" && settings.noise > 0.5) {
    throw InputError(
        "noise for xor-clusters is the fraction of flipped labels and must be at most "
        "0.5 (got " +
        format_csv_number(settings.noise) + ")");
  }
  // Two samples, one of each class: flipping one label always leaves a single class.
  if (settings.name == "xor-clusters" && settings.n == 2 &&
      xor_cluster_flips(settings.n, settings.noise) == 1) {
    throw InputError(
        "noise for xor-clusters with n = 2 must be below 0.25: flipping one of the two labels "
        "would leave a single class (got " +
        format_csv_number(settings.noise) + ")");
  }
}

}  // namespace

const std::vector<GeneratorInfo>& dataset_generators() {
  static const std::vector<GeneratorInfo> generators = {
      {"circle", "A disk of one class inside a ring of the other.", 0.05},
      {"xor", "Uniform points in four quadrants, labelled by the sign of x1 * x2.", 0.05},
      {"gaussians", "Two Gaussian blobs whose spread grows with the noise until they overlap.",
       0.1},
      {"spiral", "Two interleaved spirals, the hardest of the playground shapes.", 0.02},
      {"moons", "Two interleaving half circles as in scikit-learn's make_moons.", 0.1},
      {"xor-clusters",
       "Four Gaussian clusters in XOR layout; the noise is the fraction of flipped labels.", 0.05},
  };
  return generators;
}

Dataset generate_dataset(const GeneratorSettings& settings) {
  validate(settings);
  Dataset data;
  data.X.resize(settings.n, 2);
  data.y.resize(settings.n);
  data.feature_names = {"x1", "x2"};
  data.label_name = "y";
  Rng rng(settings.seed);
  if (settings.name == "circle") {
    circle(data, rng, settings.noise);
  } else if (settings.name == "xor") {
    xor_quadrants(data, rng, settings.noise);
  } else if (settings.name == "gaussians") {
    gaussians(data, rng, settings.noise);
  } else if (settings.name == "spiral") {
    spiral(data, rng, settings.noise);
  } else if (settings.name == "moons") {
    moons(data, rng, settings.noise);
  } else if (settings.name == "xor-clusters") {
    xor_clusters(data, rng, settings.noise);
  } else {
    throw std::logic_error("generator '" + settings.name + "' is listed but not implemented");
  }
  data.source = "generator:" + settings.name + " n=" + std::to_string(settings.n) +
                " noise=" + format_csv_number(settings.noise) +
                " seed=" + std::to_string(settings.seed);
  return data;
}

}  // namespace convexnn
