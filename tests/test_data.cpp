// CSV loading errors and label mapping, generators, split and standardization.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "convexnn/csv_loader.h"
#include "convexnn/data_split.h"
#include "convexnn/errors.h"
#include "convexnn/generators.h"
#include "convexnn/standardization.h"

namespace convexnn {
namespace {

std::string error_of(const std::string& text, const CsvOptions& options = {}) {
  try {
    parse_csv(text, "data.csv", options);
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST(CsvLoader, ErrorsNameFileLineAndColumn) {
  const std::string non_numeric = error_of("x1,x2,y\n1,2,1\n3,abc,0\n");
  EXPECT_NE(non_numeric.find("data.csv:3"), std::string::npos) << non_numeric;
  EXPECT_NE(non_numeric.find("column 2 ('x2')"), std::string::npos) << non_numeric;
  EXPECT_NE(non_numeric.find("'abc' is not a number"), std::string::npos) << non_numeric;

  const std::string ragged = error_of("x1,x2,y\n1,2,1\n3,4\n");
  EXPECT_NE(ragged.find("data.csv:3"), std::string::npos) << ragged;
  EXPECT_NE(ragged.find("expected 3 fields"), std::string::npos) << ragged;

  const std::string nan = error_of("x1,x2,y\n1,nan,1\n3,4,0\n");
  EXPECT_NE(nan.find("data.csv:2: column 2"), std::string::npos) << nan;
  EXPECT_NE(nan.find("finite"), std::string::npos) << nan;
  EXPECT_NE(error_of("x1,x2,y\n1,inf,1\n3,4,0\n").find("finite"), std::string::npos);
  EXPECT_NE(error_of("x1,x2,y\n1,1e999,1\n3,4,0\n").find("finite"), std::string::npos);

  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("x1,x2,y\n").find("no data rows"), std::string::npos);

  const std::string one_class = error_of("x1,y\n1,1\n2,1\n");
  EXPECT_NE(one_class.find("only one class"), std::string::npos) << one_class;
  EXPECT_NE(one_class.find("column 2 ('y')"), std::string::npos) << one_class;

  const std::string multiclass = error_of("x1,y\n1,0\n2,1\n3,2\n");
  EXPECT_NE(multiclass.find("data.csv:4"), std::string::npos) << multiclass;
  EXPECT_NE(multiclass.find("multiclass is not supported yet"), std::string::npos) << multiclass;

  CsvOptions by_name;
  by_name.label_column = "target";
  EXPECT_NE(error_of("x1,y\n1,0\n2,1\n", by_name).find("no label column named 'target'"),
            std::string::npos);
}

TEST(CsvLoader, LabelMappingsAndLabelColumnByName) {
  const Dataset signs = parse_csv("a,b,y\n1,2,-1\n3,4,1\n", "s.csv");
  EXPECT_EQ(signs.y, Eigen::Vector2d(-1, 1));
  EXPECT_EQ(signs.label_mapping.negative_value, -1.0);

  const Dataset binary = parse_csv("a,y\n1,1\n2,0\n3,1\n", "b.csv");
  EXPECT_EQ(binary.y, Eigen::Vector3d(1, -1, 1));
  EXPECT_EQ(binary.label_mapping.negative_value, 0.0);
  EXPECT_EQ(binary.label_mapping.positive_value, 1.0);

  const Dataset other = parse_csv("a,y\r\n1,5\r\n2,2\r\n\r\n\r\n", "o.csv");
  EXPECT_EQ(other.y, Eigen::Vector2d(1, -1));
  EXPECT_EQ(other.label_mapping.negative_value, 2.0);

  CsvOptions options;
  options.label_column = "label";
  const Dataset named = parse_csv("label,x1,x2\n1,0.5,0.25\n0,1.5,2\n", "n.csv", options);
  ASSERT_EQ(named.num_features(), 2);
  EXPECT_EQ(named.feature_names, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_DOUBLE_EQ(named.X(1, 1), 2.0);
  EXPECT_EQ(named.y, Eigen::Vector2d(1, -1));
}

TEST(CsvLoader, SaveAndLoadRoundTripKeepsValuesAndLabels) {
  const auto directory = std::filesystem::temp_directory_path() / "convexnn_csv_test";
  std::filesystem::create_directories(directory);
  const std::string path = (directory / "round.csv").string();
  Dataset data = parse_csv("x1,x2,label\n0.1,-3.25e-7,7\n2,3,4\n", "in.csv");
  save_csv(data, path);
  const Dataset loaded = load_csv(path);
  EXPECT_EQ(loaded.X, data.X);
  EXPECT_EQ(loaded.y, data.y);
  EXPECT_EQ(loaded.label_mapping.positive_value, 7.0);
  EXPECT_EQ(loaded.label_name, "label");
  try {
    load_csv((directory / "missing.csv").string());
    FAIL() << "expected an error";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("missing.csv"), std::string::npos);
  }
}

TEST(Generators, ShapesLabelsAndDeterminism) {
  for (const GeneratorInfo& info : dataset_generators()) {
    GeneratorSettings settings;
    settings.name = info.name;
    settings.n = 101;
    settings.noise = info.default_noise;
    settings.seed = 5;
    const Dataset a = generate_dataset(settings);
    ASSERT_EQ(a.X.rows(), 101) << info.name;
    ASSERT_EQ(a.X.cols(), 2);
    EXPECT_TRUE(a.X.allFinite());
    EXPECT_EQ(a.count_label(1.0) + a.count_label(-1.0), 101) << info.name;
    EXPECT_GT(a.count_label(1.0), 20) << info.name;
    EXPECT_GT(a.count_label(-1.0), 20) << info.name;
    EXPECT_LT(a.X.cwiseAbs().maxCoeff(), 5.0) << info.name;
    const Dataset b = generate_dataset(settings);
    EXPECT_EQ(a.X, b.X);
    EXPECT_EQ(a.y, b.y);
    settings.seed = 6;
    EXPECT_NE(generate_dataset(settings).X, a.X) << info.name;
  }
}

TEST(Generators, XorClustersFlipExactlyTheRequestedFraction) {
  GeneratorSettings settings;
  settings.name = "xor-clusters";
  settings.n = 200;
  settings.noise = 0.15;
  const Dataset data = generate_dataset(settings);
  settings.noise = 0.0;
  const Dataset clean = generate_dataset(settings);
  // Same draws for the points, labels differ exactly where flipped.
  EXPECT_EQ(data.X, clean.X);
  EXPECT_EQ((data.y.array() != clean.y.array()).count(), 30);
  // The clean labels follow the XOR rule of the cluster centres for almost all points.
  const Eigen::ArrayXd rule = (clean.X.col(0).array() * clean.X.col(1).array()).sign();
  EXPECT_GT((rule == clean.y.array()).count(), 190);
}

TEST(Generators, ErrorsNameTheField) {
  GeneratorSettings settings;
  settings.name = "swirl";
  try {
    generate_dataset(settings);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("unknown dataset 'swirl'"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("moons"), std::string::npos);
  }
  settings.name = "xor";
  settings.n = 1;
  EXPECT_THROW(generate_dataset(settings), InputError);
  settings.n = 10;
  settings.noise = -1;
  EXPECT_THROW(generate_dataset(settings), InputError);
}

TEST(DataSplit, SizesDisjointnessAndDeterminism) {
  GeneratorSettings settings;
  settings.n = 50;
  const Dataset data = generate_dataset(settings);
  const TrainTestSplit split = split_train_test(data, 0.2, 3);
  EXPECT_EQ(split.test.num_samples(), 10);
  EXPECT_EQ(split.train.num_samples(), 40);
  // Every original row appears exactly once.
  Eigen::MatrixXd all(50, 2);
  all << split.train.X, split.test.X;
  double sum_original = data.X.sum(), sum_split = all.sum();
  EXPECT_NEAR(sum_original, sum_split, 1e-12);
  EXPECT_EQ(split_train_test(data, 0.2, 3).test.X, split.test.X);
  EXPECT_NE(split_train_test(data, 0.2, 4).test.X, split.test.X);
  EXPECT_THROW(split_train_test(data, 1.0, 3), InputError);
  EXPECT_EQ(split_train_test(data, 0.0, 3).test.num_samples(), 0);
}

TEST(Standardization, ZeroMeanUnitVarianceAndConstantColumns) {
  Eigen::MatrixXd X(4, 2);
  X << 1, 5, 2, 5, 3, 5, 4, 5;
  const Standardization z = Standardization::fit(X);
  const Eigen::MatrixXd Z = z.apply(X);
  EXPECT_NEAR(Z.col(0).mean(), 0.0, 1e-12);
  EXPECT_NEAR(Z.col(0).squaredNorm() / 4, 1.0, 1e-12);
  EXPECT_EQ(z.scale[1], 1.0);
  EXPECT_NEAR(Z.col(1).cwiseAbs().maxCoeff(), 0.0, 1e-12);
}

}  // namespace
}  // namespace convexnn
