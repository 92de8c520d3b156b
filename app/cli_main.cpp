// `convexnn`: the headless front end of ConvexNN Studio. Exit status 0 on success, 2 with a
// one-line message on bad input or usage, 1 when training fails numerically.
#include <iostream>

#include "cli_common.h"
#include "convexnn/errors.h"
#include "convexnn/heap_policy.h"

int main(int argc, char** argv) {
  convexnn::keep_freed_heap();  // a batch process: its peak heap is freed at exit
  CLI::App app{
      "convexnn: train two-layer ReLU (or leaky ReLU, |t|) networks to a certified global optimum"};
  app.require_subcommand(1);
  convexnn::cli::register_train_command(app);
  convexnn::cli::register_data_commands(app);
  convexnn::cli::register_attack_command(app);
  convexnn::cli::register_compare_command(app);
  convexnn::cli::register_bench_command(app);
  convexnn::cli::register_certify_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::cerr << "convexnn: error: " << error.what() << " (see convexnn --help)\n";
    return 2;
  } catch (const convexnn::InputError& error) {
    std::cerr << "convexnn: error: " << error.what() << "\n";
    return 2;
  } catch (const convexnn::cli::CommandFailed& failure) {
    std::cerr << "convexnn: " << failure.what() << "\n";
    return failure.code;
  } catch (const std::exception& error) {
    std::cerr << "convexnn: internal error: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
