// IDX (MNIST format) parsing, two-class selection, and `--data *-idx3-ubyte[.gz]` end to end.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "convexnn/errors.h"
#include "convexnn/idx_loader.h"

namespace convexnn {
namespace {

void append_u32(std::string& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<char>((value >> shift) & 0xff));
}

std::string idx_header(unsigned char type, const std::vector<std::uint32_t>& dims) {
  std::string bytes = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (std::uint32_t size : dims) append_u32(bytes, size);
  return bytes;
}

std::string ubyte_idx(const std::vector<std::uint32_t>& dims,
                      const std::vector<unsigned char>& values) {
  std::string bytes = idx_header(0x08, dims);
  for (unsigned char value : values) bytes.push_back(static_cast<char>(value));
  return bytes;
}

std::string expect_input_error(std::string_view bytes) {
  try {
    parse_idx(bytes, "file.idx");
  } catch (const InputError& error) {
    return error.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

TEST(IdxLoader, ParsesUnsignedBytesRowMajor) {
  const IdxArray array =
      parse_idx(ubyte_idx({2, 2, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255}), "a");
  EXPECT_EQ(array.dims, (std::vector<std::int64_t>{2, 2, 3}));
  EXPECT_EQ(array.rows(), 2);
  EXPECT_EQ(array.row_size(), 6);
  ASSERT_EQ(array.values.size(), 12u);
  EXPECT_EQ(array.values[7], 7.0);
  EXPECT_EQ(array.values[11], 255.0);
}

TEST(IdxLoader, ParsesBigEndianWideTypes) {
  std::string shorts = idx_header(0x0B, {2});
  shorts += std::string("\xff\xfe\x01\x00", 4);  // -2, 256
  EXPECT_EQ(parse_idx(shorts, "s").values, (std::vector<double>{-2.0, 256.0}));

  std::string floats = idx_header(0x0D, {1});
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(1.5f);
  append_u32(floats, bits);
  EXPECT_EQ(parse_idx(floats, "f").values, (std::vector<double>{1.5}));

  std::string bytes = idx_header(0x09, {1});
  bytes.push_back(static_cast<char>(-3));
  EXPECT_EQ(parse_idx(bytes, "b").values, (std::vector<double>{-3.0}));
}

TEST(IdxLoader, BadFilesGiveMessagesNamingTheProblem) {
  EXPECT_NE(expect_input_error(std::string("\x1f\x8b\x08\x00", 4)).find("gzip"), std::string::npos);
  EXPECT_NE(expect_input_error("PK\x03\x04").find("not an IDX file"), std::string::npos);
  EXPECT_NE(expect_input_error(idx_header(0x42, {1}) + "x").find("element type"),
            std::string::npos);
  std::string truncated = ubyte_idx({3, 2}, {1, 2, 3, 4, 5});
  const std::string message = expect_input_error(truncated);
  EXPECT_NE(message.find("file.idx"), std::string::npos);
  EXPECT_NE(message.find("6 values"), std::string::npos) << message;
  EXPECT_NE(expect_input_error(std::string("\0\0\x08\x02\0\0", 6)).find("truncated"),
            std::string::npos);
}

TEST(IdxLoader, DatasetKeepsTwoClassesScaledToUnitRange) {
  // Four samples of 2 x 1 "images" with labels 3, 7, 3, 5.
  const IdxArray images = parse_idx(ubyte_idx({4, 2, 1}, {0, 255, 51, 102, 255, 0, 9, 9}), "img");
  const IdxArray labels = parse_idx(ubyte_idx({4}, {3, 7, 3, 5}), "lab");
  IdxDatasetOptions options;
  options.classes = std::pair{3.0, 7.0};
  const Dataset data = make_idx_dataset(images, labels, options, "img");
  ASSERT_EQ(data.num_samples(), 3);
  ASSERT_EQ(data.num_features(), 2);
  EXPECT_EQ(data.y, Eigen::Vector3d(-1, 1, -1));
  EXPECT_DOUBLE_EQ(data.X(0, 1), 1.0);
  EXPECT_DOUBLE_EQ(data.X(1, 0), 0.2);
  EXPECT_EQ(data.label_mapping.negative_value, 3.0);
  EXPECT_EQ(data.label_mapping.positive_value, 7.0);

  options.max_samples = 2;
  EXPECT_EQ(make_idx_dataset(images, labels, options, "img").num_samples(), 2);

  IdxDatasetOptions no_classes;
  try {
    make_idx_dataset(images, labels, no_classes, "img");
    FAIL() << "three classes accepted without a choice";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("3 classes"), std::string::npos) << error.what();
  }
  options.classes = std::pair{3.0, 4.0};
  EXPECT_THROW(make_idx_dataset(images, labels, options, "img"), InputError);
  options.classes = std::pair{3.0, 7.0};
  options.max_samples = 1;  // only the first sample (class 3): one class
  EXPECT_THROW(make_idx_dataset(images, labels, options, "img"), InputError);
  const IdxArray short_labels = parse_idx(ubyte_idx({3}, {3, 7, 3}), "lab");
  EXPECT_THROW(make_idx_dataset(images, short_labels, {}, "img"), InputError);
}

TEST(IdxLoader, LabelsPathFollowsTheMnistConvention) {
  EXPECT_EQ(idx_labels_path_for("/d/train-images-idx3-ubyte.gz"), "/d/train-labels-idx1-ubyte.gz");
  EXPECT_EQ(idx_labels_path_for("t10k-images-idx3-ubyte"), "t10k-labels-idx1-ubyte");
  EXPECT_EQ(idx_labels_path_for("pictures.bin"), "");
  EXPECT_TRUE(looks_like_idx_path("x/train-images-idx3-ubyte.gz"));
  EXPECT_TRUE(looks_like_idx_path("digits.idx"));
  EXPECT_FALSE(looks_like_idx_path("data.csv"));
}

void write_binary(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

TEST(IdxLoader, CliTrainsOnGzippedIdxFilesAndNamesBadOptions) {
  // 40 samples of 3 features, two linearly separable classes 1 and 2 plus a class 0 to drop.
  std::vector<unsigned char> pixels;
  std::vector<unsigned char> classes;
  for (int k = 0; k < 60; ++k) {
    const int label = k % 3;
    classes.push_back(static_cast<unsigned char>(label));
    pixels.push_back(static_cast<unsigned char>(label == 2 ? 200 + k % 50 : 10 + k % 50));
    pixels.push_back(static_cast<unsigned char>((k * 37) % 256));
    pixels.push_back(static_cast<unsigned char>((k * 91) % 256));
  }
  const auto directory = std::filesystem::temp_directory_path() / "convexnn_idx_test";
  std::filesystem::create_directories(directory);
  write_binary(directory / "toy-images-idx3-ubyte", ubyte_idx({60, 3, 1}, pixels));
  write_binary(directory / "toy-labels-idx1-ubyte", ubyte_idx({60}, classes));
  std::filesystem::remove(directory / "toy-images-idx3-ubyte.gz");
  std::filesystem::remove(directory / "toy-labels-idx1-ubyte.gz");
  ASSERT_EQ(std::system(("gzip -k " + (directory / "toy-images-idx3-ubyte").string() + " " +
                         (directory / "toy-labels-idx1-ubyte").string())
                            .c_str()),
            0);

  const auto result =
      testing::run_cli("train --data " + (directory / "toy-images-idx3-ubyte.gz").string() +
                           " --classes 1,2 --patterns 20 --beta 0.01 --max-iter 2000 --json",
                       false);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto summary = nlohmann::json::parse(result.output);
  EXPECT_EQ(summary["train_accuracy"], 1.0) << result.output;

  const auto three_classes = testing::run_cli(
      "train --data " + (directory / "toy-images-idx3-ubyte").string() + " --patterns 5");
  EXPECT_EQ(three_classes.exit_code, 2);
  EXPECT_NE(three_classes.output.find("3 classes"), std::string::npos) << three_classes.output;
  const auto bad_pair = testing::run_cli(
      "train --data " + (directory / "toy-images-idx3-ubyte").string() + " --classes 1");
  EXPECT_EQ(bad_pair.exit_code, 2);
  EXPECT_NE(bad_pair.output.find("--classes"), std::string::npos) << bad_pair.output;
  const auto csv_with_classes = testing::run_cli("train --dataset moons --classes 1,2");
  EXPECT_EQ(csv_with_classes.exit_code, 2);
  EXPECT_NE(csv_with_classes.output.find("IDX"), std::string::npos) << csv_with_classes.output;
}

}  // namespace
}  // namespace convexnn
