#pragma once
// Shared pieces of the `convexnn` command-line tool.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "convexnn/dataset.h"

namespace convexnn::cli {

// Where training or prediction data comes from: a CSV file or a built-in generator.
struct DataSourceOptions {
  std::string csv_path;
  std::string label_column;
  // IDX data (MNIST format): labels file, the two classes to keep, and a sample cap.
  std::string idx_labels_path;
  std::string idx_classes;
  std::int64_t max_samples = 0;
  std::string dataset_name;
  int n = 200;
  double noise = -1.0;  // negative: the generator's default
  std::uint64_t seed = 1;
};

// A command that ran but did not succeed (e.g. numerical failure); main exits with `code`.
struct CommandFailed : std::runtime_error {
  CommandFailed(const std::string& message, int exit_code)
      : std::runtime_error(message), code(exit_code) {}
  int code;
};

void add_data_source_options(CLI::App& command, DataSourceOptions& options);
// Loads or generates; throws InputError.
Dataset load_data_source(const DataSourceOptions& options);

void register_train_command(CLI::App& app);
void register_data_commands(CLI::App& app);  // predict, generate, datasets
void register_attack_command(CLI::App& app);
void register_compare_command(CLI::App& app);  // back-propagation vs the convex optimum
void register_certify_command(CLI::App& app);  // dual certificate of a trained network
void register_bench_command(CLI::App& app);    // fixed problems: time to gap, memory, GFLOP/s

}  // namespace convexnn::cli
