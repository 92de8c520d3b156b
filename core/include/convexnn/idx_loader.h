#pragma once
// The IDX format of MNIST and Fashion-MNIST (big-endian header: two zero bytes, a type code, the
// number of dimensions, then one 32-bit size per dimension, then the values row-major). The core
// parses bytes already in memory; reading compressed (.gz) files is the caller's business, so the
// core needs no compression library.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "convexnn/dataset.h"

namespace convexnn {

struct IdxArray {
  std::vector<std::int64_t> dims;  // e.g. {60000, 28, 28} for images, {60000} for labels
  std::vector<double> values;      // row-major, converted to double
  std::int64_t rows() const { return dims.empty() ? 0 : dims.front(); }
  // Product of all dimensions but the first: 784 for 28 x 28 images, 1 for labels.
  std::int64_t row_size() const;
};

// Parses IDX bytes of any element type (unsigned/signed byte, short, int, float, double). Throws
// InputError naming `source` for a bad magic number, an unknown type, sizes that do not match the
// byte count, or a gzip stream passed in undecompressed.
IdxArray parse_idx(std::string_view bytes, const std::string& source);

struct IdxDatasetOptions {
  // The two label values to keep, mapped to -1 and +1 (e.g. 0 = T-shirt/top vs 6 = shirt in
  // Fashion-MNIST). Required when the labels have more than two distinct values.
  std::optional<std::pair<double, double>> classes;
  // Keep at most this many samples (the first ones of the selected classes); 0 keeps all.
  std::int64_t max_samples = 0;
  // Divide features by this (255 maps bytes to [0, 1]); 1 keeps raw values.
  double feature_scale = 255.0;
};

// A two-class dataset from an images array (n x ...) and a labels array (n). Throws InputError
// naming the sources when counts differ, a class is absent, or more than two classes remain
// without `classes`.
Dataset make_idx_dataset(const IdxArray& images, const IdxArray& labels,
                         const IdxDatasetOptions& options, const std::string& source);

// The MNIST naming convention: "train-images-idx3-ubyte[.gz]" -> "train-labels-idx1-ubyte[.gz]".
// Empty when the name does not follow it.
std::string idx_labels_path_for(const std::string& images_path);

// Whether `path` names an IDX file by the conventional suffixes (-idx1-ubyte, -idx3-ubyte, .idx,
// optionally followed by .gz).
bool looks_like_idx_path(const std::string& path);

}  // namespace convexnn
