// End-to-end: `convexnn train/compare --activation`, `predict` on a non-ReLU model, and
// `convexnn certify` (science.md 8.1, 8.3).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_runner.h"
#include "convexnn/csv_loader.h"
#include "convexnn/model_json.h"

namespace {

using convexnn::testing::CommandResult;

CommandResult run(const std::string& arguments, bool merge_stderr = true) {
  return convexnn::testing::run_cli(arguments, merge_stderr);
}

std::filesystem::path scratch_directory() {
  const auto directory = std::filesystem::temp_directory_path() / "convexnn_cli_activation_test";
  std::filesystem::create_directories(directory);
  return directory;
}

nlohmann::json parse_json(const CommandResult& result) {
  try {
    return nlohmann::json::parse(result.output);
  } catch (const std::exception&) {
    ADD_FAILURE() << "not JSON: " << result.output;
    return nlohmann::json::object();
  }
}

TEST(CliActivation, TrainLeakyReluWritesItsActivationAndPredictHonoursIt) {
  const auto directory = scratch_directory();
  const auto data = directory / "xor.csv";
  const auto model = directory / "leaky.json";
  ASSERT_EQ(run("generate xor --n 24 --seed 3 --out " + data.string()).exit_code, 0);
  const CommandResult trained =
      run("train --data " + data.string() + " --formulation exact --activation leaky-relu " +
              "--leaky-slope 0.2 --beta 0.05 --json --out " + model.string(),
          false);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const nlohmann::json summary = parse_json(trained);
  EXPECT_EQ(summary["activation"], "leaky-relu");
  EXPECT_DOUBLE_EQ(summary["leaky_slope"].get<double>(), 0.2);
  EXPECT_EQ(summary["certified_global_optimum"], true);

  const convexnn::Model loaded = convexnn::load_model(model.string());
  EXPECT_EQ(loaded.network.activation, convexnn::Activation::leaky_relu(0.2));
  ASSERT_TRUE(loaded.training.has_value());
  EXPECT_EQ(loaded.training->activation, "leaky-relu");

  // predict evaluates the leaky network: its scores are the model's, and differ from the same
  // weights read as a ReLU network.
  const CommandResult predicted =
      run("predict --model " + model.string() + " --data " + data.string(), false);
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  const convexnn::Dataset points = convexnn::load_csv(data.string());
  const Eigen::VectorXd expected = loaded.network.predict(points.X);
  convexnn::TwoLayerNetwork relu = loaded.network;
  relu.activation = convexnn::Activation::relu();
  const Eigen::VectorXd relu_scores = relu.predict(points.X);
  std::istringstream lines(predicted.output);
  std::string line;
  std::getline(lines, line);
  ASSERT_EQ(line, "score,predicted_label");
  double largest_difference_to_relu = 0.0;
  for (Eigen::Index k = 0; k < expected.size(); ++k) {
    ASSERT_TRUE(std::getline(lines, line));
    const double score = std::stod(line.substr(0, line.find(',')));
    EXPECT_NEAR(score, expected[k], 1e-12 * (1.0 + std::abs(expected[k])));
    largest_difference_to_relu =
        std::max(largest_difference_to_relu, std::abs(score - relu_scores[k]));
  }
  EXPECT_GT(largest_difference_to_relu, 1e-3);
}

TEST(CliActivation, AbsHalvesTheExactPatternsAndTextNamesTheActivation) {
  const std::string common = "train --dataset xor --n 16 --seed 2 --formulation exact --beta 0.05";
  const CommandResult relu = run(common + " --json", false);
  const CommandResult abs = run(common + " --activation abs --json", false);
  ASSERT_EQ(relu.exit_code, 0) << relu.output;
  ASSERT_EQ(abs.exit_code, 0) << abs.output;
  const long relu_patterns = parse_json(relu)["patterns"].get<long>();
  EXPECT_EQ(parse_json(abs)["patterns"].get<long>(), (relu_patterns + 1) / 2);
  EXPECT_EQ(parse_json(abs)["activation"], "abs");
  const CommandResult text = run(common + " --activation abs");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("activation abs = |t|"), std::string::npos) << text.output;
}

