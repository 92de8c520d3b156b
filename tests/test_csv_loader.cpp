// CSV loading (errors, label mapping, format details), saving, prediction tables and atomic files.
#include <gtest/gtest.h>

#include <unistd.h>
#include <clocale>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "convexnn/atomic_file.h"
#include "convexnn/csv_loader.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

namespace fs = std::filesystem;

// The message of the InputError thrown by parse_csv, or a marker if none was thrown.
std::string csv_error(const std::string& text, const CsvOptions& options = {}) {
  try {
    parse_csv(text, "data.csv", options);
  } catch (const InputError& error) {
    return error.what();
  }
  return "<no error>";
}

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// A private directory per test so that parallel test processes never share files.
class CsvFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = fs::temp_directory_path() / ("convexnn_csv_" + std::to_string(::getpid()) + "_" +
                                              info->test_suite_name() + "_" + info->name());
    fs::remove_all(directory_);
    fs::create_directories(directory_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
  }

  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  std::string write(const std::string& name, const std::string& contents) const {
    std::ofstream out(path(name), std::ios::binary);
    out << contents;
    return path(name);
  }

  fs::path directory_;
};

TEST(CsvErrors, NonNumericFieldNamesFileLineAndColumn) {
  // The blank line still counts, so the bad field is on file line 4.
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,1\n\n3,abc,0\n"),
            "data.csv:4: column 2 ('x2'): 'abc' is not a number");
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,1\n3,,0\n"),
            "data.csv:3: column 2 ('x2'): empty field where a number is expected");
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,1\n3,4,1.5e\n"),
            "data.csv:3: column 3 ('y'): '1.5e' is not a number");
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,1\n3,+-4,0\n"),
            "data.csv:3: column 2 ('x2'): '+-4' is not a number");
}

TEST(CsvErrors, NanAndInfinityAreRejected) {
  for (const std::string bad : {"nan", "NaN", "inf", "-Infinity", "1e999", "-2e400"}) {
    const std::string message = csv_error("x1,x2,y\n0,1,1\n1," + bad + ",0\n");
    EXPECT_TRUE(contains(message, "data.csv:3: column 2 ('x2'): '" + bad + "'")) << bad;
    EXPECT_TRUE(contains(message, "is not a finite number")) << bad;
  }
}

TEST(CsvErrors, RaggedRowsNameTheFirstMissingOrExtraColumn) {
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,1\n3,4\n"),
            "data.csv:3: column 3 ('y'): missing; expected 3 fields as in the header, found 2");
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,1,9\n3,4,0\n"),
            "data.csv:2: column 4: unexpected extra field; expected 3 fields as in the header, "
            "found 4");
}

TEST(CsvErrors, EmptyFileAndHeaderWithoutData) {
  EXPECT_TRUE(contains(csv_error(""), "data.csv:1: the file is empty"));
  EXPECT_TRUE(contains(csv_error("\n \r\n\t\n"), "data.csv:1: the file is empty"));
  EXPECT_EQ(csv_error("\nx1,y\n\n"), "data.csv:2: the file has a header but no data rows");
}

TEST(CsvErrors, OneClassPointsAtTheLabelColumn) {
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,1\n3,4,1\n"),
            "data.csv:1: column 3 ('y'): only one class (label 1) found; two classes are needed");
}

TEST(CsvErrors, MulticlassNamesTheLineOfTheThirdLabel) {
  EXPECT_EQ(csv_error("x1,y\n1,0\n2,1\n3,1\n4,2\n5,0\n"),
            "data.csv:5: column 2 ('y'): found 3 distinct labels (0, 1, 2); multiclass is not "
            "supported yet");
  // Long lists are cut after five values.
  EXPECT_TRUE(contains(csv_error("x,y\n0,7\n0,6\n0,5\n0,4\n0,3\n0,2\n0,1\n"),
                       "data.csv:4: column 2 ('y'): found 7 distinct labels (1, 2, 3, 4, 5, ...)"));
}

