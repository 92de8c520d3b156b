#include "session_file.h"

#include <nlohmann/json.hpp>

#include "convexnn/atomic_file.h"
#include "convexnn/errors.h"

namespace convexnn::ui {
namespace {

using nlohmann::json;
constexpr const char* kFormat = "convexnn.session";
constexpr int kVersion = 1;

json dataset_to_json(const Dataset& data) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < data.num_samples(); ++i) {
    json row = json::array();
    for (Eigen::Index j = 0; j < data.num_features(); ++j) row.push_back(data.X(i, j));
    rows.push_back(row);
  }
  json labels = json::array();
  for (Eigen::Index i = 0; i < data.num_samples(); ++i) labels.push_back(data.y(i));
  return {{"source", data.source},
          {"feature_names", data.feature_names},
          {"label_name", data.label_name},
          {"label_values", {data.label_mapping.negative_value, data.label_mapping.positive_value}},
          {"X", rows},
          {"y", labels}};
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw InputError(source_ + ": field '" + field + "' " + problem);
  }

  const json& member(const json& object, const std::string& key, const std::string& path) const {
    if (!object.is_object() || !object.contains(key)) fail(path + key, "is missing");
    return object.at(key);
  }

  double number(const json& object, const std::string& key, const std::string& path) const {
    const json& value = member(object, key, path);
    if (!value.is_number()) fail(path + key, "must be a number");
    return value.get<double>();
  }

  std::string text(const json& object, const std::string& key, const std::string& path) const {
    const json& value = member(object, key, path);
    if (!value.is_string()) fail(path + key, "must be a string");
    return value.get<std::string>();
  }

  bool boolean(const json& object, const std::string& key, const std::string& path) const {
    const json& value = member(object, key, path);
    if (!value.is_boolean()) fail(path + key, "must be true or false");
    return value.get<bool>();
  }

  Dataset dataset(const json& object) const {
    Dataset data;
    const json& rows = member(object, "X", "dataset.");
    const json& labels = member(object, "y", "dataset.");
    if (!rows.is_array() || rows.empty()) fail("dataset.X", "must be a non-empty array of rows");
    if (!labels.is_array() || labels.size() != rows.size()) {
      fail("dataset.y", "must be an array with one label per row of dataset.X");
    }
    const std::size_t d = rows[0].is_array() ? rows[0].size() : 0;
    if (d == 0) fail("dataset.X[0]", "must be a non-empty array of numbers");
    data.X.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(d));
    data.y.resize(static_cast<Eigen::Index>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string where = "dataset.X[" + std::to_string(i) + "]";
      if (!rows[i].is_array() || rows[i].size() != d)
        fail(where, "must have " + std::to_string(d) + " numbers");
      for (std::size_t j = 0; j < d; ++j) {
        if (!rows[i][j].is_number()) fail(where, "must hold numbers only");
        data.X(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
            rows[i][j].get<double>();
      }
      if (!labels[i].is_number() ||
          (labels[i].get<double>() != 1.0 && labels[i].get<double>() != -1.0)) {
        fail("dataset.y[" + std::to_string(i) + "]", "must be -1 or +1");
      }
      data.y(static_cast<Eigen::Index>(i)) = labels[i].get<double>();
    }
    data.source = text(object, "source", "dataset.");
    data.label_name = text(object, "label_name", "dataset.");
    const json& names = member(object, "feature_names", "dataset.");
    if (!names.is_array() || names.size() != d)
      fail("dataset.feature_names", "must name every feature");
    for (const json& name : names) {
      if (!name.is_string()) fail("dataset.feature_names", "must hold strings");
      data.feature_names.push_back(name.get<std::string>());
    }
    const json& values = member(object, "label_values", "dataset.");
    if (!values.is_array() || values.size() != 2 || !values[0].is_number() ||
        !values[1].is_number()) {
      fail("dataset.label_values", "must be two numbers");
    }
    data.label_mapping = {values[0].get<double>(), values[1].get<double>()};
    return data;
  }

 private:
  std::string source_;
};

}  // namespace

