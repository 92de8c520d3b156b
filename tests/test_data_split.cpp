// Train/test split: sizes, disjointness, order, determinism and argument checks.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "convexnn/data_split.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

// Row i holds (i, 10 i) with alternating labels, so every row identifies its original index.
Dataset indexed_dataset(int n) {
  Dataset data;
  data.X.resize(n, 2);
  data.y.resize(n);
  for (int i = 0; i < n; ++i) {
    data.X(i, 0) = i;
    data.X(i, 1) = 10.0 * i;
    data.y[i] = i % 2 == 0 ? 1.0 : -1.0;
  }
  data.feature_names = {"a", "b"};
  data.label_name = "target";
  data.label_mapping = LabelMapping{3.0, 8.0};
  data.source = "indexed.csv";
  return data;
}

std::vector<int> original_rows(const Dataset& part) {
  std::vector<int> rows;
  for (Eigen::Index r = 0; r < part.num_samples(); ++r)
    rows.push_back(static_cast<int>(part.X(r, 0)));
  return rows;
}

TEST(DataSplitting, SizesFollowTheRoundedFraction) {
  const Dataset data = indexed_dataset(50);
  EXPECT_EQ(split_train_test(data, 0.2, 1).test.num_samples(), 10);
  EXPECT_EQ(split_train_test(data, 0.25, 1).test.num_samples(), 13);  // round(12.5) = 13
  EXPECT_EQ(split_train_test(data, 0.23, 1).test.num_samples(), 12);  // round(11.5) = 12
  EXPECT_EQ(split_train_test(data, 0.229, 1).test.num_samples(), 11);
  const TrainTestSplit split = split_train_test(data, 0.2, 1);
  EXPECT_EQ(split.train.num_samples(), 40);
}

TEST(DataSplitting, PartsAreDisjointCompleteAndInOriginalOrder) {
  const Dataset data = indexed_dataset(37);
  const TrainTestSplit split = split_train_test(data, 0.3, 12);
  const std::vector<int> train = original_rows(split.train);
  const std::vector<int> test = original_rows(split.test);
  EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));
  EXPECT_TRUE(std::is_sorted(test.begin(), test.end()));
  std::set<int> all(train.begin(), train.end());
  all.insert(test.begin(), test.end());
  EXPECT_EQ(all.size(), 37u);  // no row lost or duplicated
  EXPECT_EQ(*all.rbegin(), 36);
  // Rows travel whole: features and label stay together.
  for (Eigen::Index r = 0; r < split.test.num_samples(); ++r) {
    const int original = test[static_cast<std::size_t>(r)];
    EXPECT_EQ(split.test.X(r, 1), 10.0 * original);
    EXPECT_EQ(split.test.y[r], original % 2 == 0 ? 1.0 : -1.0);
  }
  // The test rows are a shuffle, not simply the first or last rows.
  EXPECT_NE(test.front(), 0);
  EXPECT_NE(test.back() - test.front() + 1, static_cast<int>(test.size()));
}

TEST(DataSplitting, KeepsNamesMappingAndSource) {
  const TrainTestSplit split = split_train_test(indexed_dataset(10), 0.3, 2);
  for (const Dataset* part : {&split.train, &split.test}) {
    EXPECT_EQ(part->feature_names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(part->label_name, "target");
    EXPECT_EQ(part->label_mapping.negative_value, 3.0);
    EXPECT_EQ(part->label_mapping.positive_value, 8.0);
    EXPECT_EQ(part->source, "indexed.csv");
  }
}

TEST(DataSplitting, SameSeedSameSplitDifferentSeedDifferentSplit) {
  const Dataset data = indexed_dataset(40);
  const std::vector<int> first = original_rows(split_train_test(data, 0.25, 7).test);
  EXPECT_EQ(original_rows(split_train_test(data, 0.25, 7).test), first);
  EXPECT_NE(original_rows(split_train_test(data, 0.25, 8).test), first);
}

TEST(DataSplitting, ZeroFractionAndTrainingNeverEmpty) {
  const Dataset data = indexed_dataset(5);
  const TrainTestSplit none = split_train_test(data, 0.0, 3);
  EXPECT_EQ(none.test.num_samples(), 0);
  EXPECT_EQ(none.test.num_features(), 2);
  EXPECT_EQ(none.train.X, data.X);
  // round(0.95 * 5) = 5 would leave nothing to train on; one sample stays.
  const TrainTestSplit almost_all = split_train_test(data, 0.95, 3);
  EXPECT_EQ(almost_all.train.num_samples(), 1);
  EXPECT_EQ(almost_all.test.num_samples(), 4);
  EXPECT_EQ(split_train_test(indexed_dataset(1), 0.5, 3).train.num_samples(), 1);
}

TEST(DataSplitting, InvalidFractionsNameTheTestFraction) {
  const Dataset data = indexed_dataset(10);
  for (const double bad : {1.0, -0.1, 1.5, std::nan("")}) {
    try {
      split_train_test(data, bad, 1);
      FAIL() << "expected an InputError for " << bad;
    } catch (const InputError& error) {
      EXPECT_EQ(std::string(error.what()).rfind("test fraction must lie in [0, 1)", 0), 0u)
          << error.what();
    }
  }
  try {
    split_train_test(data, 1.0, 1);
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()), "test fraction must lie in [0, 1) (got 1)");
  }
  EXPECT_THROW(split_train_test(indexed_dataset(0), 0.2, 1), InputError);
}

}  // namespace
}  // namespace convexnn
