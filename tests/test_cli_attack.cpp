// End-to-end runs of `convexnn train --epsilon` and `convexnn attack`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_runner.h"
#include "convexnn/csv_loader.h"
#include "convexnn/model_json.h"

namespace {

using convexnn::testing::CommandResult;

CommandResult run(const std::string& arguments, bool merge_stderr = true) {
  return convexnn::testing::run_cli(arguments, merge_stderr);
}

std::filesystem::path scratch_directory() {
  const auto directory = std::filesystem::temp_directory_path() / "convexnn_cli_attack_test";
  std::filesystem::create_directories(directory);
  return directory;
}

TEST(CliAttack, RobustTrainingThenPgdAndFgsmAttacks) {
  const auto directory = scratch_directory();
  const auto data = directory / "clusters.csv";
  const auto model = directory / "robust.json";
  const auto adversarial = directory / "adversarial.csv";
  ASSERT_EQ(run("generate xor-clusters --n 60 --seed 4 --out " + data.string()).exit_code, 0);

  const CommandResult trained = run("train --data " + data.string() +
                                    " --patterns 30 --loss hinge --beta 0.1 --epsilon 0.1"
                                    " --max-iter 3000 --json --out " +
                                    model.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const nlohmann::json summary = nlohmann::json::parse(trained.output);
  EXPECT_EQ(summary["robust"], true);
  EXPECT_DOUBLE_EQ(summary["epsilon"].get<double>(), 0.1);
  EXPECT_EQ(summary["certified_global_optimum"], false);
  const double certified_train = summary["robust_train"]["certified_accuracy"].get<double>();
  EXPECT_LE(certified_train, summary["robust_train"]["pgd_accuracy"].get<double>());
  EXPECT_GT(certified_train, 0.8);
  const convexnn::Model loaded = convexnn::load_model(model.string());
  ASSERT_TRUE(loaded.training.has_value());
  EXPECT_DOUBLE_EQ(loaded.training->epsilon, 0.1);
  EXPECT_FALSE(loaded.training->certified_global_optimum);

  const CommandResult attacked =
      run("attack --model " + model.string() + " --data " + data.string() +
          " --epsilon 0.1 --method pgd --steps 20 --random-start --attack-seed 3 --json --output " +
          adversarial.string());
  ASSERT_EQ(attacked.exit_code, 0) << attacked.output;
  const nlohmann::json report = nlohmann::json::parse(attacked.output);
  EXPECT_EQ(report["method"], "pgd");
  EXPECT_EQ(report["samples"], 60);
  EXPECT_DOUBLE_EQ(report["clean_accuracy"].get<double>(), summary["train_accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(report["certified_accuracy"].get<double>(), certified_train);
  EXPECT_GE(report["attacked_accuracy"].get<double>(), report["certified_accuracy"].get<double>());
  EXPECT_DOUBLE_EQ(report["step_size"].get<double>(), 2.5 * 0.1 / 20);
  EXPECT_EQ(report["attack_seed"].get<int>(), 3);

  // The adversarial points: same labels, each within epsilon of its original point.
  const convexnn::Dataset original = convexnn::load_csv(data.string());
  const convexnn::Dataset points = convexnn::load_csv(adversarial.string());
  ASSERT_EQ(points.num_samples(), 60);
  EXPECT_EQ(points.y, original.y);
  EXPECT_LE((points.X - original.X).cwiseAbs().maxCoeff(), 0.1 + 1e-12);
  EXPECT_GT((points.X - original.X).cwiseAbs().maxCoeff(), 0.0);

  const CommandResult fgsm = run("attack --model " + model.string() + " --data " + data.string() +
                                 " --epsilon 0.05 --method fgsm");
  ASSERT_EQ(fgsm.exit_code, 0) << fgsm.output;
  EXPECT_NE(fgsm.output.find("fgsm accuracy"), std::string::npos) << fgsm.output;
  EXPECT_NE(fgsm.output.find("certified accuracy"), std::string::npos);
  EXPECT_NE(fgsm.output.find("clean accuracy"), std::string::npos);
}

// --seed is the dataset seed, as in train (`attack --dataset X --seed S` attacks the data that
// `train --dataset X --seed S` generated); PGD's random start has its own --attack-seed.
TEST(CliAttack, AttackSeedIsSeparateFromTheDatasetSeed) {
  const auto directory = scratch_directory();
  const auto data = directory / "seeded.csv";
  const auto model = directory / "seeded.json";
  ASSERT_EQ(run("generate xor-clusters --n 40 --seed 4 --out " + data.string()).exit_code, 0);
  ASSERT_EQ(run("train --dataset xor-clusters --n 40 --seed 4 --patterns 20 --max-iter 300 --out " +
                model.string())
                .exit_code,
            0);
  const convexnn::Dataset original = convexnn::load_csv(data.string());
  // Tiny steps keep the points near their random starts, so the starts are visible.
  const auto attack = [&](const std::string& seeds, const std::filesystem::path& output) {
    const CommandResult result =
        run("attack --model " + model.string() +
            " --dataset xor-clusters --n 40 --epsilon 0.1 --method pgd --steps 2 --step-size 1e-3"
            " --random-start --json " +
            seeds + " --output " + output.string());
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return std::make_pair(nlohmann::json::parse(result.output),
                          convexnn::load_csv(output.string()));
  };
  const auto [report_a, points_a] = attack("--seed 4 --attack-seed 9", directory / "a.csv");
  const auto [report_b, points_b] = attack("--seed 4 --attack-seed 10", directory / "b.csv");
  const auto [report_c, points_c] = attack("--seed 4", directory / "c.csv");
  const auto [report_d, points_d] = attack("--seed 5", directory / "d.csv");
  EXPECT_EQ(report_a["seed"].get<int>(), 4);
  EXPECT_EQ(report_a["attack_seed"].get<int>(), 9);
  EXPECT_EQ(report_c["attack_seed"].get<int>(), 1);  // the default
  // Whatever the attack seed, the attacked points are the seed-4 data (labels equal, each point
  // within epsilon of its original), and the clean accuracy is the same.
  for (const convexnn::Dataset* points : {&points_a, &points_b, &points_c}) {
    ASSERT_EQ(points->num_samples(), original.num_samples());
    EXPECT_EQ(points->y, original.y);
    EXPECT_LE((points->X - original.X).cwiseAbs().maxCoeff(), 0.1 + 1e-12);
  }
  EXPECT_DOUBLE_EQ(report_a["clean_accuracy"].get<double>(),
                   report_b["clean_accuracy"].get<double>());
  // Another attack seed moves the random start, another --seed changes the data.
  EXPECT_GT((points_a.X - points_b.X).cwiseAbs().maxCoeff(), 1e-3);
  EXPECT_GT((points_d.X - original.X).cwiseAbs().maxCoeff(), 0.5);
}

TEST(CliAttack, BadInputExitsWithStatusTwoAndOneLine) {
  const auto directory = scratch_directory();
  const auto data = directory / "small.csv";
  const auto model = directory / "small.json";
  ASSERT_EQ(run("generate xor --n 20 --out " + data.string()).exit_code, 0);
  ASSERT_EQ(
      run("train --data " + data.string() + " --patterns 10 --max-iter 200 --out " + model.string())
          .exit_code,
      0);
  const auto wide = directory / "wide.csv";
  std::ofstream(wide) << "x1,x2,x3,y\n0,0,0,1\n1,1,1,0\n";
  const std::string base = "attack --model " + model.string() + " --data " + data.string();
  const std::pair<std::string, std::string> cases[] = {
      {base + " --epsilon -0.1", "epsilon"},
      {base + " --method cw", "--method"},
      {base + " --steps 0", "steps"},
      {base + " --box 1,0", "--box"},
      {base + " --box nonsense", "--box"},
      {base + " --box 0.5,0.6", "outside"},  // xor data lies in [-1, 1]^2
      {"attack --model " + (directory / "absent.json").string() + " --data " + data.string(),
       "absent.json"},
      {"attack --model " + model.string() + " --data " + wide.string(), "features"},
      {"train --dataset xor --n 20 --epsilon -1", "epsilon"},
  };
  for (const auto& [arguments, expected] : cases) {
    const CommandResult result = run(arguments);
    EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    EXPECT_NE(result.output.find(expected), std::string::npos) << result.output;
  }
}

}  // namespace