std::string session_to_json(const Session& session) {
  json root;
  root["format"] = kFormat;
  root["version"] = kVersion;
  if (session.generator) {
    root["generator"] = {{"name", session.generator->name},
                         {"n", session.generator->n},
                         {"noise", session.generator->noise},
                         {"seed", session.generator->seed}};
  }
  if (session.loaded_data) root["dataset"] = dataset_to_json(*session.loaded_data);
  root["split"] = {{"test_fraction", session.split.test_fraction}, {"seed", session.split.seed}};
  const TrainingConfig& config = session.config;
  root["training"] = {
      {"formulation", to_string(config.pattern_mode)},
      {"loss", to_string(config.loss)},
      {"patterns", config.pattern_samples},
      {"pattern_seed", config.seed},
      {"beta", config.beta},
      {"standardize", config.standardize},
      {"rho", config.admm.rho},
      {"rho_mode", config.admm.penalty_mode == PenaltyMode::kAdaptive ? "auto" : "fixed"},
      {"max_iterations", config.admm.max_iterations},
      {"epsilon", config.epsilon},
      {"tolerance", config.admm.relative_gap_tolerance},
      {"activation", config.activation.name()},
      {"solver", to_string(config.solver)},
      {"features", config.random_features.features},
      {"generate_patterns", config.generate_patterns},
      {"pattern_generation",
       {{"batch_size", config.pattern_generation.batch_size},
        {"max_rounds", config.pattern_generation.max_rounds},
        {"final_slide_iterations", config.pattern_generation.final_slide_iterations}}}};
  if (config.activation.kind == ActivationKind::kLeakyRelu) {
    root["training"]["leaky_slope"] = config.activation.leaky_slope;
  }
  if (config.activation.kind == ActivationKind::kPolynomial) {
    root["training"]["poly"] = {config.activation.a, config.activation.b, config.activation.c};
  }
  if (session.model) root["model"] = json::parse(model_to_json(*session.model));
  return root.dump(1) + "\n";
}