TEST(CsvErrors, UnknownLabelColumnListsTheColumns) {
  CsvOptions options;
  options.label_column = "target";
  EXPECT_EQ(csv_error("x1,x2,y\n1,2,0\n2,3,1\n", options),
            "data.csv:1: no label column named 'target'; the columns are 'x1', 'x2', 'y'");
}

TEST(CsvErrors, HeaderProblems) {
  EXPECT_TRUE(contains(csv_error("1,2,0\n3,4,1\n"), "data.csv:1: the first row holds numbers"));
  EXPECT_EQ(csv_error("x1,,y\n1,2,0\n"), "data.csv:1: column 2 has no name in the header row");
  EXPECT_EQ(csv_error("a,b,a\n1,2,0\n"),
            "data.csv:1: column 3 ('a'): the name is already used by column 1");
  EXPECT_TRUE(contains(csv_error("y\n1\n0\n"), "data.csv:1: only one column ('y')"));
  EXPECT_EQ(csv_error("x1,\"y\n1,0\n"), "data.csv:1: column 2: the double quote is never closed");
  EXPECT_EQ(csv_error("\"x1\"z,y\n1,0\n"),
            "data.csv:1: column 1: unexpected text after the closing double quote");
}

TEST_F(CsvFileTest, ErrorsFromFilesNameThePath) {
  const std::string bad = write("bad.csv", "x1,x2,y\r\n1,2,1\r\n3,oops,0\r\n");
  try {
    load_csv(bad);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()), bad + ":3: column 2 ('x2'): 'oops' is not a number");
  }
  const std::string missing = path("missing.csv");
  try {
    load_csv(missing);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()), missing + ": cannot open file");
  }
  EXPECT_THROW(load_csv(directory_.string()), InputError);
}

TEST(CsvLabels, MinusOnePlusOneStay) {
  const Dataset data = parse_csv("a,b,y\n1,2,-1\n3,4,1\n5,6,1\n", "s.csv");
  EXPECT_EQ(data.y, Eigen::Vector3d(-1, 1, 1));
  EXPECT_EQ(data.label_mapping.negative_value, -1.0);
  EXPECT_EQ(data.label_mapping.positive_value, 1.0);
}

TEST(CsvLabels, ZeroOneBecomeMinusOnePlusOne) {
  const Dataset data = parse_csv("a,y\n1,1\n2,0\n3,1\n", "b.csv");
  EXPECT_EQ(data.y, Eigen::Vector3d(1, -1, 1));
  EXPECT_EQ(data.label_mapping.negative_value, 0.0);
  EXPECT_EQ(data.label_mapping.positive_value, 1.0);
}

TEST(CsvLabels, OtherPairsMapTheSmallerValueToMinusOne) {
  // The first row's label (5) is the larger one: order of appearance must not matter.
  const Dataset data = parse_csv("a,y\n1,5\n2,2\n3,5\n", "o.csv");
  EXPECT_EQ(data.y, Eigen::Vector3d(1, -1, 1));
  EXPECT_EQ(data.label_mapping.negative_value, 2.0);
  EXPECT_EQ(data.label_mapping.positive_value, 5.0);

  const Dataset negative = parse_csv("a,y\n1,-3\n2,-7\n", "n.csv");
  EXPECT_EQ(negative.y, Eigen::Vector2d(1, -1));
  EXPECT_EQ(negative.label_mapping.negative_value, -7.0);
}

TEST(CsvFormat, LabelColumnByName) {
  CsvOptions options;
  options.label_column = "label";
  const Dataset data = parse_csv("label,x1,x2\n1,0.5,0.25\n0,1.5,2\n", "n.csv", options);
  ASSERT_EQ(data.num_features(), 2);
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"x1", "x2"}));
  EXPECT_EQ(data.label_name, "label");
  EXPECT_EQ(data.X, (Eigen::Matrix2d() << 0.5, 0.25, 1.5, 2.0).finished());
  EXPECT_EQ(data.y, Eigen::Vector2d(1, -1));
}

