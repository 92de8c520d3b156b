// `convexnn bench`: a fixed set of problems, each solved in its own child process (so peak memory
// and CPU time are the problem's own), reporting time to relative gaps 1e-3, 1e-4, 1e-6 and the
// rate of the hot products beside a plain Eigen GEMM of the same shape measured in the same run.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.h"
#include "convexnn/csv_loader.h"
#include "convexnn/data_split.h"
#include "convexnn/errors.h"
#include "convexnn/gated_relu.h"
#include "convexnn/generators.h"
#include "convexnn/idx_loader.h"
#include "convexnn/parallelism.h"
#include "convexnn/training.h"
#include "gzip_file.h"

#ifndef CONVEXNN_DEFAULT_BENCH_DIR
#define CONVEXNN_DEFAULT_BENCH_DIR ""
#endif

namespace convexnn::cli {
namespace {

using nlohmann::json;

constexpr std::array<double, 3> kGapThresholds = {1e-3, 1e-4, 1e-6};
constexpr const char* kFashionDir = "/usr/share/datasets/fashion-mnist";

struct BenchOptions {
  std::string problems = "moons-1000,teacher10,fashion-mnist";
  std::string solvers = "admm";
  double max_seconds = 120.0;
  std::string bench_dir = CONVEXNN_DEFAULT_BENCH_DIR;
  std::string fashion_dir = kFashionDir;
  bool json_output = false;
  int threads = 0;  // 0: all hardware threads
  // Internal: run one problem in this process and print its JSON (used by the parent).
  std::string child_problem;
  std::string child_solver;
};

struct BenchProblem {
  std::string name;
  std::string description;
  // Empty when the data is available, else why the problem is skipped.
  std::function<std::string(const BenchOptions&)> unavailable;
  std::function<std::pair<Dataset, Dataset>(const BenchOptions&)> load;  // train, test
  TrainingConfig config;
  // Multiply our (sum-form) objective by this to get the problem's conventional form.
  std::function<double(Eigen::Index n)> objective_scale = [](Eigen::Index) { return 1.0; };
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

std::vector<BenchProblem> bench_problems() {
  std::vector<BenchProblem> problems;
  {
    BenchProblem p;
    p.name = "moons-1000";
    p.description = "built-in moons, n = 1000 (750 train), 200 sampled patterns, squared, beta 0.1";
    p.unavailable = [](const BenchOptions&) { return std::string(); };
    p.load = [](const BenchOptions&) {
      GeneratorSettings settings;
      settings.name = "moons";
      settings.n = 1000;
      settings.seed = 1;
      settings.noise = 0.15;
      const TrainTestSplit split = split_train_test(generate_dataset(settings), 0.25, 1);
      return std::pair{split.train, split.test};
    };
    p.config.pattern_samples = 200;
    p.config.beta = 0.1;
    problems.push_back(p);
  }
  {
    BenchProblem p;
    p.name = "teacher10";
    p.description =
        "teacher10 (../shared/bench), n = 2000, d = 10 + bias, 500 sampled patterns, squared, "
        "beta 1e-3 in mean form (2 in sum form); objectives reported in mean form";
    p.unavailable = [](const BenchOptions& options) {
      const auto path = std::filesystem::path(options.bench_dir) / "teacher10-train.csv";
      return std::filesystem::exists(path) ? std::string()
                                           : "no " + path.string() + " (set --bench-dir)";
    };
    p.load = [](const BenchOptions& options) {
      const auto dir = std::filesystem::path(options.bench_dir);
      return std::pair{load_csv((dir / "teacher10-train.csv").string()),
                       load_csv((dir / "teacher10-test.csv").string())};
    };
    p.config.pattern_samples = 500;
    p.config.beta = 2.0;
    p.objective_scale = [](Eigen::Index n) { return 1.0 / static_cast<double>(n); };
    problems.push_back(p);
  }
  {
    BenchProblem p;
    p.name = "fashion-mnist";
    p.description =
        "Fashion-MNIST T-shirt/top (0) vs shirt (6), n = 12000 train / 2000 test, d = 784 + bias, "
        "pixels in [0, 1], 50 sampled patterns, squared, beta 1e-3 in mean form (12 in sum form)";
    p.unavailable = [](const BenchOptions& options) {
      const auto path = std::filesystem::path(options.fashion_dir) / "train-images-idx3-ubyte.gz";
      return std::filesystem::exists(path)
                 ? std::string()
                 : "no " + path.string() + " (install dataset-fashion-mnist)";
    };
    p.load = [](const BenchOptions& options) {
      const auto dir = std::filesystem::path(options.fashion_dir);
      auto read = [&](const std::string& images, const std::string& labels) {
        IdxDatasetOptions idx;
        idx.classes = std::pair{0.0, 6.0};
        const std::string images_path = (dir / images).string();
        const std::string labels_path = (dir / labels).string();
        return make_idx_dataset(parse_idx(read_file_decompressing(images_path), images_path),
                                parse_idx(read_file_decompressing(labels_path), labels_path), idx,
                                images_path);
      };
      return std::pair{read("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
                       read("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")};
    };
    p.config.pattern_samples = 50;
    p.config.beta = 12.0;
    p.objective_scale = [](Eigen::Index n) { return 1.0 / static_cast<double>(n); };
    problems.push_back(p);
  }
  return problems;
}

// The JSON key of a gap threshold: "0.001", "0.0001", "1e-06".
std::string gap_key(double threshold) {
  char key[16];
  std::snprintf(key, sizeof key, "%g", threshold);
  return key;
}

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// Times `work` for at least `min_seconds` and returns seconds per call.
double seconds_per_call(const std::function<void()>& work, double min_seconds = 0.3) {
  work();  // warm up caches and allocations
  int calls = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0.0;
  do {
    work();
    ++calls;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < min_seconds);
  return elapsed / calls;
}

// Hot products of science.md 4.4 at nominal flop counts (one multiply-add = 2 flops), each beside
// an Eigen GEMM of the shape it reduces to. Eigen's GEMM runs on one thread here, so the
// comparison is made on one thread (tbb limited to 1); the rate on all threads is reported too.
json measure_products(const ConvexProblem& problem) {
  const Eigen::Index n = problem.num_samples();
  const Eigen::Index d = problem.dim();
  const Eigen::Index P = problem.num_patterns();
  const Eigen::MatrixXd blocks = Eigen::MatrixXd::Random(d, 2 * P);
  const Eigen::VectorXd residual = Eigen::VectorXd::Random(n);
  const Eigen::MatrixXd right = Eigen::MatrixXd::Random(d, P);
  const Eigen::MatrixXd right_wide = Eigen::MatrixXd::Random(d, 2 * P);
  const Eigen::MatrixXd left = Eigen::MatrixXd::Random(n, P);
  volatile double sink = 0.0;
  Eigen::MatrixXd gemm_out;

  auto entry = [&](double flops, const std::function<void()>& product,
                   const std::function<void()>& gemm) {
    double one_thread_rate = 0.0;
    double gemm_rate = 0.0;
    run_with_thread_limit(1, [&] {
      one_thread_rate = flops / seconds_per_call(product) / 1e9;
      gemm_rate = flops / seconds_per_call(gemm) / 1e9;
    });
    const double all_threads_rate = flops / seconds_per_call(product) / 1e9;
    return json{{"gflops_one_thread", one_thread_rate},
                {"gflops", all_threads_rate},
                {"threads", available_threads()},
                {"gemm_gflops", gemm_rate},
                {"ratio_to_gemm", one_thread_rate / gemm_rate}};
  };
  const double nd = static_cast<double>(n) * static_cast<double>(d);
  json products;
  products["F u"] = entry(
      2.0 * nd * static_cast<double>(P), [&] { sink = sink + problem.predict(blocks)[0]; },
      [&] {
        gemm_out.noalias() = problem.X * right;
        sink = sink + gemm_out(0, 0);
      });
  products["F^T r"] = entry(
      2.0 * nd * static_cast<double>(P),
      [&] { sink = sink + problem.predict_adjoint(residual)(0, 0); },
      [&] {
        gemm_out.noalias() = problem.X.transpose() * left;
        sink = sink + gemm_out(0, 0);
      });
  products["G u"] = entry(
      4.0 * nd * static_cast<double>(P), [&] { sink = sink + problem.cone_values(blocks)(0, 0); },
      [&] {
        gemm_out.noalias() = problem.X * right_wide;
        sink = sink + gemm_out(0, 0);
      });
  return products;
}

// Records when the relative gap first falls below each threshold.
class ThresholdObserver final : public SolverObserver {
 public:
  ThresholdObserver()
      : wall_start_(std::chrono::steady_clock::now()), cpu_start_(process_cpu_seconds()) {}
  ObserverAction on_iteration(const IterationReport& report, const IterateView&) override {
    for (std::size_t t = 0; t < kGapThresholds.size(); ++t) {
      if (reached_[t].is_null() && report.relative_gap <= kGapThresholds[t]) {
        reached_[t] = json{
            {"iterations", report.iteration},
            {"wall_seconds",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start_).count()},
            {"cpu_seconds", process_cpu_seconds() - cpu_start_}};
      }
    }
    last_test_accuracy_ = report.test_accuracy;
    return ObserverAction::kContinue;
  }
  // The test accuracy of the solver's own model at the last report (for gated: the gated network,
  // before the cone decomposition); NaN when never reported.
  double last_test_accuracy() const { return last_test_accuracy_; }
  json thresholds() const {
    json result = json::object();
    for (std::size_t t = 0; t < kGapThresholds.size(); ++t) {
      result[gap_key(kGapThresholds[t])] = reached_[t];
    }
    return result;
  }

 private:
  std::chrono::steady_clock::time_point wall_start_;
  double cpu_start_;
  std::array<json, kGapThresholds.size()> reached_{};
  double last_test_accuracy_ = std::numeric_limits<double>::quiet_NaN();
};

json run_child(const BenchOptions& options) {
  const std::vector<BenchProblem> problems = bench_problems();
  const BenchProblem* problem = nullptr;
  for (const BenchProblem& p : problems) {
    if (p.name == options.child_problem) problem = &p;
  }
  if (!problem) throw InputError("--problems: unknown problem '" + options.child_problem + "'");
  const double setup_start = process_cpu_seconds();
  const auto [train, test] = problem->load(options);
  TrainingConfig config = problem->config;
  config.solver = solver_kind_from_string(options.child_solver);
  config.set_stopping_rule(1000000, kGapThresholds.back(), options.max_seconds);
  // Report every 10th iteration, as `train` does: a report evaluates the network and its
  // accuracies, about as much work as an iteration. A gap threshold is then recorded at the first
  // report at or below it (ADMM's gap changes only at certificates, spaced 25 or more apart).
  config.admm.report_every = 10;
  config.augmented_lagrangian.report_every = 10;
  config.gated.report_every = 10;
  const PreparedProblem prepared = prepare_problem(train, &test, config);
  // A Nystrom ADMM iteration costs tens of products: report each one, or the thresholds would be
  // recorded up to ten seconds late.
  if (config.solver == SolverKind::kGated &&
      resolved_gated_method(prepared.problem, config.gated) == GatedMethod::kNystromAdmm) {
    config.gated.report_every = 1;
  }
  const double setup_cpu = process_cpu_seconds() - setup_start;

  json result;
  result["problem"] = problem->name;
  result["solver"] = options.child_solver;
  result["n"] = prepared.problem.num_samples();
  result["d"] = prepared.problem.dim();
  result["patterns"] = prepared.problem.num_patterns();
  result["setup_cpu_seconds"] = setup_cpu;
  result["products"] = measure_products(prepared.problem);

  ThresholdObserver observer;
  const double cpu_start = process_cpu_seconds();
  const TrainingResult trained = train_network(prepared, config, &observer);
  const SolverSummary& summary = trained.summary;
  const double scale = problem->objective_scale(prepared.problem.num_samples());
  result["status"] = to_string(summary.status);
  result["iterations"] = summary.iterations;
  result["threads"] = available_threads();
  result["wall_seconds"] = summary.total_seconds;
  result["cpu_seconds"] = process_cpu_seconds() - cpu_start;
  result["objective"] = summary.network_objective * scale;
  result["lower_bound"] = summary.lower_bound * scale;
  result["relative_gap"] = summary.relative_gap;
  result["active_neurons"] = summary.active_neurons;
  result["linear_solver"] = to_string(summary.linear_solver);
  result["algorithm"] = summary.algorithm;
  json to_gap = observer.thresholds();
  // A polish after the last report can close the gap; the summary's time then counts.
  for (double threshold : kGapThresholds) {
    const std::string key = gap_key(threshold);
    if (to_gap[key].is_null() && summary.relative_gap <= threshold) {
      to_gap[key] = json{{"iterations", summary.iterations},
                         {"wall_seconds", summary.total_seconds},
                         {"cpu_seconds", process_cpu_seconds() - cpu_start}};
    }
  }
  result["to_gap"] = to_gap;
  const Eigen::VectorXd train_prediction = trained.network.predict(train.X);
  result["train_accuracy"] = classification_accuracy(train_prediction, train.y);
  result["test_accuracy"] = classification_accuracy(trained.network.predict(test.X), test.y);
  if (config.solver == SolverKind::kGated && std::isfinite(observer.last_test_accuracy())) {
    result["gated_test_accuracy"] = observer.last_test_accuracy();
  }
  return result;
}

// Runs this executable with `arguments` in a child process; returns its stdout and resources.
std::pair<std::string, rusage> run_self(const std::vector<std::string>& arguments) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(pipe_fds[1], STDOUT_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    std::vector<char*> argv;
    static std::string self = "/proc/self/exe";
    argv.push_back(self.data());
    std::vector<std::string> copies = arguments;
    for (std::string& argument : copies) argv.push_back(argument.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string output;
  char buffer[4096];
  ssize_t read_bytes = 0;
  while ((read_bytes = read(pipe_fds[0], buffer, sizeof buffer)) > 0) {
    output.append(buffer, static_cast<std::size_t>(read_bytes));
  }
  close(pipe_fds[0]);
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw CommandFailed("bench: the run '" + (arguments.size() > 2 ? arguments[2] : "") +
                            "' failed (exit status " +
                            std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")",
                        1);
  }
  return {output, usage};
}

std::string cell(const json& value, const char* key, const char* format) {
  if (value.is_null() || !value.contains(key)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, format, value[key].get<double>());
  return text;
}

void print_table(const std::vector<json>& results) {
  // "gated" runs R-FISTA or the Nystrom ADMM (chosen by size); the table names which.
  auto solver_label = [](const json& r) {
    std::string label = r["solver"].get<std::string>();
    if (r.contains("algorithm") && r["algorithm"].get<std::string>() == "Nystrom ADMM") {
      label += "/nys";
    }
    return label;
  };
  std::printf("%-14s %-9s %8s %10s %10s %9s | %-22s | %-22s | %-22s | %7s\n", "problem", "solver",
              "iter", "objective", "rel.gap", "peak MB", "gap 1e-3 (it/wall/cpu)",
              "gap 1e-4 (it/wall/cpu)", "gap 1e-6 (it/wall/cpu)", "test acc");
  for (const json& r : results) {
    if (r.contains("skipped")) {
      std::printf("%-14s skipped: %s\n", r["problem"].get<std::string>().c_str(),
                  r["skipped"].get<std::string>().c_str());
      continue;
    }
    std::string gaps[3];
    int t = 0;
    for (const char* key : {"0.001", "0.0001", "1e-06"}) {
      const json& reached = r["to_gap"][key];
      gaps[t++] = reached.is_null() ? "not reached"
                                    : std::to_string(reached["iterations"].get<long long>()) +
                                          " / " + cell(reached, "wall_seconds", "%.2fs") + " / " +
                                          cell(reached, "cpu_seconds", "%.2fs");
    }
    std::printf("%-14s %-9s %8lld %10.5g %10.2e %9.0f | %-22s | %-22s | %-22s | %7.4f\n",
                r["problem"].get<std::string>().c_str(), solver_label(r).c_str(),
                r["iterations"].get<long long>(), r["objective"].get<double>(),
                r["relative_gap"].get<double>(), r["peak_memory_mb"].get<double>(), gaps[0].c_str(),
                gaps[1].c_str(), gaps[2].c_str(), r["test_accuracy"].get<double>());
    if (r.contains("gated_test_accuracy")) {
      std::printf(
          "%-14s %-9s (test accuracy of the gated network itself, before the cone "
          "decomposition: %.4f)\n",
          "", "", r["gated_test_accuracy"].get<double>());
    }
  }
  std::printf(
      "\nhot products, GFLOP/s on one thread [an Eigen GEMM of the same shape, one thread, same "
      "run] ratio; then on all threads\n");
  for (const json& r : results) {
    if (r.contains("skipped")) continue;
    std::printf("%-14s %-9s", r["problem"].get<std::string>().c_str(), solver_label(r).c_str());
    for (const auto& [name, rate] : r["products"].items()) {
      std::printf("  %s %.1f [%.1f] %3.0f%%, %d threads %.1f", name.c_str(),
                  rate["gflops_one_thread"].get<double>(), rate["gemm_gflops"].get<double>(),
                  100.0 * rate["ratio_to_gemm"].get<double>(), rate["threads"].get<int>(),
                  rate["gflops"].get<double>());
    }
    std::printf("\n");
  }
}

void run_bench(const BenchOptions& options) {
  if (!options.child_problem.empty()) {
    run_with_thread_limit(options.threads, [&] { std::cout << run_child(options).dump() << "\n"; });
    return;
  }
  if (!(options.max_seconds > 0)) throw InputError("--max-seconds: must be positive");
  const std::vector<BenchProblem> problems = bench_problems();
  const std::vector<std::string> wanted = split_list(options.problems);
  const std::vector<std::string> solvers = split_list(options.solvers);
  for (const std::string& name : wanted) {
    bool known = false;
    for (const BenchProblem& p : problems) known = known || p.name == name;
    if (!known) {
      throw InputError("--problems: unknown problem '" + name +
                       "' (choose from moons-1000, teacher10, fashion-mnist)");
    }
  }
  for (const std::string& solver : solvers) {
    try {
      solver_kind_from_string(solver);
    } catch (const InputError& error) {
      throw InputError(std::string("--solvers: ") + error.what());
    }
  }
  std::vector<json> results;
  for (const BenchProblem& problem : problems) {
    if (std::find(wanted.begin(), wanted.end(), problem.name) == wanted.end()) continue;
    if (const std::string why = problem.unavailable(options); !why.empty()) {
      results.push_back({{"problem", problem.name}, {"skipped", why}});
      if (!options.json_output)
        std::cerr << "bench: " << problem.name << " skipped: " << why << "\n";
      continue;
    }
    for (const std::string& solver : solvers) {
      if (problem.name == "fashion-mnist" && (solver == "admm" || solver == "al")) {
        // Measured: both would run for hours here, so they are skipped with the reason.
        const std::string why =
            "the ReLU program's certificate solves an NNLS with a 785 x 12000 matrix per block "
            "(hours), and ADMM's u-update would factor a 12000 x 12000 Woodbury core; a "
            "matrix-free CG u-update and a cheaper certificate are not implemented yet";
        results.push_back({{"problem", problem.name}, {"solver", solver}, {"skipped", why}});
        if (!options.json_output) {
          std::cerr << "bench: " << problem.name << " / " << solver << " skipped: " << why << "\n";
        }
        continue;
      }
      if (!options.json_output) {
        std::cerr << "bench: " << problem.name << " / " << solver << " ... " << std::flush;
      }
      std::ostringstream seconds;
      seconds << options.max_seconds;
      const auto [output, usage] = run_self(
          {"bench", "--child-problem", problem.name, "--child-solver", solver, "--max-seconds",
           seconds.str(), "--bench-dir", options.bench_dir, "--fashion-dir", options.fashion_dir,
           "--threads", std::to_string(options.threads)});
      json result = json::parse(output);
      result["description"] = problem.description;
      result["peak_memory_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;
      result["process_cpu_seconds"] =
          static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
          1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
      if (!options.json_output) {
        std::cerr << result["status"].get<std::string>() << ", " << result["wall_seconds"]
                  << " s\n";
      }
      results.push_back(result);
    }
  }
  if (options.json_output) {
    json machine;
    machine["hardware_threads"] = std::thread::hardware_concurrency();
    machine["threads"] = options.threads > 0
                             ? options.threads
                             : static_cast<int>(std::thread::hardware_concurrency());
    std::cout << json{{"machine", machine}, {"results", results}}.dump(2) << "\n";
  } else {
    print_table(results);
  }
}

}  // namespace

void register_bench_command(CLI::App& app) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* command = app.add_subcommand(
      "bench", "Benchmark the solvers on a fixed set of problems (time to gap, memory, GFLOP/s)");
  command
      ->add_option("--problems", options->problems,
                   "Comma-separated: moons-1000, teacher10, fashion-mnist")
      ->capture_default_str();
  command
      ->add_option("--solvers", options->solvers, "Comma-separated solvers: admm, al, gated, scp")
      ->capture_default_str();
  command->add_option("--max-seconds", options->max_seconds, "Time limit per problem and solver")
      ->capture_default_str();
  command->add_option("--bench-dir", options->bench_dir, "Directory of teacher10-*.csv")
      ->capture_default_str();
  command
      ->add_option("--fashion-dir", options->fashion_dir,
                   "Directory of the Fashion-MNIST IDX files")
      ->capture_default_str();
  command->add_flag("--json", options->json_output, "Print one JSON document");
  command
      ->add_option("--threads", options->threads,
                   "Threads for the parallel kernels (0: all); results are identical for any count")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_option("--child-problem", options->child_problem)->group("");
  command->add_option("--child-solver", options->child_solver)->group("");
  command->callback([options] { run_bench(*options); });
}

}  // namespace convexnn::cli
