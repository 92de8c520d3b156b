// `convexnn train --solver admm|al|gated`.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli_runner.h"

namespace {

using convexnn::testing::CommandResult;
using convexnn::testing::run_cli;

const std::string kProblem = "train --dataset xor --n 12 --formulation exact --beta 0.1 --tol 1e-6";

nlohmann::json train_json(const std::string& solver) {
  const CommandResult result = run_cli(kProblem + " --json --solver " + solver, false);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return nlohmann::json::parse(result.output);
}

TEST(CliSolver, AugmentedLagrangianCertifiesTheAdmmOptimum) {
  const nlohmann::json admm = train_json("admm");
  const nlohmann::json al = train_json("al");
  EXPECT_EQ(admm["solver"], "admm");
  EXPECT_EQ(al["solver"], "al");
  EXPECT_EQ(al["status"], "converged");
  EXPECT_EQ(al["certified_global_optimum"], true);
  EXPECT_LE(al["lower_bound"].get<double>(), admm["objective"].get<double>());
  EXPECT_LE(admm["lower_bound"].get<double>(), al["objective"].get<double>());
  EXPECT_NEAR(al["objective"].get<double>(), admm["objective"].get<double>(),
              2e-6 * std::max(1.0, admm["objective"].get<double>()));
}

TEST(CliSolver, GatedReportsTheRelaxationAndTheDecomposedNetwork) {
  const nlohmann::json admm = train_json("admm");
  const nlohmann::json gated = train_json("gated");
  EXPECT_EQ(gated["solver"], "gated");
  EXPECT_EQ(gated["status"], "converged");
  EXPECT_EQ(gated["certified_global_optimum"], false);
  // p*_G <= p*_C <= the decomposed network's objective.
  EXPECT_LE(gated["objective"].get<double>(), admm["objective"].get<double>() * (1 + 1e-6));
  EXPECT_GE(gated["decomposed_objective"].get<double>(), admm["lower_bound"].get<double>());
  EXPECT_TRUE(admm["decomposed_objective"].is_null());

  const CommandResult readable = run_cli(kProblem + " --solver gated");
  ASSERT_EQ(readable.exit_code, 0) << readable.output;
  EXPECT_NE(readable.output.find("gated ReLU"), std::string::npos) << readable.output;
  EXPECT_NE(readable.output.find("after cone decomposition"), std::string::npos);
}

TEST(CliSolver, BadChoicesNameTheOption) {
  const CommandResult hinge = run_cli(kProblem + " --solver gated --loss hinge");
  EXPECT_EQ(hinge.exit_code, 2) << hinge.output;
  EXPECT_NE(hinge.output.find("loss"), std::string::npos) << hinge.output;
  const CommandResult unknown = run_cli(kProblem + " --solver sgd");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("--solver"), std::string::npos) << unknown.output;
  const CommandResult compare =
      run_cli("compare --dataset xor --n 12 --formulation exact --seeds 1 --solver gated");
  EXPECT_EQ(compare.exit_code, 2) << compare.output;
  EXPECT_NE(compare.output.find("--solver"), std::string::npos) << compare.output;
  const CommandResult rho = run_cli(kProblem + " --solver al --rho 2");
  EXPECT_EQ(rho.exit_code, 2) << rho.output;
  EXPECT_NE(rho.output.find("--rho"), std::string::npos) << rho.output;
}

TEST(CliSolver, ScpIsNeverBelowTheOptimumAndItsModelPredictsLikeTheSummary) {
  const nlohmann::json admm = train_json("admm");
  const CommandResult result = run_cli(kProblem + " --json --solver scp --features 200", false);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const nlohmann::json scp = nlohmann::json::parse(result.output);
  EXPECT_EQ(scp["solver"], "scp");
  EXPECT_EQ(scp["certified_global_optimum"], false);
  EXPECT_EQ(scp["patterns"], 200);
  // A network on sampled neurons cannot beat the certified global optimum.
  EXPECT_GE(scp["objective"].get<double>(), admm["lower_bound"].get<double>() * (1 - 1e-9));
  EXPECT_LE(scp["lower_bound"].get<double>(), scp["objective"].get<double>());
  const CommandResult text = run_cli(kProblem + " --solver scp --features 50");
  EXPECT_NE(text.output.find("not a certificate of global optimality"), std::string::npos)
      << text.output;
  const CommandResult hinge = run_cli(kProblem + " --solver scp --loss hinge");
  EXPECT_EQ(hinge.exit_code, 2);
  EXPECT_NE(hinge.output.find("loss"), std::string::npos) << hinge.output;
}

