#pragma once
// Reading the interior-point reference files of tests/data/reference/ (written by the scripts in
// tests/reference/): one loader and one problem builder for every test that uses them.
#include <Eigen/Dense>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "convexnn/activation_patterns.h"
#include "convexnn/convex_problem.h"

namespace convexnn::testing {

// `name` without the ".json" extension.
inline nlohmann::json load_reference(const std::string& name) {
  const std::string path = std::string(CONVEXNN_TEST_DATA_DIR) + "/reference/" + name + ".json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return nlohmann::json::parse(in);
}

inline Eigen::MatrixXd matrix_from(const nlohmann::json& rows) {
  Eigen::MatrixXd matrix(static_cast<Eigen::Index>(rows.size()),
                         static_cast<Eigen::Index>(rows.at(0).size()));
  for (Eigen::Index r = 0; r < matrix.rows(); ++r) {
    for (Eigen::Index c = 0; c < matrix.cols(); ++c) {
      matrix(r, c) = rows.at(static_cast<std::size_t>(r)).at(static_cast<std::size_t>(c));
    }
  }
  return matrix;
}

inline Eigen::VectorXd vector_from(const nlohmann::json& values) {
  Eigen::VectorXd vector(static_cast<Eigen::Index>(values.size()));
  for (Eigen::Index k = 0; k < vector.size(); ++k) {
    vector[k] = values.at(static_cast<std::size_t>(k));
  }
  return vector;
}

// The reference points as an exact problem with our own enumeration (same conventions as the
// scripts: bias column last and weight-decayed, losses summed); loss and beta are left to the
// caller. test_interior_point_reference.cpp checks that the enumeration equals the stored set.
inline ConvexProblem exact_reference_problem(const nlohmann::json& reference) {
  ConvexProblem problem;
  problem.X = with_bias_column(matrix_from(reference.at("X")));
  problem.y = vector_from(reference.at("y"));
  problem.has_bias_column = true;
  problem.patterns = enumerate_patterns_2d(problem.X);
  problem.finalize();
  return problem;
}

}  // namespace convexnn::testing