TEST(CliActivation, InvalidActivationOptionsFailWithAMessageNamingTheOption) {
  const std::string common = "train --dataset xor --n 12 ";
  struct Case {
    std::string arguments;
    std::string expected;
  };
  for (const Case& c : {Case{"--activation sigmoid", "leaky-relu"},
                        Case{"--activation leaky-relu --leaky-slope 1.5", "--leaky-slope"},
                        Case{"--leaky-slope 0.1", "--leaky-slope applies only"},
                        Case{"--activation abs --epsilon 0.1", "epsilon"}}) {
    const CommandResult result = run(common + c.arguments);
    EXPECT_EQ(result.exit_code, 2) << c.arguments << ": " << result.output;
    EXPECT_NE(result.output.find(c.expected), std::string::npos)
        << c.arguments << ": " << result.output;
  }
}

// compare trains back-propagation with the same activation; certify judges its best network and
// the re-solve improves it; the convex optimum is certified.
TEST(CliActivation, CompareThenCertifyAndResolve) {
  const auto directory = scratch_directory();
  const auto best = directory / "best.json";
  const auto better = directory / "better.json";
  const auto optimum = directory / "optimum.json";
  const std::string data = "--dataset xor --n 20 --seed 4";
  const CommandResult compared =
      run("compare " + data + " --formulation exact --activation leaky-relu --leaky-slope 0.1 " +
              "--beta 0.05 --seeds 2 --epochs 300 --width 6 --json --best-out " + best.string(),
          false);
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  const nlohmann::json comparison = parse_json(compared);
  EXPECT_EQ(comparison["program"]["activation"], "leaky-relu");
  const convexnn::Model model = convexnn::load_model(best.string());
  EXPECT_EQ(model.network.activation, convexnn::Activation::leaky_relu(0.1));

  const CommandResult certified =
      run("certify --model " + best.string() + " " + data +
              " --patterns 300 --resolve --json --output " + better.string(),
          false);
  ASSERT_EQ(certified.exit_code, 0) << certified.output;
  const nlohmann::json verdict = parse_json(certified);
  EXPECT_EQ(verdict["activation"], "leaky-relu");
  EXPECT_EQ(verdict["globally_optimal_on_tested_patterns"], false);
  ASSERT_FALSE(verdict["violations"].empty());
  EXPECT_GT(verdict["violations"][0]["q_over_beta"].get<double>(), 1.0);
  EXPECT_EQ(verdict["violations"][0]["pattern"].get<std::string>().size(), 20u);
  EXPECT_EQ(verdict["violations"].size(), verdict["violating_patterns"].get<std::size_t>());
  ASSERT_TRUE(verdict["resolve"].is_object());
  EXPECT_LT(verdict["resolve"]["objective_after"].get<double>(),
            verdict["resolve"]["objective_before"].get<double>() - 1e-3);
  EXPECT_EQ(convexnn::load_model(better.string()).network.activation,
            convexnn::Activation::leaky_relu(0.1));

  ASSERT_EQ(
      run("train " + data + " --formulation exact --activation leaky-relu --leaky-slope 0.1 " +
          "--beta 0.05 --tol 1e-9 --out " + optimum.string())
          .exit_code,
      0);
  const CommandResult optimal =
      run("certify --model " + optimum.string() + " " + data + " --patterns 300 --json", false);
  ASSERT_EQ(optimal.exit_code, 0) << optimal.output;
  EXPECT_EQ(parse_json(optimal)["globally_optimal_on_tested_patterns"], true) << optimal.output;

  const CommandResult text = run("certify --model " + optimum.string() + " " + data);
  EXPECT_NE(text.output.find("Verdict: globally optimal"), std::string::npos) << text.output;
  const CommandResult missing =
      run("certify --model " + best.string() + " " + data + " --output " + better.string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("--resolve"), std::string::npos) << missing.output;
}

}  // namespace