TEST(CliSolver, PatternGenerationAddsPatternsAndNeverRaisesTheObjective) {
  const std::string sampled =
      "train --dataset moons --n 60 --formulation sampled --patterns 4 --beta 0.1 --json";
  const CommandResult plain = run_cli(sampled, false);
  const CommandResult grown =
      run_cli(sampled + " --generate-patterns --generation-batch 100", false);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  ASSERT_EQ(grown.exit_code, 0) << grown.output;
  const nlohmann::json a = nlohmann::json::parse(plain.output);
  const nlohmann::json b = nlohmann::json::parse(grown.output);
  const auto& generation = b["pattern_generation"];
  EXPECT_GT(generation["patterns_added"].get<int>(), 0);
  EXPECT_EQ(b["patterns"].get<int>(),
            generation["initial_patterns"].get<int>() + generation["patterns_added"].get<int>());
  EXPECT_EQ(generation["initial_patterns"], a["patterns"]);
  EXPECT_LT(b["objective"].get<double>(), a["objective"].get<double>());
  const CommandResult exact = run_cli(kProblem + " --generate-patterns");
  EXPECT_EQ(exact.exit_code, 2);
  EXPECT_NE(exact.output.find("generate_patterns"), std::string::npos) << exact.output;
}

TEST(CliSolver, NeuronGenerationGrowsTheScpDictionary) {
  const std::string scp =
      "train --dataset moons --n 80 --beta 0.1 --solver scp --features 5 --json";
  const CommandResult plain = run_cli(scp, false);
  const CommandResult grown =
      run_cli(scp + " --generate-patterns --generation-search neuron --generation-batch 10", false);
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  ASSERT_EQ(grown.exit_code, 0) << grown.output;
  const nlohmann::json a = nlohmann::json::parse(plain.output);
  const nlohmann::json b = nlohmann::json::parse(grown.output);
  const auto& generation = b["pattern_generation"];
  EXPECT_GT(generation["patterns_added"].get<int>(), 0);
  EXPECT_EQ(generation["initial_patterns"].get<int>(), 5);
  EXPECT_LT(b["objective"].get<double>(), 0.9 * a["objective"].get<double>());
  EXPECT_LE(b["patterns"].get<int>(),
            generation["initial_patterns"].get<int>() + generation["patterns_added"].get<int>());
  const CommandResult al = run_cli(kProblem + " --solver al --generate-patterns");
  EXPECT_EQ(al.exit_code, 2);
  EXPECT_NE(al.output.find("admm or scp"), std::string::npos) << al.output;
}

TEST(CliSolver, FinalSlideLowersTheGrownNetwork) {
  const std::string grown =
      "train --dataset moons --n 80 --beta 0.1 --solver scp --features 5 --json "
      "--generate-patterns --generation-search neuron --generation-batch 10 "
      "--generation-rounds 3";
  const CommandResult fixed = run_cli(grown, false);
  const CommandResult slid = run_cli(grown + " --final-slide 200", false);
  ASSERT_EQ(fixed.exit_code, 0) << fixed.output;
  ASSERT_EQ(slid.exit_code, 0) << slid.output;
  EXPECT_LT(nlohmann::json::parse(slid.output)["objective"].get<double>(),
            nlohmann::json::parse(fixed.output)["objective"].get<double>());
  const CommandResult admm = run_cli(kProblem + " --generate-patterns --final-slide 10");
  EXPECT_EQ(admm.exit_code, 2);
  EXPECT_NE(admm.output.find("--final-slide"), std::string::npos) << admm.output;
}

}  // namespace
