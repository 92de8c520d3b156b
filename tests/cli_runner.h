#pragma once
// Runs the `convexnn` binary under test (CONVEXNN_CLI_PATH) and captures what it prints.
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace convexnn::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout, and stderr when merged
};

inline CommandResult run_cli(const std::string& arguments, bool merge_stderr = true) {
  const std::string command =
      std::string(CONVEXNN_CLI_PATH) + " " + arguments + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  std::size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, read);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace convexnn::testing
