#pragma once
// Runs the non-convex baseline (back-propagation from K seeds, in parallel) on a oneTBB worker so
// the GUI stays responsive, and on the same worker the certificate of a trained network
// (science.md 8.3: certify_network, then resolve_from_certificate); oneTBB stays in the .cpp (its
// headers use `emit`).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "convexnn/network_certificate.h"
#include "convexnn/nonconvex_training.h"
#include "training_job.h"

namespace convexnn::ui {

struct BaselineJob {
  Dataset train;
  std::optional<Dataset> test;
  TrainingConfig config;  // loss, beta, standardization: the same objective as the convex run
  NonconvexOptions options;
  int seeds = 8;  // seeds 1..K
  std::optional<BoundaryGridSpec> grid;
};

struct BaselineSeed {
  NonconvexResult result;
  Eigen::MatrixXd grid;  // the network's output on the job's grid (2-D data only)
};

struct BaselineOutcome {
  std::vector<BaselineSeed> seeds;
  std::optional<BoundaryGridSpec> grid;
  std::string error;  // the core's message when the job failed
};

// Certify one back-propagation network on the data it was trained on, then re-solve the convex
// program from it on its own + violating patterns (by ADMM, warm-started at the network).
struct CertifyJob {
  TwoLayerNetwork network;
  std::uint64_t seed = 0;  // the back-propagation seed the network came from
  Dataset train;
  LossKind loss = LossKind::kSquared;
  double beta = 0.0;
  NetworkCertificateOptions certificate;
  AdmmOptions admm;
};

struct CertifyOutcome {
  std::uint64_t seed = 0;
  std::optional<NetworkCertificate> certificate;
  std::optional<NetworkResolveResult> resolved;
  std::string error;  // the core's message when the job failed
};

class BaselineRunner {
 public:
  BaselineRunner();
  ~BaselineRunner();  // stops a running job and waits for it
  BaselineRunner(const BaselineRunner&) = delete;
  BaselineRunner& operator=(const BaselineRunner&) = delete;

  // `on_finished` runs on the worker thread once the outcome is ready. Precondition: !busy().
  void start(BaselineJob job, std::function<void()> on_finished);
  // The same for a certificate job; its result is taken by take_certify_outcome().
  void start_certify(CertifyJob job, std::function<void()> on_finished);
  bool busy() const;
  void request_stop();
  void wait();
  std::optional<BaselineOutcome> take_outcome();
  std::optional<CertifyOutcome> take_certify_outcome();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace convexnn::ui