Session session_from_json(const std::string& text, const std::string& source) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    throw InputError(source + ": not valid JSON (" + error.what() + ")");
  }
  const Reader read(source);
  if (!root.is_object() || !root.contains("format") || root["format"] != kFormat) {
    read.fail("format", std::string("must be \"") + kFormat + "\" (is this a session file?)");
  }
  if (read.number(root, "version", "") != kVersion) {
    read.fail("version", "must be " + std::to_string(kVersion));
  }
  Session session;
  if (root.contains("generator")) {
    const json& g = root["generator"];
    GeneratorSettings settings;
    settings.name = read.text(g, "name", "generator.");
    settings.n = static_cast<int>(read.number(g, "n", "generator."));
    settings.noise = read.number(g, "noise", "generator.");
    const double seed = read.number(g, "seed", "generator.");
    if (seed < 0) read.fail("generator.seed", "must not be negative");
    settings.seed = static_cast<std::uint64_t>(seed);
    session.generator = settings;
  } else if (root.contains("dataset")) {
    session.loaded_data = read.dataset(root["dataset"]);
  } else {
    read.fail("generator", "or 'dataset' must be present");
  }
  const json& split = read.member(root, "split", "");
  session.split.test_fraction = read.number(split, "test_fraction", "split.");
  session.split.seed = static_cast<std::uint64_t>(read.number(split, "seed", "split."));

  const json& training = read.member(root, "training", "");
  TrainingConfig& config = session.config;
  try {
    config.pattern_mode = pattern_mode_from_string(read.text(training, "formulation", "training."));
    config.loss = loss_from_string(read.text(training, "loss", "training."));
  } catch (const InputError& error) {
    throw InputError(source + ": " + error.what());
  }
  config.pattern_samples = static_cast<int>(read.number(training, "patterns", "training."));
  config.seed = static_cast<std::uint64_t>(read.number(training, "pattern_seed", "training."));
  config.beta = read.number(training, "beta", "training.");
  config.standardize = read.boolean(training, "standardize", "training.");
  config.admm.rho = read.number(training, "rho", "training.");
  const std::string rho_mode = read.text(training, "rho_mode", "training.");
  if (rho_mode != "auto" && rho_mode != "fixed")
    read.fail("training.rho_mode", "must be auto or fixed");
  config.admm.penalty_mode = rho_mode == "auto" ? PenaltyMode::kAdaptive : PenaltyMode::kFixed;
  config.admm.max_iterations =
      static_cast<std::int64_t>(read.number(training, "max_iterations", "training."));
  config.admm.relative_gap_tolerance = read.number(training, "tolerance", "training.");
  // Optional: sessions from before robust training have no epsilon.
  if (training.contains("epsilon")) config.epsilon = read.number(training, "epsilon", "training.");
  // Optional: sessions from before the activation and solver choices train ReLU with ADMM.
  if (training.contains("activation")) {
    const std::string name = read.text(training, "activation", "training.");
    try {
      config.activation.kind = parse_activation_kind(name);
    } catch (const InputError& error) {
      read.fail("training.activation", std::string("is invalid: ") + error.what());
    }
    if (config.activation.kind == ActivationKind::kLeakyRelu) {
      config.activation.leaky_slope = read.number(training, "leaky_slope", "training.");
    }
    if (config.activation.kind == ActivationKind::kPolynomial) {
      const json& poly = read.member(training, "poly", "training.");
      if (!poly.is_array() || poly.size() != 3 || !poly[0].is_number() || !poly[1].is_number() ||
          !poly[2].is_number()) {
        read.fail("training.poly", "must be three numbers [a, b, c]");
      }
      config.activation.a = poly[0].get<double>();
      config.activation.b = poly[1].get<double>();
      config.activation.c = poly[2].get<double>();
    }
  }
  if (training.contains("solver")) {
    const std::string name = read.text(training, "solver", "training.");
    try {
      config.solver = solver_kind_from_string(name);
    } catch (const InputError& error) {
      read.fail("training.solver", std::string("is invalid: ") + error.what());
    }
  }
  // Optional: sessions from before the SCP solver and pattern growing keep the defaults.
  // Counts are range-checked before the cast (a cast of an out-of-range double is undefined).
  const auto count = [&read](const json& object, const std::string& key, const std::string& path,
                             int minimum) {
    const double value = read.number(object, key, path);
    if (!(value >= minimum && value <= 1e7)) {
      read.fail(path + key, "must be between " + std::to_string(minimum) + " and 10000000");
    }
    return static_cast<int>(value);
  };
  if (training.contains("features")) {
    config.random_features.features = count(training, "features", "training.", 1);
  }
  config.random_features.seed = config.seed;
  if (training.contains("generate_patterns")) {
    config.generate_patterns = read.boolean(training, "generate_patterns", "training.");
  }
  if (training.contains("pattern_generation")) {
    const json& generation = read.member(training, "pattern_generation", "training.");
    config.pattern_generation.batch_size =
        count(generation, "batch_size", "training.pattern_generation.", 1);
    config.pattern_generation.max_rounds =
        count(generation, "max_rounds", "training.pattern_generation.", 0);
    // Absent in sessions saved before sliding existed: no slide.
    if (generation.contains("final_slide_iterations")) {
      config.pattern_generation.final_slide_iterations =
          count(generation, "final_slide_iterations", "training.pattern_generation.", 0);
    }
  }
  // The GUI uses one iteration limit and gap tolerance for every algorithm.
  config.set_stopping_rule(config.admm.max_iterations, config.admm.relative_gap_tolerance,
                           config.admm.max_seconds);
  if (const std::string error = config.validate(); !error.empty()) {
    throw InputError(source + ": training settings: " + error);
  }
  if (root.contains("model"))
    session.model = model_from_json(root["model"].dump(), source + " (model)");
  return session;
}

void save_session(const Session& session, const std::string& path) {
  write_file_atomically(path, session_to_json(session));
}

Session load_session(const std::string& path) { return session_from_json(read_file(path), path); }

}  // namespace convexnn::ui
