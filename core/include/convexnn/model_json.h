#pragma once
// The model file format "convexnn.two_layer_relu" version 1 (documented in README.md):
// f(x) = sum_j a_j max(0, w_j . z + b_j) + c with z = (x - mean) / scale.
#include <cstdint>
#include <optional>
#include <string>

#include "convexnn/dataset.h"
#include "convexnn/two_layer_network.h"

namespace convexnn {

// How the model was trained; informational, optional in files written by other tools.
struct TrainingRecord {
  std::string formulation;  // exact | sampled | semidefinite (quadratic, poly2) | backpropagation
  std::string loss;
  double beta = 0.0;
  std::int64_t patterns = 0;
  double rho = 0.0;      // final penalty
  std::string rho_mode;  // fixed | auto
  std::uint64_t seed = 0;
  double objective = 0.0;    // recovered network's objective (upper bound)
  double lower_bound = 0.0;  // certified lower bound
  double gap = 0.0;          // relative gap (objective - lower_bound) / max(1, |objective|)
  std::int64_t iterations = 0;
  std::string status;
  bool certified_global_optimum = false;
  // l_inf radius of adversarial training in the data's units; 0 for standard training (also
  // when the field is absent, as in files written before it existed).
  double epsilon = 0.0;
  // Activation name the model was trained with (relu | leaky-relu | abs ...; "relu" when absent);
  // the network's own "activation" object carries its parameters.
  std::string activation = "relu";
};

struct Model {
  TwoLayerNetwork network;
  std::optional<TrainingRecord> training;
  // The user's original label values for the classes -1 and +1 (optional field "labels").
  std::optional<LabelMapping> label_mapping;
};

std::string model_to_json(const Model& model);
// Throws InputError naming `source` and the offending field.
Model model_from_json(const std::string& text, const std::string& source);

void save_model(const Model& model, const std::string& path);  // atomic
Model load_model(const std::string& path);

}  // namespace convexnn
