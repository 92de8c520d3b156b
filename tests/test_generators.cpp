// Built-in dataset generators: shapes, labels, determinism, the geometry of each shape, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "convexnn/errors.h"
#include "convexnn/generators.h"

namespace convexnn {
namespace {

Dataset generate(const std::string& name, int n, double noise, std::uint64_t seed = 1) {
  GeneratorSettings settings;
  settings.name = name;
  settings.n = n;
  settings.noise = noise;
  settings.seed = seed;
  return generate_dataset(settings);
}

std::string generator_error(const std::string& name, int n, double noise) {
  try {
    generate(name, n, noise);
  } catch (const InputError& error) {
    return error.what();
  }
  return "<no error>";
}

// Fraction of samples whose label equals rule(x1, x2).
template <typename Rule>
double agreement(const Dataset& data, Rule rule) {
  Eigen::Index agree = 0;
  for (Eigen::Index i = 0; i < data.num_samples(); ++i) {
    if (rule(data.X(i, 0), data.X(i, 1)) == data.y[i]) ++agree;
  }
  return static_cast<double>(agree) / static_cast<double>(data.num_samples());
}

TEST(GeneratorList, HasTheSixShapesWithDescriptionsAndDefaults) {
  std::set<std::string> names;
  for (const GeneratorInfo& info : dataset_generators()) {
    names.insert(info.name);
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_GE(info.default_noise, 0.0) << info.name;
    EXPECT_LE(info.default_noise, 0.5) << info.name;
  }
  EXPECT_EQ(names, (std::set<std::string>{"circle", "xor", "gaussians", "spiral", "moons",
                                          "xor-clusters"}));
}

class EveryGenerator : public ::testing::TestWithParam<std::string> {
 protected:
  double default_noise() const {
    for (const GeneratorInfo& info : dataset_generators()) {
      if (info.name == GetParam()) return info.default_noise;
    }
    ADD_FAILURE() << "no generator named " << GetParam();
    return 0.0;
  }
};

TEST_P(EveryGenerator, ShapeNamesLabelsAndSource) {
  const Dataset data = generate(GetParam(), 201, default_noise(), 9);
  ASSERT_EQ(data.num_samples(), 201);
  ASSERT_EQ(data.num_features(), 2);
  ASSERT_EQ(data.y.size(), 201);
  EXPECT_TRUE(data.X.allFinite());
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(data.label_name, "y");
  EXPECT_EQ(data.label_mapping.negative_value, -1.0);
  EXPECT_EQ(data.label_mapping.positive_value, 1.0);
  EXPECT_EQ(data.count_label(1.0) + data.count_label(-1.0), 201);
  // Balanced up to the odd sample (and the few flipped labels of xor-clusters).
  EXPECT_GE(data.count_label(1.0), 90);
  EXPECT_GE(data.count_label(-1.0), 90);
  // Coordinates of order one keep the solver well conditioned.
  EXPECT_LT(data.X.cwiseAbs().maxCoeff(), 2.5);
  EXPECT_GT(data.X.cwiseAbs().maxCoeff(), 0.5);
  EXPECT_EQ(data.source.rfind("generator:" + GetParam() + " n=201 noise=", 0), 0u) << data.source;
  EXPECT_TRUE(data.source.ends_with(" seed=9")) << data.source;
}

TEST_P(EveryGenerator, SameSeedSameDataDifferentSeedDifferentData) {
  const Dataset first = generate(GetParam(), 60, default_noise(), 4);
  const Dataset again = generate(GetParam(), 60, default_noise(), 4);
  EXPECT_EQ(first.X, again.X);
  EXPECT_EQ(first.y, again.y);
  const Dataset other = generate(GetParam(), 60, default_noise(), 5);
  EXPECT_NE(first.X, other.X);
}

TEST_P(EveryGenerator, TwoSamplesGiveBothClasses) {
  const Dataset data = generate(GetParam(), 2, 0.0);
  EXPECT_EQ(data.count_label(1.0), 1);
  EXPECT_EQ(data.count_label(-1.0), 1);
}

INSTANTIATE_TEST_SUITE_P(Generators, EveryGenerator,
                         ::testing::Values("circle", "xor", "gaussians", "spiral", "moons",
                                           "xor-clusters"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(GeneratorShapes, SourceDescribesTheSettings) {
  EXPECT_EQ(generate("xor", 200, 0.1, 1).source, "generator:xor n=200 noise=0.1 seed=1");
  EXPECT_EQ(generate("moons", 50, 0.0, 77).source, "generator:moons n=50 noise=0 seed=77");
}

TEST(GeneratorShapes, CircleHasInnerDiskAndOuterRing) {
  const Dataset data = generate("circle", 400, 0.0);
  for (Eigen::Index i = 0; i < data.num_samples(); ++i) {
    const double radius = data.X.row(i).norm();
    if (data.y[i] > 0) {
      EXPECT_LE(radius, 0.5 + 1e-12) << "sample " << i;
    } else {
      EXPECT_GE(radius, 0.7 - 1e-12) << "sample " << i;
      EXPECT_LE(radius, 1.0 + 1e-12) << "sample " << i;
    }
  }
}

TEST(GeneratorShapes, XorLabelsFollowTheSignOfTheProductWithAMargin) {
  const Dataset clean = generate("xor", 400, 0.0);
  EXPECT_EQ(agreement(clean, [](double a, double b) { return a * b > 0 ? 1.0 : -1.0; }), 1.0);
  EXPECT_GE(clean.X.cwiseAbs().minCoeff(), 0.06 - 1e-12);  // pushed away from the axes
  EXPECT_EQ(clean.count_label(1.0), 200);
  // Noise moves some points across the axes but leaves most labels right.
  const Dataset noisy = generate("xor", 400, 0.1);
  const double noisy_agreement =
      agreement(noisy, [](double a, double b) { return a * b > 0 ? 1.0 : -1.0; });
  EXPECT_LT(noisy_agreement, 1.0);
  EXPECT_GT(noisy_agreement, 0.85);
}

TEST(GeneratorShapes, GaussiansAreCentredOnTheDiagonalAndSpreadWithNoise) {
  const Dataset tight = generate("gaussians", 2000, 0.0);
  const Dataset wide = generate("gaussians", 2000, 0.4);
  auto class_mean = [](const Dataset& data, double label) {
    Eigen::RowVector2d sum = Eigen::RowVector2d::Zero();
    for (Eigen::Index i = 0; i < data.num_samples(); ++i) {
      if (data.y[i] == label) sum += data.X.row(i);
    }
    return Eigen::RowVector2d(sum / static_cast<double>(data.count_label(label)));
  };
  EXPECT_NEAR(class_mean(tight, 1.0)[0], 0.5, 0.02);
  EXPECT_NEAR(class_mean(tight, 1.0)[1], 0.5, 0.02);
  EXPECT_NEAR(class_mean(tight, -1.0)[0], -0.5, 0.02);
  // Separable by x1 + x2 = 0 without noise, overlapping with a lot of it.
  auto diagonal_rule = [](double a, double b) { return a + b > 0 ? 1.0 : -1.0; };
  EXPECT_EQ(agreement(tight, diagonal_rule), 1.0);
  EXPECT_LT(agreement(wide, diagonal_rule), 0.95);
}

TEST(GeneratorShapes, SpiralArmsAreHalfATurnApart) {
  const Dataset data = generate("spiral", 200, 0.0);
  // Without noise every point lies within the unit disk and the two arms are point reflections
  // of each other: sample 2k+1 sits at minus sample 2k.
  EXPECT_LE(data.X.rowwise().norm().maxCoeff(), 1.0);
  for (Eigen::Index k = 0; k + 1 < data.num_samples(); k += 2) {
    EXPECT_NEAR((data.X.row(k) + data.X.row(k + 1)).norm(), 0.0, 1e-12) << "pair " << k;
    EXPECT_EQ(data.y[k], 1.0);
    EXPECT_EQ(data.y[k + 1], -1.0);
  }
}

TEST(GeneratorShapes, MoonsLieOnTwoShiftedHalfCircles) {
  const Dataset data = generate("moons", 300, 0.0);
  for (Eigen::Index i = 0; i < data.num_samples(); ++i) {
    // Undo the centring shift, then check the distance to each moon's circle centre.
    const double x1 = data.X(i, 0) + 0.5;
    const double x2 = data.X(i, 1) + 0.25;
    if (data.y[i] > 0) {
      EXPECT_NEAR(std::hypot(x1, x2), 1.0, 1e-12);
      EXPECT_GE(x2, -1e-12);
    } else {
      EXPECT_NEAR(std::hypot(x1 - 1.0, x2 - 0.5), 1.0, 1e-12);
      EXPECT_LE(x2, 0.5 + 1e-12);
    }
  }
}

TEST(GeneratorShapes, XorClustersFlipExactlyRoundNoiseTimesNLabels) {
  const int n = 203;
  const double fraction = 0.13;  // round(26.39) = 26 flips
  const Dataset noisy = generate("xor-clusters", n, fraction, 21);
  const Dataset clean = generate("xor-clusters", n, 0.0, 21);
  EXPECT_EQ(noisy.X, clean.X);  // the points do not depend on the flip fraction
  EXPECT_EQ((noisy.y.array() != clean.y.array()).count(), 26);
  // Clusters have deviation 0.125 around (+-0.5, +-0.5), so no clean point crosses an axis and
  // the clean labels are exactly the XOR rule.
  auto xor_rule = [](double a, double b) { return a * b > 0 ? 1.0 : -1.0; };
  EXPECT_EQ(agreement(clean, xor_rule), 1.0);
  EXPECT_EQ(agreement(noisy, xor_rule), static_cast<double>(n - 26) / n);
  // Maximum flip fraction: half of the labels.
  const Dataset half = generate("xor-clusters", 100, 0.5, 21);
  EXPECT_EQ((half.y.array() != generate("xor-clusters", 100, 0.0, 21).y.array()).count(), 50);
}

TEST(GeneratorShapes, XorClustersKeepBothClassesForTinyNAndHighFlipFractions) {
  // Without the guarantee, n = 3 with two flips hits both negatives for a third of the seeds.
  for (int n = 3; n <= 12; ++n) {
    for (int percent = 0; percent <= 50; percent += 5) {
      const double fraction = percent / 100.0;
      for (std::uint64_t seed = 1; seed <= 30; ++seed) {
        const Dataset noisy = generate("xor-clusters", n, fraction, seed);
        const Dataset clean = generate("xor-clusters", n, 0.0, seed);
        EXPECT_GE(noisy.count_label(1.0), 1)
            << "n=" << n << " noise=" << fraction << " seed=" << seed;
        EXPECT_GE(noisy.count_label(-1.0), 1)
            << "n=" << n << " noise=" << fraction << " seed=" << seed;
        // Still exactly round(noise * n) flipped labels.
        EXPECT_EQ((noisy.y.array() != clean.y.array()).count(), std::llround(fraction * n))
            << "n=" << n << " noise=" << fraction << " seed=" << seed;
        EXPECT_EQ(noisy.y, generate("xor-clusters", n, fraction, seed).y);  // deterministic
      }
    }
  }
  // n = 2: one flip always leaves a single class, so the generator refuses it.
  EXPECT_EQ(generate("xor-clusters", 2, 0.2, 3).count_label(1.0), 1);  // round(0.4) = 0 flips
  EXPECT_EQ(generator_error("xor-clusters", 2, 0.25),
            "noise for xor-clusters with n = 2 must be below 0.25: flipping one of the two labels "
            "would leave a single class (got 0.25)");
  EXPECT_EQ(generator_error("xor-clusters", 2, 0.5).rfind("noise for xor-clusters with n = 2", 0),
            0u);
}

TEST(GeneratorErrors, UnknownNameListsTheValidNames) {
  EXPECT_EQ(generator_error("swirl", 100, 0.1),
            "unknown dataset 'swirl'; the built-in datasets are circle, xor, gaussians, spiral, "
            "moons, xor-clusters");
}

TEST(GeneratorErrors, InvalidNumbersNameTheField) {
  EXPECT_EQ(generator_error("xor", 1, 0.1), "n must be at least 2 (got 1)");
  EXPECT_EQ(generator_error("xor", -5, 0.1), "n must be at least 2 (got -5)");
  EXPECT_EQ(generator_error("moons", 100, -0.5), "noise must be a finite number >= 0 (got -0.5)");
  EXPECT_EQ(generator_error("moons", 100, std::nan("")).rfind("noise must be", 0), 0u);
  EXPECT_EQ(generator_error("xor-clusters", 100, 0.6),
            "noise for xor-clusters is the fraction of flipped labels and must be at most 0.5 "
            "(got 0.6)");
  EXPECT_EQ(generator_error("circle", 100, 0.6), "<no error>");  // only xor-clusters has the cap
}

}  // namespace
}  // namespace convexnn
