#include "convexnn/csv_loader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "convexnn/atomic_file.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  const auto end = text.find_last_not_of(" \t\r");
  return std::string(text.substr(begin, end - begin + 1));
}

std::string unquote(const std::string& field) {
  if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
    return field.substr(1, field.size() - 2);
  }
  return field;
}

std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                            : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
  std::vector<int> line_numbers;
};

// Parses and validates every field; errors name source, line, column and its header name.
Table parse_table(const std::string& text, const std::string& source) {
  Table table;
  std::istringstream stream(text);
  std::string line;
  int line_number = 0;
  bool have_header = false;
  while (std::getline(stream, line)) {
    ++line_number;
    if (trim(line).empty()) continue;
    std::vector<std::string> fields = split_fields(line);
    if (!have_header) {
      for (std::string& name : fields) name = unquote(name);
      table.header = fields;
      have_header = true;
      continue;
    }
    const std::string where = source + ":" + std::to_string(line_number);
    if (fields.size() != table.header.size()) {
      throw InputError(where + ": expected " + std::to_string(table.header.size()) +
                       " fields as in the header, found " + std::to_string(fields.size()));
    }
    std::vector<double> values(fields.size());
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const std::string column = "column " + std::to_string(c + 1) + " ('" + table.header[c] + "')";
      const std::string& field = fields[c];
      double value = 0.0;
      const char* begin = field.data();
      const char* end = field.data() + field.size();
      if (!field.empty() && *begin == '+') ++begin;
      const auto [ptr, error] = std::from_chars(begin, end, value);
      if (field.empty() || ptr != end || error == std::errc::invalid_argument) {
        throw InputError(where + ": " + column + ": '" + field + "' is not a number");
      }
      if (error == std::errc::result_out_of_range || !std::isfinite(value)) {
        throw InputError(where + ": " + column + ": '" + field +
                         "' is not a finite number (NaN and infinity are not allowed)");
      }
      values[c] = value;
    }
    table.rows.push_back(std::move(values));
    table.line_numbers.push_back(line_number);
  }
  if (!have_header) throw InputError(source + ": the file is empty (a header row is required)");
  if (table.rows.empty()) throw InputError(source + ": the file has a header but no data rows");
  return table;
}

std::size_t find_label_column(const Table& table, const std::string& name,
                              const std::string& source) {
  if (name.empty()) return table.header.size() - 1;
  const auto found = std::find(table.header.begin(), table.header.end(), name);
  if (found == table.header.end()) {
    std::string names;
    for (const std::string& column : table.header) {
      if (!names.empty()) names += ", ";
      names += column;
    }
    throw InputError(source + ":1: no label column named '" + name + "' (columns: " + names + ")");
  }
  return static_cast<std::size_t>(found - table.header.begin());
}

}  // namespace

Dataset parse_csv(const std::string& text, const std::string& source_name,
                  const CsvOptions& options) {
  const Table table = parse_table(text, source_name);
  if (table.header.size() < 2) {
    throw InputError(source_name + ":1: need at least one feature column and a label column");
  }
  const std::size_t label_column = find_label_column(table, options.label_column, source_name);
  std::map<double, int> first_line;
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    first_line.emplace(table.rows[r][label_column], table.line_numbers[r]);
  }
  const std::string label_where =
      source_name + ": column " + std::to_string(label_column + 1) + " ('" + table.header[label_column] + "')";
  if (first_line.size() == 1) {
    throw InputError(label_where + ": only one class (label " + format_number(first_line.begin()->first) +
                     ") found; two classes are needed");
  }
  if (first_line.size() > 2) {
    std::string values;
    int count = 0;
    for (const auto& [value, line] : first_line) {
      if (count++ == 5) { values += ", ..."; break; }
      if (!values.empty()) values += ", ";
      values += format_number(value);
    }
    auto third = std::next(first_line.begin(), 2);
    throw InputError(source_name + ":" + std::to_string(third->second) + ": column " +
                     std::to_string(label_column + 1) + " ('" + table.header[label_column] +
                     "'): found " + std::to_string(first_line.size()) + " distinct labels (" +
                     values + "); multiclass is not supported yet");
  }
  LabelMapping mapping;
  mapping.negative_value = first_line.begin()->first;  // smaller value -> -1 (covers -1/+1 and 0/1)
  mapping.positive_value = std::next(first_line.begin())->first;

  Dataset dataset;
  const auto n = static_cast<Eigen::Index>(table.rows.size());
  const auto d = static_cast<Eigen::Index>(table.header.size() - 1);
  dataset.X.resize(n, d);
  dataset.y.resize(n);
  for (Eigen::Index r = 0; r < n; ++r) {
    const std::vector<double>& row = table.rows[static_cast<std::size_t>(r)];
    Eigen::Index j = 0;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c == label_column) continue;
      dataset.X(r, j++) = row[c];
    }
    dataset.y[r] = row[label_column] == mapping.positive_value ? 1.0 : -1.0;
  }
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (c != label_column) dataset.feature_names.push_back(table.header[c]);
  }
  dataset.label_name = table.header[label_column];
  dataset.label_mapping = mapping;
  dataset.source = source_name;
  return dataset;
}

Dataset load_csv(const std::string& path, const CsvOptions& options) {
  return parse_csv(read_file(path), path, options);
}

FeatureTable load_feature_csv(const std::string& path, Eigen::Index expected_features,
                              const CsvOptions& options) {
  const Table table = parse_table(read_file(path), path);
  const auto columns = static_cast<Eigen::Index>(table.header.size());
  FeatureTable result;
  std::size_t label_column = table.header.size();  // none
  if (columns == expected_features + 1) {
    label_column = find_label_column(table, options.label_column, path);
  } else if (columns != expected_features) {
    throw InputError(path + ":1: the model expects " + std::to_string(expected_features) +
                     " features, the file has " + std::to_string(columns) + " columns");
  }
  const auto n = static_cast<Eigen::Index>(table.rows.size());
  result.X.resize(n, expected_features);
  if (label_column < table.header.size()) {
    result.labels = Eigen::VectorXd(n);
    result.label_name = table.header[label_column];
  }
  for (Eigen::Index r = 0; r < n; ++r) {
    Eigen::Index j = 0;
    for (std::size_t c = 0; c < table.header.size(); ++c) {
      const double value = table.rows[static_cast<std::size_t>(r)][c];
      if (c == label_column) {
        (*result.labels)[r] = value;
      } else {
        result.X(r, j++) = value;
      }
    }
  }
  for (std::size_t c = 0; c < table.header.size(); ++c) {
    if (c != label_column) result.feature_names.push_back(table.header[c]);
  }
  return result;
}

void save_csv(const Dataset& dataset, const std::string& path) {
  std::string text;
  for (Eigen::Index j = 0; j < dataset.num_features(); ++j) {
    text += (static_cast<std::size_t>(j) < dataset.feature_names.size()
                 ? dataset.feature_names[static_cast<std::size_t>(j)]
                 : "x" + std::to_string(j + 1)) + ",";
  }
  text += dataset.label_name + "\n";
  for (Eigen::Index r = 0; r < dataset.num_samples(); ++r) {
    for (Eigen::Index j = 0; j < dataset.num_features(); ++j) text += format_number(dataset.X(r, j)) + ",";
    text += format_number(dataset.y[r] > 0 ? dataset.label_mapping.positive_value
                                           : dataset.label_mapping.negative_value) + "\n";
  }
  write_file_atomically(path, text);
}

}  // namespace convexnn
