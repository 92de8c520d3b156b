// End-to-end runs of the `convexnn` command-line tool.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_runner.h"
#include "convexnn/csv_loader.h"
#include "convexnn/model_json.h"

namespace {

using convexnn::testing::CommandResult;

CommandResult run(const std::string& arguments, bool merge_stderr = true) {
  return convexnn::testing::run_cli(arguments, merge_stderr);
}

std::filesystem::path scratch_directory() {
  const auto directory = std::filesystem::temp_directory_path() / "convexnn_cli_test";
  std::filesystem::create_directories(directory);
  return directory;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TEST(Cli, TrainExactWritesModelLogAndCertifiedJsonSummary) {
  const auto directory = scratch_directory();
  const auto model = directory / "model.json";
  const auto log = directory / "log.csv";
  const CommandResult result =
      run("train --dataset xor --n 12 --formulation exact --beta 0.1 --tol 1e-5 --json --report-every 5 --out " +
          model.string() + " --log " + log.string());
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json summary = nlohmann::json::parse(result.output);
  EXPECT_EQ(summary["status"], "converged");
  EXPECT_EQ(summary["certified_global_optimum"], true);
  EXPECT_LE(summary["relative_gap"].get<double>(), 1e-5);
  EXPECT_LE(summary["lower_bound"].get<double>(), summary["objective"].get<double>());
  const convexnn::Model loaded = convexnn::load_model(model.string());
  EXPECT_EQ(loaded.network.width(), summary["active_neurons"].get<long>());
  ASSERT_TRUE(loaded.training.has_value());
  EXPECT_EQ(loaded.training->formulation, "exact");
  EXPECT_TRUE(loaded.training->certified_global_optimum);
  const std::string log_text = read_text(log);
  EXPECT_EQ(log_text.rfind("iteration,elapsed_seconds", 0), 0u);
  EXPECT_GT(std::count(log_text.begin(), log_text.end(), '\n'), 1);
}

TEST(Cli, ReadableSummaryGenerateAndPredict) {
  const auto directory = scratch_directory();
  const auto data = directory / "moons.csv";
  const auto model = directory / "moons.json";
  CommandResult generated = run("generate moons --n 120 --seed 3 --out " + data.string());
  ASSERT_EQ(generated.exit_code, 0) << generated.output;
  CommandResult trained = run("train --data " + data.string() +
                              " --patterns 60 --loss squared --beta 0.05 --test-fraction 0.25"
                              " --standardize zscore --tol 1e-3 --out " + model.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  EXPECT_NE(trained.output.find("relative gap"), std::string::npos);
  EXPECT_NE(trained.output.find("test accuracy"), std::string::npos);
  EXPECT_NE(trained.output.find("sampled convex program"), std::string::npos) << trained.output;
  CommandResult predicted = run("predict --model " + model.string() + " --data " + data.string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  EXPECT_NE(predicted.output.find("score,predicted_label\n"), std::string::npos);
  EXPECT_NE(predicted.output.find("accuracy"), std::string::npos);
  EXPECT_EQ(std::count(predicted.output.begin(), predicted.output.end(), '\n'), 1 + 120 + 1);
}

TEST(Cli, PredictWritesExactShortestNumbers) {
  const auto directory = scratch_directory();
  const auto data = directory / "predict_exact.csv";
  const auto model = directory / "predict_exact.json";
  const auto predictions = directory / "predict_exact_out.csv";
  // Labels 0/5 so the predicted labels are the original values, not -1/+1.
  std::ofstream(data) << "x1,x2,y\n0.1,0.7,0\n-0.3,0.2,5\n0.45,-0.6,5\n-0.8,-0.1,0\n0.3,0.3,0\n";
  const CommandResult trained =
      run("train --data " + data.string() + " --formulation exact --beta 0.05 --tol 1e-4 --out " +
          model.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const CommandResult predicted = run("predict --model " + model.string() + " --data " +
                                      data.string() + " --out " + predictions.string());
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  // Every number is the shortest text that reads back exactly (printf's %.17g writes
  // 0.10000000000000001 and depends on the C locale).
  const convexnn::Model loaded = convexnn::load_model(model.string());
  const convexnn::FeatureTable table = convexnn::load_feature_csv(data.string(), 2);
  const Eigen::VectorXd scores = loaded.network.predict(table.X);
  ASSERT_TRUE(loaded.label_mapping.has_value());
  std::string expected = "score,predicted_label\n";
  for (Eigen::Index k = 0; k < scores.size(); ++k) {
    const double label = scores[k] >= 0 ? loaded.label_mapping->positive_value
                                        : loaded.label_mapping->negative_value;
    expected +=
        convexnn::format_csv_number(scores[k]) + "," + convexnn::format_csv_number(label) + "\n";
  }
  EXPECT_EQ(read_text(predictions), expected);
}

TEST(Cli, DatasetsListsAllGenerators) {
  const CommandResult result = run("datasets");
  ASSERT_EQ(result.exit_code, 0);
  for (const char* name : {"circle", "xor", "gaussians", "spiral", "moons", "xor-clusters"}) {
    EXPECT_NE(result.output.find(name), std::string::npos) << name;
  }
}

TEST(Cli, BadInputExitsWithStatusTwoAndOneLine) {
  const auto directory = scratch_directory();
  const auto bad = directory / "bad.csv";
  std::ofstream(bad) << "x1,x2,y\n1,2,1\n3,oops,0\n";
  for (const std::string& arguments :
       {std::string("train --data ") + bad.string(), std::string("train --dataset nope"),
        std::string("train --dataset xor --beta -1"), std::string("train --dataset xor --rho fast"),
        std::string("train --dataset xor --formulation magic"), std::string("frobnicate"),
        std::string("predict --model ") + (directory / "absent.json").string() + " --data " + bad.string()}) {
    const CommandResult result = run(arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
  }
  const CommandResult csv_error = run("train --data " + bad.string());
  EXPECT_NE(csv_error.output.find("bad.csv:3: column 2 ('x2')"), std::string::npos) << csv_error.output;
}

}  // namespace