TEST(CsvFormat, DefaultLabelColumnIsTheLastAndSourceIsKept) {
  const Dataset data = parse_csv("p,q,r,cls\n1,2,3,0\n4,5,6,1\n", "mine.csv");
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"p", "q", "r"}));
  EXPECT_EQ(data.label_name, "cls");
  EXPECT_EQ(data.X.row(1), Eigen::RowVector3d(4, 5, 6));
  EXPECT_EQ(data.source, "mine.csv");
}

TEST(CsvFormat, CrlfBlankLinesWhitespaceQuotesAndByteOrderMark) {
  const std::string text =
      "\xEF\xBB\xBF\"x 1\" , x2 ,\"label\"\r\n"
      "\r\n"
      " 1.5 , -2 , 1 \r\n"
      "+3,4e-1,\"0\"\r\n"
      "\r\n"
      "   \r\n";
  const Dataset data = parse_csv(text, "crlf.csv");
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"x 1", "x2"}));
  EXPECT_EQ(data.label_name, "label");
  EXPECT_EQ(data.X, (Eigen::Matrix2d() << 1.5, -2.0, 3.0, 0.4).finished());
  EXPECT_EQ(data.y, Eigen::Vector2d(1, -1));
  // Line numbers stay right with CRLF line ends.
  EXPECT_EQ(csv_error("x,y\r\n1,0\r\n\r\n2,z\r\n"),
            "data.csv:4: column 2 ('y'): 'z' is not a number");
}

TEST(CsvFormat, QuotedHeaderNamesMayHoldCommasAndQuotes) {
  const Dataset data = parse_csv("\"a,b\",\"say \"\"hi\"\"\",y\n1,2,0\n3,4,1\n", "q.csv");
  EXPECT_EQ(data.feature_names, (std::vector<std::string>{"a,b", "say \"hi\""}));
}

TEST(CsvFormat, NoTrailingNewlineAndTinyValues) {
  // 1e-400 underflows to zero, which is a finite number and therefore accepted.
  const Dataset data = parse_csv("x,y\n1e-400,0\n-4.9e-324,1", "t.csv");
  EXPECT_EQ(data.num_samples(), 2);
  EXPECT_EQ(data.X(0, 0), 0.0);
  EXPECT_EQ(data.X(1, 0), -std::numeric_limits<double>::denorm_min());
}

TEST(CsvFormat, NumbersAreFormattedShortestAndExact) {
  EXPECT_EQ(format_csv_number(0.1), "0.1");
  EXPECT_EQ(format_csv_number(-2.5e-7), "-2.5e-07");
  EXPECT_EQ(format_csv_number(3.0), "3");
  EXPECT_EQ(format_csv_number(1.0 / 3.0), "0.3333333333333333");
}

TEST(CsvFormat, ParsingAndFormattingIgnoreTheCLocale) {
  const std::string previous = std::setlocale(LC_ALL, nullptr);
  const char* decimal_comma = nullptr;
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8"}) {
    if (std::setlocale(LC_ALL, name) != nullptr) {
      decimal_comma = name;
      break;
    }
  }
  if (decimal_comma == nullptr) GTEST_SKIP() << "no locale with a decimal comma is installed";
  const std::string formatted = format_csv_number(0.5);
  const Dataset data = parse_csv("x,y\n0.25,0\n1.5,1\n", "l.csv");
  std::setlocale(LC_ALL, previous.c_str());
  EXPECT_EQ(formatted, "0.5") << decimal_comma;
  EXPECT_EQ(data.X(0, 0), 0.25) << decimal_comma;
}

