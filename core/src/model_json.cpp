#include "convexnn/model_json.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "convexnn/atomic_file.h"
#include "convexnn/errors.h"

namespace convexnn {
namespace {

using nlohmann::json;

constexpr const char* kFormat = "convexnn.two_layer_relu";
// Version 2 adds the "activation" object. ReLU models are still written as version 1, which
// readers of version 1 understand; other activations need version 2 so an old reader refuses
// them instead of silently evaluating them as ReLU.
constexpr int kReluVersion = 1;
constexpr int kActivationVersion = 2;

json vector_to_json(const Eigen::VectorXd& values) {
  json array = json::array();
  for (Eigen::Index i = 0; i < values.size(); ++i) array.push_back(values[i]);
  return array;
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw InputError(source_ + ": field '" + field + "': " + problem);
  }

  const json& member(const json& object, const std::string& key, const std::string& path) const {
    if (!object.is_object() || !object.contains(key)) fail(path, "missing");
    return object.at(key);
  }

  double number(const json& value, const std::string& path) const {
    if (!value.is_number()) fail(path, "expected a number");
    const double result = value.get<double>();
    if (!std::isfinite(result)) fail(path, "not a finite number");
    return result;
  }

  Eigen::VectorXd vector(const json& value, const std::string& path, Eigen::Index expected) const {
    if (!value.is_array()) fail(path, "expected an array of numbers");
    if (expected >= 0 && static_cast<Eigen::Index>(value.size()) != expected) {
      fail(path, "expected " + std::to_string(expected) + " numbers, found " +
                     std::to_string(value.size()));
    }
    Eigen::VectorXd result(static_cast<Eigen::Index>(value.size()));
    for (std::size_t i = 0; i < value.size(); ++i) {
      result[static_cast<Eigen::Index>(i)] = number(value[i], path + "[" + std::to_string(i) + "]");
    }
    return result;
  }

 private:
  std::string source_;
};

}  // namespace

std::string model_to_json(const Model& model) {
  const TwoLayerNetwork& network = model.network;
  json root;
  root["format"] = kFormat;
  const Activation& activation = network.activation;
  root["version"] = activation.kind == ActivationKind::kRelu ? kReluVersion : kActivationVersion;
  root["input_dim"] = network.input_dim();
  if (activation.kind != ActivationKind::kRelu) {
    json entry = {{"name", activation.name()}};
    if (activation.kind == ActivationKind::kLeakyRelu) entry["slope"] = activation.leaky_slope;
    if (activation.kind == ActivationKind::kPolynomial) {
      entry["coefficients"] = {activation.a, activation.b, activation.c};
    }
    root["activation"] = entry;
  }
  if (network.standardization) {
    root["standardization"] = {
        {"mean", vector_to_json(network.standardization->mean.transpose())},
        {"scale", vector_to_json(network.standardization->scale.transpose())}};
  } else {
    root["standardization"] = nullptr;
  }
  json rows = json::array();
  for (Eigen::Index j = 0; j < network.width(); ++j) {
    rows.push_back(vector_to_json(network.first_weights.row(j).transpose()));
  }
  root["first_layer"] = {{"weights", rows}, {"bias", vector_to_json(network.first_bias)}};
  root["second_layer"] = {{"weights", vector_to_json(network.second_weights)},
                          {"bias", network.second_bias}};
  if (model.label_mapping) {
    root["labels"] = {{"negative", model.label_mapping->negative_value},
                      {"positive", model.label_mapping->positive_value}};
  }
  if (model.training) {
    const TrainingRecord& t = *model.training;
    root["training"] = {{"formulation", t.formulation},
                        {"loss", t.loss},
                        {"beta", t.beta},
                        {"patterns", t.patterns},
                        {"rho", t.rho},
                        {"rho_mode", t.rho_mode},
                        {"seed", t.seed},
                        {"objective", t.objective},
                        {"lower_bound", t.lower_bound},
                        {"gap", t.gap},
                        {"iterations", t.iterations},
                        {"status", t.status},
                        {"certified_global_optimum", t.certified_global_optimum},
                        {"epsilon", t.epsilon},
                        {"activation", t.activation}};
  }
  return root.dump(2) + "\n";
}

