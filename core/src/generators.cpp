#include "convexnn/generators.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "convexnn/errors.h"
#include "convexnn/random.h"

namespace convexnn {
namespace {

using std::numbers::pi;

// Shapes follow the TensorFlow Playground (coordinates in about [-6, 6]) scaled by 1/6 so that
// the data lies in about [-1, 1]^2, which keeps the convex program well conditioned.
constexpr double kScale = 1.0 / 6.0;

void circle(Dataset& data, Rng& rng, double noise) {
  const double radius = 5.0;
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const bool inner = i % 2 == 0;
    const double r = inner ? rng.uniform(0.0, 0.5 * radius) : rng.uniform(0.7 * radius, radius);
    const double angle = rng.uniform(0.0, 2.0 * pi);
    const double x = r * std::sin(angle) + rng.uniform(-radius, radius) * noise;
    const double y = r * std::cos(angle) + rng.uniform(-radius, radius) * noise;
    data.X.row(i) << x * kScale, y * kScale;
    data.y[i] = inner ? 1.0 : -1.0;
  }
}

void xor_quadrants(Dataset& data, Rng& rng, double noise) {
  const double padding = 0.3;
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    double x = rng.uniform(-5.0, 5.0);
    double y = rng.uniform(-5.0, 5.0);
    x += x > 0 ? padding : -padding;
    y += y > 0 ? padding : -padding;
    const double label = x * y >= 0 ? 1.0 : -1.0;
    x += rng.uniform(-5.0, 5.0) * noise;
    y += rng.uniform(-5.0, 5.0) * noise;
    data.X.row(i) << x * kScale, y * kScale;
    data.y[i] = label;
  }
}

void gaussians(Dataset& data, Rng& rng, double noise) {
  const double spread = 0.5 + 4.0 * noise;  // noise 0 gives tight, separable blobs
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const bool positive = i % 2 == 0;
    const double centre = positive ? 2.0 : -2.0;
    data.X.row(i) << rng.normal(centre, spread) * kScale, rng.normal(centre, spread) * kScale;
    data.y[i] = positive ? 1.0 : -1.0;
  }
}

void spiral(Dataset& data, Rng& rng, double noise) {
  const Eigen::Index n = data.X.rows();
  const Eigen::Index half = (n + 1) / 2;
  for (Eigen::Index i = 0; i < n; ++i) {
    const bool positive = i % 2 == 0;
    const Eigen::Index k = i / 2;
    const double r = static_cast<double>(k) / static_cast<double>(half) * 5.0;
    const double t = 1.75 * static_cast<double>(k) / static_cast<double>(half) * 2.0 * pi +
                     (positive ? 0.0 : pi);
    const double x = r * std::sin(t) + rng.uniform(-1.0, 1.0) * noise * 5.0;
    const double y = r * std::cos(t) + rng.uniform(-1.0, 1.0) * noise * 5.0;
    data.X.row(i) << x * kScale, y * kScale;
    data.y[i] = positive ? 1.0 : -1.0;
  }
}

void moons(Dataset& data, Rng& rng, double noise) {
  // The two interleaving half circles of scikit-learn's make_moons, centred on the origin.
  for (Eigen::Index i = 0; i < data.X.rows(); ++i) {
    const bool upper = i % 2 == 0;
    const double t = rng.uniform(0.0, pi);
    double x = upper ? std::cos(t) : 1.0 - std::cos(t);
    double y = upper ? std::sin(t) : 0.5 - std::sin(t);
    x += rng.normal() * noise - 0.5;
    y += rng.normal() * noise - 0.25;
    data.X.row(i) << x, y;
    data.y[i] = upper ? 1.0 : -1.0;
  }
}

void xor_clusters(Dataset& data, Rng& rng, double flip_fraction) {
  const Eigen::Index n = data.X.rows();
  const double centre = 0.6;
  const double spread = 0.25 * centre;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double sx = (i % 4 == 0 || i % 4 == 1) ? 1.0 : -1.0;
    const double sy = (i % 4 == 0 || i % 4 == 2) ? 1.0 : -1.0;
    data.X.row(i) << rng.normal(sx * centre, spread), rng.normal(sy * centre, spread);
    data.y[i] = sx * sy;
  }
  // Flip exactly round(fraction * n) labels at distinct random positions.
  const auto flips = static_cast<Eigen::Index>(std::llround(flip_fraction * static_cast<double>(n)));
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  for (Eigen::Index i = 0; i < flips; ++i) {
    const auto j = i + static_cast<Eigen::Index>(rng.below(static_cast<std::uint64_t>(n - i)));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
    data.y[order[static_cast<std::size_t>(i)]] *= -1.0;
  }
}

}  // namespace

const std::vector<GeneratorInfo>& dataset_generators() {
  static const std::vector<GeneratorInfo> generators = {
      {"circle", "a disk of one class inside a ring of the other", 0.0},
      {"xor", "points in four quadrants, labelled by the sign of x1 * x2", 0.0},
      {"gaussians", "two Gaussian blobs; noise widens them until they overlap", 0.1},
      {"spiral", "two interleaved spirals, the hardest of the playground shapes", 0.0},
      {"moons", "two interleaving half circles", 0.1},
      {"xor-clusters", "four Gaussian clusters in XOR layout; noise is the fraction of flipped labels",
       0.1},
  };
  return generators;
}

Dataset generate_dataset(const GeneratorSettings& settings) {
  const auto& generators = dataset_generators();
  const bool known = std::any_of(generators.begin(), generators.end(),
                                 [&](const GeneratorInfo& g) { return g.name == settings.name; });
  if (!known) {
    std::string names;
    for (const GeneratorInfo& g : generators) {
      if (!names.empty()) names += ", ";
      names += g.name;
    }
    throw InputError("unknown dataset '" + settings.name + "' (available: " + names + ")");
  }
  if (settings.n < 2) {
    throw InputError("n must be at least 2 (got " + std::to_string(settings.n) + ")");
  }
  if (!(settings.noise >= 0.0) || !std::isfinite(settings.noise)) {
    throw InputError("noise must be a non-negative number (got " + std::to_string(settings.noise) + ")");
  }
  if (settings.name == "xor-clusters" && settings.noise > 0.5) {
    throw InputError("noise for xor-clusters is the flipped-label fraction and must be at most 0.5");
  }
  Dataset data;
  data.X.resize(settings.n, 2);
  data.y.resize(settings.n);
  data.feature_names = {"x1", "x2"};
  data.label_name = "y";
  Rng rng(settings.seed);
  if (settings.name == "circle") circle(data, rng, settings.noise);
  if (settings.name == "xor") xor_quadrants(data, rng, settings.noise);
  if (settings.name == "gaussians") gaussians(data, rng, settings.noise);
  if (settings.name == "spiral") spiral(data, rng, settings.noise);
  if (settings.name == "moons") moons(data, rng, settings.noise);
  if (settings.name == "xor-clusters") xor_clusters(data, rng, settings.noise);
  char source[160];
  std::snprintf(source, sizeof source, "generator:%s n=%d noise=%g seed=%llu", settings.name.c_str(),
                settings.n, settings.noise, static_cast<unsigned long long>(settings.seed));
  data.source = source;
  return data;
}

}  // namespace convexnn