TEST_F(CsvFileTest, SaveAndLoadRoundTripIsExact) {
  Dataset data;
  data.X.resize(3, 3);
  data.X << 0.1, -3.25e-7, 1.0 / 3.0,                          //
      1e300, std::numeric_limits<double>::denorm_min(), -0.0,  //
      2.0, 3.0, 123456789.123456789;
  data.y = Eigen::Vector3d(1, -1, 1);
  data.feature_names = {"x1", "a,b", "7"};  // the last two need quotes to read back
  data.label_name = "label";
  data.label_mapping = LabelMapping{4.0, 7.0};
  const std::string file = path("round.csv");
  save_csv(data, file);

  const std::string text = read_file(file);
  EXPECT_EQ(text.substr(0, text.find('\n')), "x1,\"a,b\",\"7\",label");
  EXPECT_TRUE(contains(text, "\n0.1,-3.25e-07,0.3333333333333333,7\n"));
  EXPECT_TRUE(contains(text, "\n2,3,123456789.12345679,7\n"));

  const Dataset loaded = load_csv(file);
  EXPECT_EQ(loaded.X, data.X);
  EXPECT_EQ(loaded.y, data.y);
  EXPECT_EQ(loaded.feature_names, data.feature_names);
  EXPECT_EQ(loaded.label_name, "label");
  EXPECT_EQ(loaded.label_mapping.negative_value, 4.0);
  EXPECT_EQ(loaded.label_mapping.positive_value, 7.0);
  EXPECT_EQ(loaded.source, file);
}

TEST_F(CsvFileTest, FeatureTableWithoutLabels) {
  const std::string file = write("f.csv", "a,b\n1,2\n3,4\n");
  const FeatureTable table = load_feature_csv(file, 2);
  EXPECT_EQ(table.X, (Eigen::Matrix2d() << 1, 2, 3, 4).finished());
  EXPECT_EQ(table.feature_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(table.labels.has_value());
}

TEST_F(CsvFileTest, FeatureTableKeepsRawLabels) {
  const std::string file = write("f.csv", "t,a,b\n0,1,2\n9,3,4\n");
  CsvOptions options;
  options.label_column = "t";
  const FeatureTable table = load_feature_csv(file, 2, options);
  EXPECT_EQ(table.X, (Eigen::Matrix2d() << 1, 2, 3, 4).finished());
  ASSERT_TRUE(table.labels.has_value());
  EXPECT_EQ(*table.labels, Eigen::Vector2d(0, 9));  // not mapped to -1/+1
  EXPECT_EQ(table.label_name, "t");

  const FeatureTable last = load_feature_csv(file, 2);  // default: the last column is the label
  EXPECT_EQ(last.feature_names, (std::vector<std::string>{"t", "a"}));
  EXPECT_EQ(*last.labels, Eigen::Vector2d(2, 4));
}

TEST_F(CsvFileTest, FeatureTableRejectsWrongColumnCounts) {
  const std::string file = write("f.csv", "a,b,c,d\n1,2,3,4\n");
  try {
    load_feature_csv(file, 2);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(std::string(error.what()),
              file +
                  ":1: the file has 4 columns; the model expects 2 feature columns, optionally "
                  "followed by a label column");
  }
  CsvOptions options;
  options.label_column = "b";
  try {
    load_feature_csv(file, 4, options);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_TRUE(contains(error.what(), file + ":1: column 2 ('b') is the label column"));
  }
  EXPECT_THROW(load_feature_csv(write("g.csv", "a,b\n1,x\n"), 2), InputError);
}

TEST_F(CsvFileTest, AtomicWriteReplacesContentsAndLeavesNoTemporaryFile) {
  const std::string file = path("out.txt");
  write_file_atomically(file, "first version\n");
  EXPECT_EQ(read_file(file), "first version\n");
  write_file_atomically(file, std::string("second\0version", 14));
  EXPECT_EQ(read_file(file), std::string("second\0version", 14));
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(directory_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(CsvFileTest, AtomicWriteAndReadErrorsNameThePath) {
  const std::string unreachable = path("no/such/dir/out.csv");
  try {
    write_file_atomically(unreachable, "x");
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_TRUE(contains(error.what(), unreachable + ": cannot open"));
  }
  try {
    read_file(directory_.string());
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_TRUE(contains(error.what(), directory_.string() + ": is a directory"));
  }
}

}  // namespace
}  // namespace convexnn
