#include "convexnn/idx_loader.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <map>

#include "convexnn/errors.h"

namespace convexnn {
namespace {

std::uint32_t read_big_endian_u32(std::string_view bytes, std::size_t offset) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[offset + static_cast<std::size_t>(i)]);
  }
  return value;
}

// Reads one big-endian element of `size` bytes as T (integers and IEEE floats alike).
template <typename T>
T read_big_endian(const char* data) {
  unsigned char buffer[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i) {
    buffer[i] = static_cast<unsigned char>(data[sizeof(T) - 1 - i]);
  }
  if constexpr (std::endian::native == std::endian::big) std::reverse(buffer, buffer + sizeof(T));
  T value;
  std::memcpy(&value, buffer, sizeof(T));
  return value;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string format_label(double value) {
  if (value == std::floor(value) && std::abs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  return std::to_string(value);
}

}  // namespace

std::int64_t IdxArray::row_size() const {
  std::int64_t size = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) size *= dims[i];
  return size;
}

IdxArray parse_idx(std::string_view bytes, const std::string& source) {
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b) {
    throw InputError(source + ": is gzip-compressed; decompress it first (gunzip)");
  }
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) {
    throw InputError(source + ": not an IDX file (the first two bytes must be zero)");
  }
  const auto type = static_cast<unsigned char>(bytes[2]);
  const int num_dims = static_cast<unsigned char>(bytes[3]);
  std::size_t element_size = 0;
  switch (type) {
    case 0x08:
    case 0x09:
      element_size = 1;
      break;
    case 0x0B:
      element_size = 2;
      break;
    case 0x0C:
    case 0x0D:
      element_size = 4;
      break;
    case 0x0E:
      element_size = 8;
      break;
    default:
      throw InputError(source + ": unknown IDX element type 0x" +
                       std::to_string(static_cast<int>(type)) + " in byte 3");
  }
  if (num_dims < 1) throw InputError(source + ": IDX header declares no dimensions");
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(num_dims);
  if (bytes.size() < header) {
    throw InputError(source + ": truncated IDX header (" + std::to_string(num_dims) +
                     " dimensions need " + std::to_string(header) + " bytes)");
  }
  IdxArray array;
  std::uint64_t count = 1;
  for (int i = 0; i < num_dims; ++i) {
    const std::uint32_t size = read_big_endian_u32(bytes, 4 + 4 * static_cast<std::size_t>(i));
    array.dims.push_back(size);
    count *= size;
    if (count > (std::uint64_t{1} << 34))
      throw InputError(source + ": IDX sizes are implausibly large");
  }
  const std::uint64_t expected = header + count * element_size;
  if (bytes.size() != expected) {
    throw InputError(source + ": IDX header promises " + std::to_string(count) + " values (" +
                     std::to_string(expected) + " bytes) but the file has " +
                     std::to_string(bytes.size()) + " bytes");
  }
  array.values.resize(count);
  const char* data = bytes.data() + header;
  for (std::uint64_t k = 0; k < count; ++k) {
    const char* element = data + k * element_size;
    double value = 0.0;
    switch (type) {
      case 0x08:
        value = static_cast<unsigned char>(*element);
        break;
      case 0x09:
        value = static_cast<signed char>(*element);
        break;
      case 0x0B:
        value = read_big_endian<std::int16_t>(element);
        break;
      case 0x0C:
        value = read_big_endian<std::int32_t>(element);
        break;
      case 0x0D:
        value = read_big_endian<float>(element);
        break;
      default:
        value = read_big_endian<double>(element);
        break;
    }
    if (!std::isfinite(value)) {
      throw InputError(source + ": value " + std::to_string(k) + " is not a finite number");
    }
    array.values[k] = value;
  }
  return array;
}

Dataset make_idx_dataset(const IdxArray& images, const IdxArray& labels,
                         const IdxDatasetOptions& options, const std::string& source) {
  if (labels.row_size() != 1) {
    throw InputError(source + ": the labels file must hold one value per sample");
  }
  if (images.rows() != labels.rows()) {
    throw InputError(source + ": " + std::to_string(images.rows()) + " images but " +
                     std::to_string(labels.rows()) + " labels");
  }
  if (!(options.feature_scale > 0.0) || !std::isfinite(options.feature_scale)) {
    throw InputError(source + ": feature scale must be a positive number");
  }
  std::map<double, std::int64_t> counts;
  for (double label : labels.values) ++counts[label];

  double negative = 0.0;
  double positive = 0.0;
  if (options.classes) {
    negative = options.classes->first;
    positive = options.classes->second;
    if (negative == positive) throw InputError(source + ": the two classes must differ");
    for (double wanted : {negative, positive}) {
      if (!counts.contains(wanted)) {
        throw InputError(source + ": class " + format_label(wanted) +
                         " does not occur in the labels");
      }
    }
  } else {
    if (counts.size() != 2) {
      throw InputError(source + ": the labels have " + std::to_string(counts.size()) +
                       " classes; choose two (e.g. --classes 0,6)");
    }
    negative = counts.begin()->first;
    positive = std::next(counts.begin())->first;
  }

  std::vector<std::int64_t> rows;
  for (std::int64_t k = 0; k < labels.rows(); ++k) {
    const double label = labels.values[static_cast<std::size_t>(k)];
    if (label != negative && label != positive) continue;
    rows.push_back(k);
    if (options.max_samples > 0 && static_cast<std::int64_t>(rows.size()) >= options.max_samples)
      break;
  }
  const std::int64_t d = images.row_size();
  Dataset dataset;
  dataset.X.resize(static_cast<Eigen::Index>(rows.size()), d);
  dataset.y.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double* row = images.values.data() + rows[r] * d;
    for (std::int64_t j = 0; j < d; ++j) {
      dataset.X(static_cast<Eigen::Index>(r), j) = row[j] / options.feature_scale;
    }
    dataset.y[static_cast<Eigen::Index>(r)] =
        labels.values[static_cast<std::size_t>(rows[r])] == positive ? 1.0 : -1.0;
  }
  if (dataset.count_label(1.0) == 0 || dataset.count_label(-1.0) == 0) {
    throw InputError(source +
                     ": the selected samples contain only one class (raise the sample limit)");
  }
  dataset.feature_names.reserve(static_cast<std::size_t>(d));
  for (std::int64_t j = 0; j < d; ++j) dataset.feature_names.push_back("pixel" + std::to_string(j));
  dataset.label_name = "label";
  dataset.label_mapping = {negative, positive};
  dataset.source = source;
  return dataset;
}

std::string idx_labels_path_for(const std::string& images_path) {
  const std::string marker = "images-idx3";
  const std::size_t at = images_path.rfind(marker);
  if (at == std::string::npos) return "";
  std::string labels = images_path;
  labels.replace(at, marker.size(), "labels-idx1");
  return labels;
}

bool looks_like_idx_path(const std::string& path) {
  std::string name = path;
  if (ends_with(name, ".gz")) name.resize(name.size() - 3);
  return ends_with(name, "-ubyte") || ends_with(name, ".idx") || ends_with(name, "-idx1-ubyte") ||
         ends_with(name, "-idx3-ubyte");
}

}  // namespace convexnn
