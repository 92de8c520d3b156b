// `convexnn predict`, `generate`, `datasets`, and the shared data-source options.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.h"
#include "convexnn/atomic_file.h"
#include "convexnn/csv_loader.h"
#include "convexnn/errors.h"
#include "convexnn/generators.h"
#include "convexnn/idx_loader.h"
#include "convexnn/model_json.h"
#include "gzip_file.h"

namespace convexnn::cli {

void add_data_source_options(CLI::App& command, DataSourceOptions& options) {
  auto* data = command.add_option(
      "--data", options.csv_path,
      "CSV file with a header row (the label column is the last one), or an IDX images file "
      "(MNIST format, e.g. train-images-idx3-ubyte.gz)");
  auto* dataset = command.add_option("--dataset", options.dataset_name,
                                     "Built-in dataset (see `convexnn datasets`)");
  data->excludes(dataset);
  command.add_option("--label-column", options.label_column, "Name of the label column in --data");
  command.add_option("--labels", options.idx_labels_path,
                     "IDX labels file for IDX --data (default: the images file's name with "
                     "images-idx3 replaced by labels-idx1)");
  command.add_option("--classes", options.idx_classes,
                     "The two IDX label values to keep as -1,+1 (e.g. 0,6 = T-shirt vs shirt)");
  command.add_option("--max-samples", options.max_samples,
                     "Keep at most this many IDX samples of the two classes (0 = all)");
  command.add_option("--n", options.n, "Number of samples for --dataset")->capture_default_str();
  command.add_option("--noise", options.noise,
                     "Noise level for --dataset (default: the dataset's own)");
  command
      .add_option("--seed", options.seed,
                  "Seed for data generation, the train/test split and pattern sampling")
      ->capture_default_str();
}

namespace {

std::pair<double, double> parse_class_pair(const std::string& text) {
  const std::size_t comma = text.find(',');
  try {
    if (comma == std::string::npos) throw std::invalid_argument("no comma");
    std::size_t used_first = 0;
    std::size_t used_second = 0;
    const std::string first = text.substr(0, comma);
    const std::string second = text.substr(comma + 1);
    const double a = std::stod(first, &used_first);
    const double b = std::stod(second, &used_second);
    if (used_first != first.size() || used_second != second.size()) throw std::invalid_argument("");
    return {a, b};
  } catch (const std::exception&) {
    throw InputError("--classes: expected two label values separated by a comma, e.g. 0,6; got '" +
                     text + "'");
  }
}

Dataset load_idx_source(const DataSourceOptions& options) {
  std::string labels_path = options.idx_labels_path;
  if (labels_path.empty()) labels_path = idx_labels_path_for(options.csv_path);
  if (labels_path.empty()) {
    throw InputError("--labels: give the IDX labels file for " + options.csv_path);
  }
  if (options.max_samples < 0) throw InputError("--max-samples: must be >= 0");
  IdxDatasetOptions idx;
  if (!options.idx_classes.empty()) idx.classes = parse_class_pair(options.idx_classes);
  idx.max_samples = options.max_samples;
  const IdxArray images = parse_idx(read_file_decompressing(options.csv_path), options.csv_path);
  const IdxArray labels = parse_idx(read_file_decompressing(labels_path), labels_path);
  return make_idx_dataset(images, labels, idx, options.csv_path);
}

}  // namespace

Dataset load_data_source(const DataSourceOptions& options) {
  if (!options.csv_path.empty() && looks_like_idx_path(options.csv_path)) {
    return load_idx_source(options);
  }
  if (!options.idx_labels_path.empty() || !options.idx_classes.empty() ||
      options.max_samples != 0) {
    throw InputError(
        "--labels, --classes and --max-samples apply to IDX data only (--data "
        "*-idx3-ubyte[.gz])");
  }
  if (!options.csv_path.empty()) {
    CsvOptions csv;
    csv.label_column = options.label_column;
    return load_csv(options.csv_path, csv);
  }
  if (options.dataset_name.empty()) {
    throw InputError("no data: give --data FILE.csv or --dataset NAME");
  }
  GeneratorSettings settings;
  settings.name = options.dataset_name;
  settings.n = options.n;
  settings.seed = options.seed;
  settings.noise = options.noise;
  if (options.noise < 0) {
    bool found = false;
    for (const GeneratorInfo& info : dataset_generators()) {
      if (info.name == options.dataset_name) {
        settings.noise = info.default_noise;
        found = true;
      }
    }
    if (!found) settings.noise = 0.0;  // generate_dataset reports the unknown name
  }
  return generate_dataset(settings);
}

namespace {

struct PredictOptions {
  std::string model_path;
  std::string data_path;
  std::string label_column;
  std::string out_path;
};

void run_predict(const PredictOptions& options) {
  const Model model = load_model(options.model_path);
  CsvOptions csv;
  csv.label_column = options.label_column;
  const FeatureTable table = load_feature_csv(options.data_path, model.network.input_dim(), csv);
  const Eigen::VectorXd scores = model.network.predict(table.X);
  const LabelMapping mapping = model.label_mapping.value_or(LabelMapping{});
  std::ostringstream out;
  out << "score,predicted_label\n";
  // format_csv_number: exact and independent of the C locale (a GUI may set a decimal comma).
  for (Eigen::Index k = 0; k < scores.size(); ++k) {
    const double label = scores[k] >= 0 ? mapping.positive_value : mapping.negative_value;
    out << format_csv_number(scores[k]) << ',' << format_csv_number(label) << '\n';
  }
  if (options.out_path.empty()) {
    std::cout << out.str();
  } else {
    write_file_atomically(options.out_path, out.str());
  }
  if (table.labels) {
    Eigen::Index correct = 0;
    for (Eigen::Index k = 0; k < scores.size(); ++k) {
      const double label = scores[k] >= 0 ? mapping.positive_value : mapping.negative_value;
      if (label == (*table.labels)[k]) ++correct;
    }
    std::fprintf(stderr, "accuracy %.4f (%lld of %lld samples)\n",
                 static_cast<double>(correct) / static_cast<double>(scores.size()),
                 static_cast<long long>(correct), static_cast<long long>(scores.size()));
  }
}

struct GenerateOptions {
  std::string name;
  int n = 200;
  double noise = -1.0;
  std::uint64_t seed = 1;
  std::string out_path;
};

void run_generate(const GenerateOptions& options) {
  DataSourceOptions source;
  source.dataset_name = options.name;
  source.n = options.n;
  source.noise = options.noise;
  source.seed = options.seed;
  const Dataset dataset = load_data_source(source);
  save_csv(dataset, options.out_path);
  std::cout << "wrote " << dataset.num_samples() << " samples of '" << options.name << "' to "
            << options.out_path << "\n";
}

}  // namespace

void register_data_commands(CLI::App& app) {
  auto predict_options = std::make_shared<PredictOptions>();
  CLI::App* predict = app.add_subcommand("predict", "Evaluate a trained model on a CSV file");
  predict->add_option("--model", predict_options->model_path, "Model JSON written by train")
      ->required();
  predict
      ->add_option("--data", predict_options->data_path,
                   "CSV with the model's features (and optionally a label column)")
      ->required();
  predict->add_option("--label-column", predict_options->label_column, "Name of the label column");
  predict->add_option("--out", predict_options->out_path,
                      "Write predictions here instead of stdout");
  predict->callback([predict_options] { run_predict(*predict_options); });

  auto generate_options = std::make_shared<GenerateOptions>();
  CLI::App* generate = app.add_subcommand("generate", "Write a built-in dataset as CSV");
  generate->add_option("name", generate_options->name, "Dataset name (see `convexnn datasets`)")
      ->required();
  generate->add_option("--n", generate_options->n, "Number of samples")->capture_default_str();
  generate->add_option("--noise", generate_options->noise,
                       "Noise level (default: the dataset's own)");
  generate->add_option("--seed", generate_options->seed, "Random seed")->capture_default_str();
  generate->add_option("--out", generate_options->out_path, "Output CSV file")->required();
  generate->callback([generate_options] { run_generate(*generate_options); });

  CLI::App* datasets = app.add_subcommand("datasets", "List the built-in datasets");
  datasets->callback([] {
    for (const GeneratorInfo& info : dataset_generators()) {
      char line[256];
      std::snprintf(line, sizeof line, "%-14s noise %-5g %s\n", info.name.c_str(),
                    info.default_noise, info.description.c_str());
      std::cout << line;
    }
  });
}

}  // namespace convexnn::cli
