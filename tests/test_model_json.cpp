// Model export/import: round trip, predictions, errors that name the field.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "convexnn/atomic_file.h"
#include "convexnn/errors.h"
#include "convexnn/model_json.h"
#include "test_helpers.h"

namespace convexnn {
namespace {

Model trained_model() {
  const Dataset data = testing::random_xor(40, 2);
  TrainingConfig config;
  config.pattern_samples = 30;
  config.standardize = true;
  config.admm.max_iterations = 300;
  const TrainingResult result = train_network(prepare_problem(data, nullptr, config), config);
  Model model;
  model.network = result.network;
  TrainingRecord record;
  record.formulation = "sampled";
  record.loss = "squared";
  record.beta = config.beta;
  record.objective = result.summary.network_objective;
  record.status = to_string(result.summary.status);
  model.training = record;
  model.label_mapping = LabelMapping{0.0, 1.0};
  return model;
}

TEST(ModelJson, RoundTripPreservesPredictionsExactly) {
  const Model model = trained_model();
  ASSERT_GT(model.network.width(), 0);
  ASSERT_TRUE(model.network.standardization.has_value());
  const Model loaded = model_from_json(model_to_json(model), "model.json");
  const Dataset probe = testing::random_xor(100, 99);
  EXPECT_EQ(model.network.predict(probe.X), loaded.network.predict(probe.X));
  ASSERT_TRUE(loaded.training.has_value());
  EXPECT_EQ(loaded.training->objective, model.training->objective);
  EXPECT_EQ(loaded.label_mapping->negative_value, 0.0);
}

TEST(ModelJson, FormulaInTheReadmeHolds) {
  // f(x) = sum_j a_j max(0, w_j . z + b_j) + c, z = (x - mean) / scale, evaluated from the JSON.
  const Model model = trained_model();
  const nlohmann::json j = nlohmann::json::parse(model_to_json(model));
  EXPECT_EQ(j["format"], "convexnn.two_layer_relu");
  EXPECT_EQ(j["version"], 1);
  EXPECT_EQ(j["input_dim"], 2);
  const Dataset probe = testing::random_xor(20, 5);
  const Eigen::VectorXd expected = model.network.predict(probe.X);
  for (Eigen::Index k = 0; k < probe.num_samples(); ++k) {
    double z[2];
    for (int i = 0; i < 2; ++i) {
      z[i] = (probe.X(k, i) - j["standardization"]["mean"][i].get<double>()) /
             j["standardization"]["scale"][i].get<double>();
    }
    double f = j["second_layer"]["bias"].get<double>();
    for (std::size_t n = 0; n < j["first_layer"]["weights"].size(); ++n) {
      const auto& w = j["first_layer"]["weights"][n];
      const double pre = w[0].get<double>() * z[0] + w[1].get<double>() * z[1] +
                         j["first_layer"]["bias"][n].get<double>();
      f += j["second_layer"]["weights"][n].get<double>() * std::max(0.0, pre);
    }
    EXPECT_NEAR(f, expected[k], 1e-12 * std::max(1.0, std::abs(f)));
  }
}

TEST(ModelJson, ErrorsNameTheField) {
  const std::string good = model_to_json(trained_model());
  auto error_for = [](const std::string& text) {
    try {
      model_from_json(text, "m.json");
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  EXPECT_NE(error_for("{nope").find("m.json: not valid JSON"), std::string::npos);
  nlohmann::json j = nlohmann::json::parse(good);
  j["format"] = "other";
  EXPECT_NE(error_for(j.dump()).find("'format'"), std::string::npos);
  j = nlohmann::json::parse(good);
  j["first_layer"]["bias"].push_back(1.0);
  EXPECT_NE(error_for(j.dump()).find("'first_layer.bias'"), std::string::npos);
  j = nlohmann::json::parse(good);
  j["first_layer"]["weights"][0][1] = "x";
  EXPECT_NE(error_for(j.dump()).find("'first_layer.weights[0][1]'"), std::string::npos);
  j = nlohmann::json::parse(good);
  j.erase("second_layer");
  EXPECT_NE(error_for(j.dump()).find("'second_layer': missing"), std::string::npos);
}

TEST(ModelJson, SaveIsAtomicAndLeavesNoTemporaryFiles) {
  const auto directory = std::filesystem::temp_directory_path() / "convexnn_model_test";
  std::filesystem::remove_all(directory);
  std::filesystem::create_directories(directory);
  const std::string path = (directory / "model.json").string();
  write_file_atomically(path, "old contents");
  const Model model = trained_model();
  save_model(model, path);
  EXPECT_EQ(load_model(path).network.width(), model.network.width());
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
  // A write into a missing directory fails with a message and leaves nothing behind.
  EXPECT_THROW(save_model(model, (directory / "missing" / "m.json").string()), InputError);
}

TEST(ModelJson, ActivationsRoundTripAsVersionTwo) {
  for (const Activation& activation :
       {Activation::leaky_relu(0.2), Activation::absolute(), Activation::quadratic(),
        Activation::polynomial(0.09, 0.5, 0.47)}) {
    Model model = trained_model();
    model.network.activation = activation;
    const std::string text = model_to_json(model);
    const nlohmann::json j = nlohmann::json::parse(text);
    EXPECT_EQ(j["version"], 2) << activation.name();
    EXPECT_EQ(j["activation"]["name"], activation.name());
    const Model loaded = model_from_json(text, "model.json");
    EXPECT_EQ(loaded.network.activation, activation);
    const Dataset probe = testing::random_xor(50, 7);
    EXPECT_EQ(model.network.predict(probe.X), loaded.network.predict(probe.X)) << activation.name();
  }
}

TEST(ModelJson, ActivationErrorsNameTheField) {
  Model model = trained_model();
  model.network.activation = Activation::leaky_relu(0.2);
  nlohmann::json j = nlohmann::json::parse(model_to_json(model));
  j["activation"]["slope"] = 1.5;
  try {
    model_from_json(j.dump(), "m.json");
    FAIL() << "slope 1.5 accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("m.json: field 'activation.slope'"), std::string::npos)
        << error.what();
  }
  j["activation"] = {{"name", "sigmoid"}};
  try {
    model_from_json(j.dump(), "m.json");
    FAIL() << "unknown activation accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("activation.name"), std::string::npos) << error.what();
  }
  j.erase("activation");
  EXPECT_THROW(model_from_json(j.dump(), "m.json"), InputError);  // version 2 needs it
}

}  // namespace
}  // namespace convexnn