Model model_from_json(const std::string& text, const std::string& source) {
  const Reader reader(source);
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    throw InputError(source + ": not valid JSON (" + error.what() + ")");
  }
  if (!root.is_object()) throw InputError(source + ": expected a JSON object");
  const json& format = reader.member(root, "format", "format");
  if (!format.is_string() || format.get<std::string>() != kFormat) {
    reader.fail("format", std::string("expected \"") + kFormat + "\"");
  }
  const json& version = reader.member(root, "version", "version");
  if (!version.is_number_integer() ||
      (version.get<int>() != kReluVersion && version.get<int>() != kActivationVersion)) {
    reader.fail("version", "unsupported version (this program reads versions 1 and 2)");
  }
  const json& input_dim_json = reader.member(root, "input_dim", "input_dim");
  if (!input_dim_json.is_number_integer() || input_dim_json.get<long long>() < 1) {
    reader.fail("input_dim", "expected a positive integer");
  }
  const auto input_dim = static_cast<Eigen::Index>(input_dim_json.get<long long>());

  Model model;
  TwoLayerNetwork& network = model.network;
  if (version.get<int>() == kActivationVersion) {
    const json& entry = reader.member(root, "activation", "activation");
    const json& name = reader.member(entry, "name", "activation.name");
    if (!name.is_string()) reader.fail("activation.name", "expected a string");
    Activation& activation = network.activation;
    try {
      activation.kind = parse_activation_kind(name.get<std::string>());
    } catch (const InputError& error) {
      reader.fail("activation.name", error.what());
    }
    if (activation.kind == ActivationKind::kLeakyRelu) {
      activation.leaky_slope =
          reader.number(reader.member(entry, "slope", "activation.slope"), "activation.slope");
      if (!activation.validate().empty()) reader.fail("activation.slope", "must be in [0, 1)");
    }
    if (activation.kind == ActivationKind::kPolynomial) {
      const Eigen::VectorXd coefficients =
          reader.vector(reader.member(entry, "coefficients", "activation.coefficients"),
                        "activation.coefficients", 3);
      activation.a = coefficients[0];
      activation.b = coefficients[1];
      activation.c = coefficients[2];
      const std::string problem = activation.validate();
      if (!problem.empty()) reader.fail("activation.coefficients", problem);
    }
  }
  if (root.contains("standardization") && !root["standardization"].is_null()) {
    const json& standardization = root["standardization"];
    Standardization z;
    z.mean = reader
                 .vector(reader.member(standardization, "mean", "standardization.mean"),
                         "standardization.mean", input_dim)
                 .transpose();
    z.scale = reader
                  .vector(reader.member(standardization, "scale", "standardization.scale"),
                          "standardization.scale", input_dim)
                  .transpose();
    if ((z.scale.array() == 0.0).any()) reader.fail("standardization.scale", "contains zero");
    network.standardization = z;
  }
  const json& first = reader.member(root, "first_layer", "first_layer");
  const json& weights = reader.member(first, "weights", "first_layer.weights");
  if (!weights.is_array()) reader.fail("first_layer.weights", "expected an array of rows");
  const auto width = static_cast<Eigen::Index>(weights.size());
  network.first_weights.resize(width, input_dim);
  for (Eigen::Index j = 0; j < width; ++j) {
    const std::string path = "first_layer.weights[" + std::to_string(j) + "]";
    network.first_weights.row(j) =
        reader.vector(weights[static_cast<std::size_t>(j)], path, input_dim).transpose();
  }
  network.first_bias =
      reader.vector(reader.member(first, "bias", "first_layer.bias"), "first_layer.bias", width);
  const json& second = reader.member(root, "second_layer", "second_layer");
  network.second_weights = reader.vector(reader.member(second, "weights", "second_layer.weights"),
                                         "second_layer.weights", width);
  network.second_bias =
      second.contains("bias") ? reader.number(second["bias"], "second_layer.bias") : 0.0;
  if (root.contains("labels") && !root["labels"].is_null()) {
    const json& labels = root["labels"];
    LabelMapping mapping;
    mapping.negative_value =
        reader.number(reader.member(labels, "negative", "labels.negative"), "labels.negative");
    mapping.positive_value =
        reader.number(reader.member(labels, "positive", "labels.positive"), "labels.positive");
    model.label_mapping = mapping;
  }
  if (root.contains("training") && root["training"].is_object()) try {
      const json& t = root["training"];
      TrainingRecord record;
      record.formulation = t.value("formulation", "");
      record.loss = t.value("loss", "");
      record.beta = t.value("beta", 0.0);
      record.patterns = t.value("patterns", std::int64_t{0});
      record.rho = t.value("rho", 0.0);
      record.rho_mode = t.value("rho_mode", "");
      record.seed = t.value("seed", std::uint64_t{0});
      record.objective = t.value("objective", 0.0);
      record.lower_bound = t.value("lower_bound", 0.0);
      record.gap = t.value("gap", 0.0);
      record.iterations = t.value("iterations", std::int64_t{0});
      record.status = t.value("status", "");
      record.certified_global_optimum = t.value("certified_global_optimum", false);
      record.epsilon = t.value("epsilon", 0.0);
      record.activation = t.value("activation", "relu");
      if (!std::isfinite(record.epsilon) || record.epsilon < 0) {
        reader.fail("training.epsilon", "expected a finite number >= 0");
      }
      model.training = record;
    } catch (const json::exception& error) {
      reader.fail("training", error.what());
    }
  return model;
}

void save_model(const Model& model, const std::string& path) {
  write_file_atomically(path, model_to_json(model));
}

Model load_model(const std::string& path) { return model_from_json(read_file(path), path); }

}  // namespace convexnn
