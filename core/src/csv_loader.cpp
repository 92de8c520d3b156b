#include "convexnn/csv_loader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <string_view>
#include <system_error>

#include "convexnn/atomic_file.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

constexpr std::string_view kWhitespace = " \t\r\v\f";
constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

bool is_whitespace(char c) { return kWhitespace.find(c) != std::string_view::npos; }

std::string_view trim(std::string_view text) {
  const std::size_t begin = text.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  const std::size_t end = text.find_last_not_of(kWhitespace);
  return text.substr(begin, end - begin + 1);
}

enum class NumberStatus { kOk, kNotANumber, kNotFinite };

// Locale-independent parse that must consume the whole field. Accepts a leading '+', which
// std::from_chars alone rejects but spreadsheets sometimes write.
NumberStatus parse_number(std::string_view text, double& value) {
  if (text.size() >= 2 && text[0] == '+' && text[1] != '-' && text[1] != '+') {
    text.remove_prefix(1);
  }
  const char* const begin = text.data();
  const char* const end = begin + text.size();
  const auto [stop, error] = std::from_chars(begin, end, value);
  if (text.empty() || stop != end || error == std::errc::invalid_argument) {
    return NumberStatus::kNotANumber;
  }
  if (error == std::errc::result_out_of_range) {
    // libstdc++ also reports underflow (1e-400) as out of range; such values are just 0. A wider
    // type tells the two cases apart; if it overflows too, the value is certainly too large.
    long double wide = 0.0L;
    const auto wide_result = std::from_chars(begin, end, wide);
    if (wide_result.ec != std::errc{} ||
        std::fabs(wide) > static_cast<long double>(std::numeric_limits<double>::max())) {
      return NumberStatus::kNotFinite;
    }
    value = static_cast<double>(wide);
  }
  return std::isfinite(value) ? NumberStatus::kOk : NumberStatus::kNotFinite;
}

struct Field {
  std::string text;
  bool quoted = false;
};

struct Table {
  std::vector<std::string> header;
  std::size_t header_line = 0;
  std::vector<double> values;          // row-major, header.size() values per row
  std::vector<std::size_t> row_lines;  // file line of every data row, for messages

  std::size_t num_rows() const { return row_lines.size(); }
  std::size_t num_columns() const { return header.size(); }
  double at(std::size_t row, std::size_t column) const {
    return values[row * header.size() + column];
  }
};

// Reads the CSV text line by line; every error message starts with "<source>:<line>:".
class CsvReader {
 public:
  explicit CsvReader(std::string source) : source_(std::move(source)) {}

  Table read(std::string_view text) {
    if (text.substr(0, kUtf8ByteOrderMark.size()) == kUtf8ByteOrderMark) {
      text.remove_prefix(kUtf8ByteOrderMark.size());  // Excel writes one in "CSV UTF-8"
    }
    Table table;
    std::size_t line_number = 0;
    while (!text.empty()) {
      const std::size_t newline = text.find('\n');
      std::string_view line = text.substr(0, newline);
      text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
      ++line_number;
      if (trim(line).empty()) continue;
      if (table.header_line == 0) {
        read_header(line, line_number, table);
      } else {
        read_row(line, line_number, table);
      }
    }
    if (table.header_line == 0) {
      throw InputError(source_ + ":1: the file is empty; a header row with column names is needed");
    }
    if (table.num_rows() == 0) {
      throw InputError(where(table.header_line) + ": the file has a header but no data rows");
    }
    return table;
  }

  std::string where(std::size_t line) const { return source_ + ":" + std::to_string(line); }

 private:
  // "column 3 ('x2')", or "column 4" past the header.
  std::string column_label(std::size_t index) const {
    std::string label = "column " + std::to_string(index + 1);
    if (index < header_->size()) label += " ('" + (*header_)[index] + "')";
    return label;
  }

  // Splits a line at commas, honouring double quotes ("a,b" is one field, "" inside is a quote).
  std::vector<Field> split(std::string_view line, std::size_t line_number) const {
    std::vector<Field> fields;
    std::size_t pos = 0;
    while (true) {
      while (pos < line.size() && is_whitespace(line[pos])) ++pos;
      Field field;
      if (pos < line.size() && line[pos] == '"') {
        field.quoted = true;
        bool closed = false;
        for (++pos; pos < line.size() && !closed; ++pos) {
          if (line[pos] != '"') {
            field.text += line[pos];
          } else if (pos + 1 < line.size() && line[pos + 1] == '"') {
            field.text += '"';
            ++pos;
          } else {
            closed = true;
          }
        }
        if (!closed) {
          throw InputError(where(line_number) + ": " + column_label(fields.size()) +
                           ": the double quote is never closed");
        }
        while (pos < line.size() && is_whitespace(line[pos])) ++pos;
        if (pos < line.size() && line[pos] != ',') {
          throw InputError(where(line_number) + ": " + column_label(fields.size()) +
                           ": unexpected text after the closing double quote");
        }
      } else {
        const std::size_t end = std::min(line.find(',', pos), line.size());
        field.text = std::string(trim(line.substr(pos, end - pos)));
        pos = end;
      }
      fields.push_back(std::move(field));
      if (pos >= line.size()) return fields;
      ++pos;  // past the comma
    }
  }

