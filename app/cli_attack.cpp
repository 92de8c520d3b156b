// `convexnn attack`: FGSM or PGD on a trained model, with clean, attacked and certified accuracy
// (science.md 6.3), and the adversarial points as CSV.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli_common.h"
#include "convexnn/adversarial_attacks.h"
#include "convexnn/csv_loader.h"
#include "convexnn/errors.h"
#include "convexnn/local_robustness.h"
#include "convexnn/model_json.h"

namespace convexnn::cli {
namespace {

struct AttackCommandOptions {
  std::string model_path;
  DataSourceOptions data;
  double epsilon = 0.1;
  std::string method = "pgd";
  std::string objective = "margin";
  std::string loss;  // empty: the model's training loss (squared if unknown)
  int steps = 10;
  double step_size = 0.0;
  bool random_start = false;
  std::uint64_t attack_seed = 1;  // PGD's random start; --seed stays the dataset seed (as in train)
  std::string box;
  std::string output_path;
  bool json = false;
};

// "lo,hi" -> InputBox; throws InputError naming --box.
InputBox parse_box(const std::string& text) {
  const auto comma = text.find(',');
  auto parse = [&](const std::string& part, double* value) {
    std::size_t used = 0;
    try {
      *value = std::stod(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    return used == part.size() && !part.empty() && std::isfinite(*value);
  };
  InputBox box;
  if (comma == std::string::npos || !parse(text.substr(0, comma), &box.lower) ||
      !parse(text.substr(comma + 1), &box.upper) || box.lower > box.upper) {
    throw InputError("--box: expected two numbers lo,hi with lo <= hi (got '" + text + "')");
  }
  return box;
}

void check_inside_box(const Dataset& data, const InputBox& box) {
  for (Eigen::Index k = 0; k < data.X.rows(); ++k) {
    for (Eigen::Index j = 0; j < data.X.cols(); ++j) {
      const double value = data.X(k, j);
      if (value < box.lower || value > box.upper) {
        throw InputError("--box: sample " + std::to_string(k + 1) + " has feature " +
                         std::to_string(j + 1) + " = " + format_csv_number(value) + " outside [" +
                         format_csv_number(box.lower) + ", " + format_csv_number(box.upper) + "]");
      }
    }
  }
}

void run_attack_command(const AttackCommandOptions& options) {
  AttackOptions attack;
  attack.epsilon = options.epsilon;
  attack.objective = attack_objective_from_string(options.objective);
  attack.steps = options.steps;
  attack.step_size = options.step_size;
  attack.random_start = options.random_start;
  attack.seed = options.attack_seed;
  if (!options.box.empty()) attack.box = parse_box(options.box);
  const AttackMethod method = attack_method_from_string(options.method);
  if (const std::string error = attack.validate(); !error.empty()) {
    throw InputError("invalid option: " + error);
  }

  const Model model = load_model(options.model_path);
  std::string loss_name = options.loss;
  if (loss_name.empty()) {
    loss_name = model.training && !model.training->loss.empty() ? model.training->loss : "squared";
  }
  attack.loss = loss_from_string(loss_name);
  const Dataset data = load_data_source(options.data);
  if (data.num_features() != model.network.input_dim()) {
    throw InputError("the data has " + std::to_string(data.num_features()) +
                     " features but the model expects " +
                     std::to_string(model.network.input_dim()));
  }
  if (attack.box) check_inside_box(data, *attack.box);

  const Eigen::MatrixXd adversarial = run_attack(method, model.network, data.X, data.y, attack);
  const double clean = classification_accuracy(model.network.predict(data.X), data.y);
  const double attacked = classification_accuracy(model.network.predict(adversarial), data.y);
  // The certificate bounds piecewise-linear networks only; FGSM and PGD need just gradients, so
  // quadratic / poly2 models are attacked but get no certified accuracy (NaN, null in JSON).
  const bool certifiable = model.network.activation.positively_homogeneous();
  const double certified =
      certifiable ? certified_robust_accuracy(model.network, data.X, data.y, attack.epsilon)
                  : std::nan("");
  if (!options.output_path.empty()) {
    Dataset points = data;
    points.X = adversarial;
    points.source = "adversarial " + std::string(to_string(method)) + " points";
    save_csv(points, options.output_path);
  }

  if (options.json) {
    nlohmann::json j;
    j["method"] = to_string(method);
    j["epsilon"] = attack.epsilon;
    j["objective"] = to_string(attack.objective);
    j["loss"] = to_string(attack.loss);
    if (method == AttackMethod::kPgd) {
      j["steps"] = attack.steps;
      j["step_size"] = attack.effective_step_size();
      j["random_start"] = attack.random_start;
    }
    j["seed"] = options.data.seed;  // the dataset seed, as in train
    j["attack_seed"] = attack.seed;
    j["box"] = attack.box ? nlohmann::json::array({attack.box->lower, attack.box->upper})
                          : nlohmann::json(nullptr);
    j["samples"] = data.num_samples();
    j["clean_accuracy"] = clean;
    j["attacked_accuracy"] = attacked;
    j["certified_accuracy"] = certifiable ? nlohmann::json(certified) : nlohmann::json(nullptr);
    j["output"] =
        options.output_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(options.output_path);
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << "Data: " << data.source << " (" << data.num_samples() << " samples, "
            << data.num_features() << " features)\n";
  char line[200];
  if (method == AttackMethod::kPgd) {
    const std::string start = attack.random_start
                                  ? "random start (attack seed " + std::to_string(attack.seed) + ")"
                                  : std::string("clean start");
    std::snprintf(line, sizeof line, "Attack: pgd, epsilon %g, %d steps of %g, %s, objective %s\n",
                  attack.epsilon, attack.steps, attack.effective_step_size(), start.c_str(),
                  to_string(attack.objective));
  } else {
    std::snprintf(line, sizeof line, "Attack: fgsm, epsilon %g, objective %s\n", attack.epsilon,
                  to_string(attack.objective));
  }
  std::cout << line;
  if (attack.box) {
    std::snprintf(line, sizeof line, "  box                   [%g, %g]\n", attack.box->lower,
                  attack.box->upper);
    std::cout << line;
  }
  std::snprintf(line, sizeof line, "  clean accuracy        %.4f\n", clean);
  std::cout << line;
  std::snprintf(line, sizeof line, "  %-4s accuracy         %.4f\n", to_string(method), attacked);
  std::cout << line;
  if (certifiable) {
    std::snprintf(line, sizeof line, "  certified accuracy    %.4f (no attack can go below this)\n",
                  certified);
  } else {
    std::snprintf(line, sizeof line,
                  "  certified accuracy    n/a (the certificate needs a piecewise-linear "
                  "activation; this model's is %s)\n",
                  model.network.activation.name().c_str());
  }
  std::cout << line;
  if (!options.output_path.empty()) {
    std::cout << "  adversarial points    " << options.output_path << "\n";
  }
}

}  // namespace

void register_attack_command(CLI::App& app) {
  auto options = std::make_shared<AttackCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "attack", "Attack a trained model with FGSM or PGD and report robust accuracies");
  command->add_option("--model", options->model_path, "Model JSON written by train")->required();
  add_data_source_options(*command, options->data);
  command
      ->add_option("--epsilon", options->epsilon,
                   "l_inf radius, in the units of the data (before any standardization)")
      ->capture_default_str();
  command->add_option("--method", options->method, "fgsm or pgd")
      ->check(CLI::IsMember({"fgsm", "pgd"}))
      ->capture_default_str();
  command
      ->add_option("--objective", options->objective,
                   "What the attack maximizes: margin (-y f, aims at misclassification) or "
                   "loss (the training loss)")
      ->check(CLI::IsMember({"margin", "loss"}))
      ->capture_default_str();
  command
      ->add_option("--loss", options->loss,
                   "Loss for --objective loss (default: the model's training loss)")
      ->check(CLI::IsMember({"squared", "hinge", "logistic"}));
  command->add_option("--steps", options->steps, "PGD steps")->capture_default_str();
  command->add_option("--step-size", options->step_size,
                      "PGD step size (default 2.5 * eps / steps)");
  command->add_flag("--random-start", options->random_start,
                    "Start PGD at a uniform random point of the ball (seeded by --attack-seed)");
  command
      ->add_option("--attack-seed", options->attack_seed,
                   "Seed of PGD's random start (--seed is the dataset seed, as in train)")
      ->capture_default_str();
  command->add_option("--box", options->box,
                      "Keep every feature of the adversarial points in [lo,hi], e.g. 0,1");
  command->add_option("--output", options->output_path,
                      "Write the adversarial points (and labels) as CSV");
  command->add_flag("--json", options->json, "Print the results as JSON on stdout");
  command->callback([options] { run_attack_command(*options); });
}

}  // namespace convexnn::cli
