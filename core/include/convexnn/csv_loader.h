#pragma once
// CSV reading and writing for datasets.
#include <optional>
#include <string>

#include "convexnn/dataset.h"

namespace convexnn {

struct CsvOptions {
  // Name of the label column; empty means the last column.
  std::string label_column;
};

// Loads a two-class dataset. A header row is required and every other field must be a finite
// number. Fields are separated by commas and trimmed; any field may be wrapped in double quotes
// (a doubled quote inside stands for one quote). Blank lines, CRLF line ends and a UTF-8 byte-order
// mark are accepted. Two-class labels are mapped to -1/+1: labels that already are -1/+1 stay, 0/1
// become -1/+1, any other pair maps the smaller value to -1. Throws InputError naming file, line
// and column for: unreadable or empty file, ragged row, non-numeric field, NaN/Inf, unknown label
// column, one class only, more than two classes (multiclass is not supported yet).
Dataset load_csv(const std::string& path, const CsvOptions& options = {});

// Parses CSV text already in memory; `source_name` is used in error messages.
Dataset parse_csv(const std::string& text, const std::string& source_name,
                  const CsvOptions& options = {});

// Loads a CSV for prediction. If it has exactly `expected_features` columns they are all features;
// if it has one more, the column named `label_column` (default: the last) is returned as raw
// labels. Any other column count is an InputError naming the file.
struct FeatureTable {
  Eigen::MatrixXd X;
  std::vector<std::string> feature_names;
  std::optional<Eigen::VectorXd> labels;  // raw label values when a label column was present
  std::string label_name;
};
FeatureTable load_feature_csv(const std::string& path, Eigen::Index expected_features,
                              const CsvOptions& options = {});

// Writes features and labels (labels in the dataset's original values) atomically. Numbers use
// format_csv_number, so loading the file gives back exactly the same values.
void save_csv(const Dataset& dataset, const std::string& path);

// The shortest decimal text that reads back to exactly `value` ("0.1", "-2.5e-07"), independent of
// the C locale (printf would write "0,1" under a German locale set by a GUI toolkit).
std::string format_csv_number(double value);

}  // namespace convexnn