  void read_header(std::string_view line, std::size_t line_number, Table& table) {
    static const std::vector<std::string> kNoHeader;
    header_ = &kNoHeader;
    const std::vector<Field> fields = split(line, line_number);
    // A file without a header would silently lose its first sample, so insist on names.
    double ignored = 0.0;
    const bool looks_like_data = std::all_of(fields.begin(), fields.end(), [&](const Field& f) {
      return !f.quoted && parse_number(f.text, ignored) != NumberStatus::kNotANumber;
    });
    if (looks_like_data) {
      throw InputError(where(line_number) +
                       ": the first row holds numbers, not column names; a header row with "
                       "column names is needed");
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const std::string& name = fields[c].text;
      if (name.empty()) {
        throw InputError(where(line_number) + ": column " + std::to_string(c + 1) +
                         " has no name in the header row");
      }
      const auto previous = std::find(table.header.begin(), table.header.end(), name);
      if (previous != table.header.end()) {
        throw InputError(where(line_number) + ": column " + std::to_string(c + 1) + " ('" + name +
                         "'): the name is already used by column " +
                         std::to_string(previous - table.header.begin() + 1));
      }
      table.header.push_back(name);
    }
    table.header_line = line_number;
    header_ = &table.header;
  }

  void read_row(std::string_view line, std::size_t line_number, Table& table) const {
    const std::vector<Field> fields = split(line, line_number);
    const std::size_t expected = table.num_columns();
    if (fields.size() != expected) {
      const std::string problem = fields.size() < expected ? "missing" : "unexpected extra field";
      throw InputError(where(line_number) + ": " + column_label(std::min(fields.size(), expected)) +
                       ": " + problem + "; expected " + std::to_string(expected) +
                       " fields as in the header, found " + std::to_string(fields.size()));
    }
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const std::string& text = fields[c].text;
      double value = 0.0;
      const NumberStatus status = parse_number(text, value);
      if (status == NumberStatus::kOk) {
        table.values.push_back(value);
        continue;
      }
      const std::string prefix = where(line_number) + ": " + column_label(c) + ": ";
      if (status == NumberStatus::kNotFinite) {
        throw InputError(prefix + "'" + text +
                         "' is not a finite number (NaN, infinity and values beyond 1.8e308 are "
                         "not allowed)");
      }
      throw InputError(prefix + (text.empty()
                                     ? std::string("empty field where a number is expected")
                                     : "'" + text + "' is not a number"));
    }
    table.row_lines.push_back(line_number);
  }

  std::string source_;
  const std::vector<std::string>* header_ = nullptr;
};

std::string join_quoted_names(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "'" : ", '") + name + "'";
  return joined;
}

std::size_t find_label_column(const Table& table, const std::string& name,
                              const CsvReader& reader) {
  if (name.empty()) return table.num_columns() - 1;
  const auto found = std::find(table.header.begin(), table.header.end(), name);
  if (found == table.header.end()) {
    throw InputError(reader.where(table.header_line) + ": no label column named '" + name +
                     "'; the columns are " + join_quoted_names(table.header));
  }
  return static_cast<std::size_t>(found - table.header.begin());
}

// Works out the -1/+1 mapping of the label column, rejecting one class or more than two.
LabelMapping map_labels(const Table& table, std::size_t label_column, const CsvReader& reader) {
  const std::string column =
      "column " + std::to_string(label_column + 1) + " ('" + table.header[label_column] + "')";
  std::set<double> distinct;
  std::size_t third_label_line = 0;  // where a third class first shows up, for the message
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    if (distinct.insert(table.at(r, label_column)).second && distinct.size() == 3) {
      third_label_line = table.row_lines[r];
    }
  }
  if (distinct.size() == 1) {
    // Points at the header: the usual cause is that the wrong column was taken as the label.
    throw InputError(reader.where(table.header_line) + ": " + column + ": only one class (label " +
                     format_csv_number(*distinct.begin()) + ") found; two classes are needed");
  }
  if (distinct.size() > 2) {
    constexpr std::size_t kMaxListed = 5;
    std::string listed;
    std::size_t count = 0;
    for (const double label : distinct) {
      if (count++ == kMaxListed) {
        listed += ", ...";
        break;
      }
      listed += (listed.empty() ? "" : ", ") + format_csv_number(label);
    }
    throw InputError(reader.where(third_label_line) + ": " + column + ": found " +
                     std::to_string(distinct.size()) + " distinct labels (" + listed +
                     "); multiclass is not supported yet");
  }
  // The smaller value becomes -1; this keeps -1/+1 as they are and maps 0/1 to -1/+1.
  return LabelMapping{*distinct.begin(), *distinct.rbegin()};
}

