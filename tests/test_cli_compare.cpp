// End-to-end runs of `convexnn compare`: back-propagation seeds against the convex optimum.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"

namespace {

using convexnn::testing::CommandResult;

CommandResult run(const std::string& arguments, bool merge_stderr = true) {
  return convexnn::testing::run_cli(arguments, merge_stderr);
}

TEST(CliCompare, JsonReportsEverySeedAgainstTheCertifiedOptimum) {
  const CommandResult result =
      run("compare --dataset xor --n 20 --beta 0.1 --tol 1e-4 --test-fraction 0.25 --seeds 4 "
          "--optimizer adam --lr 0.02 --epochs 300 --width 20 --json",
          false);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json report = nlohmann::json::parse(result.output);
  EXPECT_EQ(report["program"]["formulation"], "exact");  // auto picks exact for small 2-D data
  const nlohmann::json& convex = report["convex"];
  EXPECT_EQ(convex["certified_global_optimum"], true);
  const double optimum = convex["objective"].get<double>();
  const double lower_bound = convex["lower_bound"].get<double>();
  EXPECT_LE(lower_bound, optimum);
  const nlohmann::json& runs = report["nonconvex"]["runs"];
  ASSERT_EQ(runs.size(), 4u);
  int within = 0;
  double lowest = 1e300;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    EXPECT_EQ(runs[k]["seed"].get<int>(), static_cast<int>(k) + 1);
    EXPECT_EQ(runs[k]["epochs"].get<int>(), 300);
    const double objective = runs[k]["objective"].get<double>();
    EXPECT_GE(objective, lower_bound - 1e-9 * std::abs(lower_bound));
    EXPECT_TRUE(runs[k]["test_accuracy"].is_number());
    if (objective <= optimum + 0.01 * std::abs(optimum)) ++within;
    lowest = std::min(lowest, objective);
  }
  EXPECT_EQ(report["summary"]["within_1_percent"].get<int>(), within);
  EXPECT_EQ(report["summary"]["min_objective"].get<double>(), lowest);
  EXPECT_EQ(report["summary"]["below_lower_bound"].get<int>(), 0);
}

TEST(CliCompare, TableShowsSeedsCertificateAndSummary) {
  const CommandResult result =
      run("compare --dataset moons --n 16 --formulation exact --beta 0.1 --tol 1e-4 --seeds 3 "
          "--optimizer sgd --epochs 200 --width 16 --batch-size 8");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("seed      objective  vs optimum"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("Certified"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("of 3 seeds ended within 1% of the certified optimum"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("batch 8"), std::string::npos) << result.output;
}

// With two sampled patterns the program is a poor restriction: back-propagation networks, free to
// use any patterns, end far below its optimum, and the summary says so instead of only calling
// them "within 1%".
TEST(CliCompare, CountsSeedsFarBelowASampledProgramsOptimum) {
  const std::string arguments =
      "compare --dataset spiral --n 60 --formulation sampled --patterns 2 --beta 0.01 "
      "--seeds 3 --optimizer adam --lr 0.02 --epochs 400 --width 30";
  const CommandResult json_result = run(arguments + " --json", false);
  ASSERT_EQ(json_result.exit_code, 0) << json_result.output;
  const nlohmann::json report = nlohmann::json::parse(json_result.output);
  const double optimum = report["convex"]["objective"].get<double>();
  int below = 0;
  for (const nlohmann::json& seed : report["nonconvex"]["runs"]) {
    if (seed["objective"].get<double>() < optimum - 0.01 * std::abs(optimum)) ++below;
  }
  EXPECT_GT(below, 0) << json_result.output;
  EXPECT_EQ(report["summary"]["more_than_1_percent_below"].get<int>(), below);
  const CommandResult table = run(arguments);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find(std::to_string(below) + " of them ended more than 1% below it"),
            std::string::npos)
      << table.output;
}

TEST(CliCompare, InvalidOptionsFailWithAMessageNamingTheOption) {
  const std::string data = "compare --dataset xor --n 12 --epochs 10 ";
  const CommandResult no_seeds = run(data + "--seeds 0");
  EXPECT_EQ(no_seeds.exit_code, 2);
  EXPECT_NE(no_seeds.output.find("--seeds"), std::string::npos) << no_seeds.output;
  const CommandResult bad_rate = run(data + "--lr -1");
  EXPECT_EQ(bad_rate.exit_code, 2);
  EXPECT_NE(bad_rate.output.find("learning_rate"), std::string::npos) << bad_rate.output;
  const CommandResult bad_width = run(data + "--width 0");
  EXPECT_EQ(bad_width.exit_code, 2);
  EXPECT_NE(bad_width.output.find("width"), std::string::npos) << bad_width.output;
  const CommandResult bad_optimizer = run(data + "--optimizer lbfgs");
  EXPECT_EQ(bad_optimizer.exit_code, 2);
  EXPECT_NE(bad_optimizer.output.find("--optimizer"), std::string::npos) << bad_optimizer.output;
  const CommandResult no_data = run("compare --seeds 2");
  EXPECT_EQ(no_data.exit_code, 2);
  EXPECT_NE(no_data.output.find("no data"), std::string::npos) << no_data.output;
  const CommandResult exact_too_large =
      run("compare --dataset xor --n 300 --formulation exact --seeds 1");
  EXPECT_EQ(exact_too_large.exit_code, 2);
  EXPECT_NE(exact_too_large.output.find("exact"), std::string::npos) << exact_too_large.output;
}

}  // namespace
