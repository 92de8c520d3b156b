#pragma once
// "Save session" / "Open session": the dataset (its generator settings, or the loaded points
// themselves), the split, every training setting and the trained model in one JSON file
// (format "convexnn.session", version 1).
#include <optional>
#include <string>

#include "convexnn/generators.h"
#include "convexnn/model_json.h"
#include "convexnn/training.h"
#include "dataset_panel.h"

namespace convexnn::ui {

struct Session {
  std::optional<GeneratorSettings> generator;  // set for built-in data
  std::optional<Dataset> loaded_data;          // set for data loaded from a file
  SplitSettings split;
  TrainingConfig config;
  std::optional<Model> model;
};

std::string session_to_json(const Session& session);
// Throws InputError naming `source` and the offending field.
Session session_from_json(const std::string& text, const std::string& source);
void save_session(const Session& session, const std::string& path);  // atomic
Session load_session(const std::string& path);

}  // namespace convexnn::ui