// Header names are quoted when a plain field would read back differently.
std::string quote_if_needed(const std::string& name) {
  double ignored = 0.0;
  const bool needs_quotes = name.find_first_of(",\"") != std::string::npos ||
                            trim(name).size() != name.size() ||
                            parse_number(name, ignored) != NumberStatus::kNotANumber;
  if (!needs_quotes) return name;
  std::string quoted = "\"";
  for (const char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

std::string format_csv_number(double value) {
  char text[64];
  const auto result = std::to_chars(text, text + sizeof text, value);
  return std::string(text, result.ptr);
}

Dataset parse_csv(const std::string& text, const std::string& source_name,
                  const CsvOptions& options) {
  CsvReader reader(source_name);
  const Table table = reader.read(text);
  if (table.num_columns() < 2) {
    throw InputError(reader.where(table.header_line) + ": only one column ('" + table.header[0] +
                     "'); at least one feature column and a label column are needed");
  }
  const std::size_t label_column = find_label_column(table, options.label_column, reader);
  const LabelMapping mapping = map_labels(table, label_column, reader);

  Dataset dataset;
  const auto n = static_cast<Eigen::Index>(table.num_rows());
  dataset.X.resize(n, static_cast<Eigen::Index>(table.num_columns() - 1));
  dataset.y.resize(n);
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    Eigen::Index feature = 0;
    for (std::size_t c = 0; c < table.num_columns(); ++c) {
      if (c != label_column) dataset.X(row, feature++) = table.at(r, c);
    }
    dataset.y[row] = table.at(r, label_column) == mapping.positive_value ? 1.0 : -1.0;
  }
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
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
  CsvReader reader(path);
  const Table table = reader.read(read_file(path));
  const auto columns = static_cast<Eigen::Index>(table.num_columns());
  const std::size_t no_label = table.num_columns();
  std::size_t label_column = no_label;
  if (columns == expected_features + 1) {
    label_column = find_label_column(table, options.label_column, reader);
  } else if (columns == expected_features) {
    // A named label column that is present would leave one feature too few.
    const auto named = std::find(table.header.begin(), table.header.end(), options.label_column);
    if (!options.label_column.empty() && named != table.header.end()) {
      throw InputError(reader.where(table.header_line) + ": column " +
                       std::to_string(named - table.header.begin() + 1) + " ('" +
                       options.label_column + "') is the label column, which leaves " +
                       std::to_string(expected_features - 1) +
                       " feature columns; the model expects " + std::to_string(expected_features));
    }
  } else {
    throw InputError(reader.where(table.header_line) + ": the file has " + std::to_string(columns) +
                     " columns; the model expects " + std::to_string(expected_features) +
                     " feature columns, optionally followed by a label column");
  }

  FeatureTable result;
  const auto n = static_cast<Eigen::Index>(table.num_rows());
  result.X.resize(n, expected_features);
  if (label_column != no_label) {
    result.labels = Eigen::VectorXd(n);
    result.label_name = table.header[label_column];
  }
  for (std::size_t r = 0; r < table.num_rows(); ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    Eigen::Index feature = 0;
    for (std::size_t c = 0; c < table.num_columns(); ++c) {
      if (c == label_column) {
        (*result.labels)[row] = table.at(r, c);
      } else {
        result.X(row, feature++) = table.at(r, c);
      }
    }
  }
  for (std::size_t c = 0; c < table.num_columns(); ++c) {
    if (c != label_column) result.feature_names.push_back(table.header[c]);
  }
  return result;
}

void save_csv(const Dataset& dataset, const std::string& path) {
  std::string text;
  for (Eigen::Index j = 0; j < dataset.num_features(); ++j) {
    const auto index = static_cast<std::size_t>(j);
    const bool named =
        index < dataset.feature_names.size() && !dataset.feature_names[index].empty();
    text += quote_if_needed(named ? dataset.feature_names[index] : "x" + std::to_string(j + 1));
    text += ',';
  }
  text += quote_if_needed(dataset.label_name.empty() ? "y" : dataset.label_name);
  text += '\n';
  for (Eigen::Index r = 0; r < dataset.num_samples(); ++r) {
    for (Eigen::Index j = 0; j < dataset.num_features(); ++j) {
      text += format_csv_number(dataset.X(r, j));
      text += ',';
    }
    text += format_csv_number(dataset.y[r] > 0 ? dataset.label_mapping.positive_value
                                               : dataset.label_mapping.negative_value);
    text += '\n';
  }
  write_file_atomically(path, text);
}

}  // namespace convexnn
