// `convexnn bench`: runs a problem in a child process and reports a consistent JSON record.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_runner.h"

namespace {

using convexnn::testing::run_cli;

TEST(CliBench, ReportsTimesToGapMemoryAndProductRates) {
  const auto result = run_cli("bench --problems moons-1000 --max-seconds 1 --json", false);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto document = nlohmann::json::parse(result.output);
  ASSERT_EQ(document["results"].size(), 1u);
  const auto& run = document["results"][0];
  EXPECT_EQ(run["problem"], "moons-1000");
  EXPECT_EQ(run["solver"], "admm");
  EXPECT_EQ(run["n"], 750);  // the 75% training split of 1000
  EXPECT_EQ(run["d"], 3);    // two features and the bias column
  EXPECT_GT(run["iterations"].get<long long>(), 0);
  EXPECT_GT(run["peak_memory_mb"].get<double>(), 1.0);
  EXPECT_GE(run["relative_gap"].get<double>(), 0.0);
  EXPECT_LE(run["lower_bound"].get<double>(), run["objective"].get<double>());
  for (const char* name : {"F u", "F^T r", "G u"}) {
    const auto& rate = run["products"][name];
    EXPECT_GT(rate["gflops"].get<double>(), 0.0) << name;
    EXPECT_GT(rate["gflops_one_thread"].get<double>(), 0.0) << name;
    EXPECT_GT(rate["gemm_gflops"].get<double>(), 0.0) << name;
    EXPECT_GE(rate["threads"].get<int>(), 1) << name;
    // The comparison with Eigen's (single-threaded) GEMM is made on one thread.
    EXPECT_NEAR(rate["ratio_to_gemm"].get<double>(),
                rate["gflops_one_thread"].get<double>() / rate["gemm_gflops"].get<double>(), 1e-12);
  }
  // A tighter gap is reached no earlier than a looser one.
  const auto& gaps = run["to_gap"];
  ASSERT_TRUE(gaps.contains("0.001") && gaps.contains("0.0001") && gaps.contains("1e-06"));
  if (!gaps["0.0001"].is_null()) {
    ASSERT_FALSE(gaps["0.001"].is_null());
    EXPECT_GE(gaps["0.0001"]["iterations"].get<long long>(),
              gaps["0.001"]["iterations"].get<long long>());
  }
}

TEST(CliBench, MissingDataIsSkippedAndUnknownNamesAreErrors) {
  const auto skipped =
      run_cli("bench --problems teacher10 --bench-dir /nonexistent/dir --json", false);
  ASSERT_EQ(skipped.exit_code, 0) << skipped.output;
  const auto document = nlohmann::json::parse(skipped.output);
  EXPECT_NE(document["results"][0]["skipped"].get<std::string>().find("/nonexistent/dir"),
            std::string::npos);
  const auto unknown = run_cli("bench --problems imagenet");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("imagenet"), std::string::npos) << unknown.output;
  const auto bad_solver = run_cli("bench --solvers simplex");
  EXPECT_EQ(bad_solver.exit_code, 2);
  EXPECT_NE(bad_solver.output.find("--solvers"), std::string::npos) << bad_solver.output;
}

}  // namespace
