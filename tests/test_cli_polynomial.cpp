// End-to-end: `convexnn train --activation quadratic|poly2 [--poly a,b,c]` solves the
// semidefinite program (science.md 9); `predict` on the exported model reproduces the in-process
// network; attack, compare and certify either work or name the activation; bad options exit 2
// naming the option.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_runner.h"
#include "convexnn/csv_loader.h"
#include "convexnn/model_json.h"
#include "convexnn/training.h"

namespace convexnn {
namespace {

using testing::CommandResult;

CommandResult run(const std::string& arguments, bool merge_stderr = true) {
  return testing::run_cli(arguments, merge_stderr);
}

std::filesystem::path scratch_directory() {
  const auto directory = std::filesystem::temp_directory_path() / "convexnn_cli_polynomial_test";
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

Eigen::VectorXd predicted_scores(const std::string& output, Eigen::Index count) {
  std::istringstream lines(output);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "score,predicted_label");
  Eigen::VectorXd scores = Eigen::VectorXd::Zero(count);
  for (Eigen::Index k = 0; k < count && std::getline(lines, line); ++k) {
    scores[k] = std::stod(line.substr(0, line.find(',')));
  }
  return scores;
}

TEST(CliPolynomial, TrainQuadraticCertifiesAndPredictReproducesTheNetwork) {
  const auto directory = scratch_directory();
  const auto data = directory / "xor.csv";
  const auto model_path = directory / "quadratic.json";
  ASSERT_EQ(run("generate xor --n 20 --seed 3 --out " + data.string()).exit_code, 0);
  const CommandResult trained = run("train --data " + data.string() +
                                        " --activation quadratic --beta 0.1 --tol 1e-6 --json "
                                        "--out " +
                                        model_path.string(),
                                    false);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const nlohmann::json summary = parse_json(trained);
  EXPECT_EQ(summary["program"], "semidefinite");
  EXPECT_EQ(summary["solver"], "fista");
  EXPECT_EQ(summary["activation"], "quadratic");
  EXPECT_EQ(summary["status"], "converged");
  EXPECT_TRUE(summary["patterns"].is_null());
  EXPECT_EQ(summary["certified_global_optimum"], true);
  const double upper = summary["objective"].get<double>();
  const double lower = summary["lower_bound"].get<double>();
  EXPECT_LE(lower, upper);
  EXPECT_LE(summary["relative_gap"].get<double>(), 1e-6);
  EXPECT_GT(summary["active_neurons"].get<long>(), 0);

  // The same training in process: the CLI's network is train_network's.
  const Dataset points = load_csv(data.string());
  TrainingConfig config;
  config.activation = Activation::quadratic();
  config.beta = 0.1;
  config.admm.relative_gap_tolerance = 1e-6;
  const TrainingResult in_process = train_network(prepare_problem(points, nullptr, config), config);
  EXPECT_NEAR(in_process.summary.network_objective, upper, 1e-12 * upper);
  const Eigen::VectorXd expected = in_process.network.predict(points.X);

  const Model model = load_model(model_path.string());
  EXPECT_EQ(model.network.activation, Activation::quadratic());
  EXPECT_EQ(model.network.width(), summary["active_neurons"].get<long>());
  ASSERT_TRUE(model.training.has_value());
  EXPECT_EQ(model.training->formulation, "semidefinite");
  EXPECT_EQ(model.training->activation, "quadratic");
  EXPECT_TRUE(model.training->certified_global_optimum);

  const CommandResult predicted =
      run("predict --model " + model_path.string() + " --data " + data.string(), false);
  ASSERT_EQ(predicted.exit_code, 0) << predicted.output;
  const Eigen::VectorXd scores = predicted_scores(predicted.output, points.num_samples());
  for (Eigen::Index k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(scores[k], expected[k], 1e-9 * (1.0 + std::abs(expected[k]))) << "sample " << k;
  }
}

TEST(CliPolynomial, Poly2RecordsItsCoefficientsAndTheTextNamesTheProgram) {
  const auto directory = scratch_directory();
  const auto model_path = directory / "poly2.json";
  const std::string common = "train --dataset moons --n 24 --seed 2 --beta 0.05 --activation poly2";
  const CommandResult trained =
      run(common + " --poly 0.2,0.5,-0.1 --json --out " + model_path.string(), false);
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const nlohmann::json summary = parse_json(trained);
  EXPECT_EQ(summary["status"], "converged");
  EXPECT_EQ(summary["coefficients"], nlohmann::json({0.2, 0.5, -0.1}));
  EXPECT_LE(summary["lower_bound"].get<double>(), summary["objective"].get<double>());

  const nlohmann::json file = nlohmann::json::parse(model_to_json(load_model(model_path.string())));
  EXPECT_EQ(file["version"], 2);
  EXPECT_EQ(file["activation"]["name"], "poly2");
  EXPECT_EQ(file["activation"]["coefficients"], nlohmann::json({0.2, 0.5, -0.1}));
  EXPECT_EQ(file["training"]["activation"], "poly2");

  // Default coefficients: the ReLU-like quadratic of science.md 9.6.
  const CommandResult defaults = run(common + " --json", false);
  ASSERT_EQ(defaults.exit_code, 0) << defaults.output;
  EXPECT_EQ(parse_json(defaults)["coefficients"], nlohmann::json({0.09, 0.5, 0.47}));

  const CommandResult text = run(common + " --poly 0.2,0.5,-0.1");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("Program: semidefinite program"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("activation poly2 = 0.2 t^2 + 0.5 t + -0.1"), std::string::npos)
      << text.output;
  EXPECT_NE(text.output.find("neurons"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Certified globally optimal"), std::string::npos) << text.output;
}

TEST(CliPolynomial, AttackWorksWithoutACertificateAndCompareAndCertifyNameTheActivation) {
  const auto directory = scratch_directory();
  const auto model_path = directory / "attacked.json";
  const std::string data = "--dataset xor --n 16 --seed 4";
  ASSERT_EQ(run("train " + data + " --activation quadratic --beta 0.1 --out " + model_path.string())
                .exit_code,
            0);
  const CommandResult attacked =
      run("attack --model " + model_path.string() + " " + data + " --epsilon 0.1 --json", false);
  ASSERT_EQ(attacked.exit_code, 0) << attacked.output;
  const nlohmann::json attack = parse_json(attacked);
  EXPECT_TRUE(attack["certified_accuracy"].is_null());
  EXPECT_GE(attack["attacked_accuracy"].get<double>(), 0.0);
  const CommandResult attacked_text =
      run("attack --model " + model_path.string() + " " + data + " --epsilon 0.1");
  EXPECT_NE(attacked_text.output.find("n/a"), std::string::npos) << attacked_text.output;

  const CommandResult certify = run("certify --model " + model_path.string() + " " + data);
  EXPECT_EQ(certify.exit_code, 2) << certify.output;
  EXPECT_NE(certify.output.find("quadratic"), std::string::npos) << certify.output;
  const CommandResult compare = run("compare " + data + " --activation poly2 --seeds 1");
  EXPECT_EQ(compare.exit_code, 2) << compare.output;
  EXPECT_NE(compare.output.find("--activation poly2"), std::string::npos) << compare.output;
}

TEST(CliPolynomial, InvalidOptionsFailWithAMessageNamingTheOption) {
  const std::string common = "train --dataset xor --n 12 ";
  struct Case {
    std::string arguments;
    std::string expected;
  };
  for (const Case& c : {Case{"--activation poly2 --poly 1,2", "--poly"},
                        Case{"--activation poly2 --poly 1,x,2", "--poly"},
                        Case{"--activation poly2 --poly 1,2,3,4", "--poly"},
                        Case{"--activation poly2 --poly 0,0,1", "activation.coefficients"},
                        Case{"--poly 1,0,0", "--poly applies only"},
                        Case{"--activation quadratic --poly 1,0,0", "--poly applies only"},
                        Case{"--activation quadratic --epsilon 0.1", "epsilon"},
                        Case{"--activation quadratic --solver al", "solver 'al'"},
                        Case{"--activation poly2 --solver gated", "solver 'gated'"},
                        Case{"--activation quadratic --rho 2", "--rho"},
                        Case{"--activation quadratic --loss hinge", "hinge"}}) {
    const CommandResult result = run(common + c.arguments);
    EXPECT_EQ(result.exit_code, 2) << c.arguments << ": " << result.output;
    EXPECT_NE(result.output.find(c.expected), std::string::npos)
        << c.arguments << ": " << result.output;
  }
}

}  // namespace
}  // namespace convexnn
